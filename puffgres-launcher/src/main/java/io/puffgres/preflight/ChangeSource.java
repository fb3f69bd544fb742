package io.puffgres.preflight;

import io.puffgres.poll.PollSettings;

/**
 * How the job reads changes, as the checks need it: the slot, its decoding plugin, and whether the poll source reads
 * it over plain SQL (docs/job.md, "Poll mode") rather than the replication protocol. Immutable.
 *
 * @param slot the replication slot the job follows
 * @param plugin {@code pgoutput} or {@code wal2json}; always {@code wal2json} when {@code poll}
 * @param poll whether the poll source reads the slot, through its own copy {@link #pollSlot()}
 */
public record ChangeSource(String slot, String plugin, boolean poll) {

    public ChangeSource {
        if (poll && !plugin.equals("wal2json")) {
            throw new IllegalArgumentException("poll mode reads wal2json, not " + plugin);
        }
    }

    /** A stream of {@code plugin} through the replication protocol. */
    public static ChangeSource stream(String slot, String plugin) {
        return new ChangeSource(slot, plugin, false);
    }

    /** The slot the poll source reads through: {@code <slot>_poll}. */
    public String pollSlot() {
        return PollSettings.readingSlot(slot);
    }

    /** The {@code puffgres run} options that read the slot this way, e.g. {@code --poll} or {@code --plugin wal2json}. */
    String runOptions() {
        return poll ? " --poll" : plugin.equals("pgoutput") ? "" : " --plugin " + plugin;
    }
}
