package io.puffgres.poll;

import io.puffgres.event.RelationId;
import java.io.Serializable;
import java.util.List;

/**
 * What the poll source reads and how often.
 *
 * @param slot the job's replication slot (wal2json); the source reads through its copy {@link #readingSlot()}
 * @param tables the tables the job follows (wal2json's {@code add-tables})
 * @param intervalMs the wait after a poll that returned less than {@code batchSize} rows
 * @param maxIntervalMs the longest wait: each empty poll doubles the wait up to this
 * @param batchSize rows one poll asks for ({@code upto_nchanges}; a poll ends at a transaction's end)
 * @param run this run's id (one per {@code puffgres run}; a restart within the job keeps it), which holds the slot's
 *     {@link PollLease}
 */
public record PollSettings(
        String slot, List<RelationId> tables, long intervalMs, long maxIntervalMs, int batchSize, String run)
        implements Serializable {

    /** Postgres's longest name (NAMEDATALEN - 1), which a slot name must fit. */
    public static final int MAX_SLOT_NAME = 63;

    private static final String READING_SUFFIX = "_poll";

    public PollSettings {
        tables = List.copyOf(tables);
    }

    /** The slot the source reads with {@code pg_logical_slot_get_changes}: a copy of {@link #slot} made at each start. */
    public String readingSlot() {
        return readingSlot(slot);
    }

    /** The reading slot of the job slot {@code slot}. */
    public static String readingSlot(String slot) {
        return slot + READING_SUFFIX;
    }

    /** The longest job slot name poll mode takes (its reading slot's name must fit Postgres's limit). */
    public static int maxSlotName() {
        return MAX_SLOT_NAME - READING_SUFFIX.length();
    }
}
