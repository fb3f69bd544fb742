package io.puffgres.cli;

import io.puffgres.config.ProjectConfig;
import io.puffgres.preflight.ChangeSource;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The options that say how the job reads changes, the same on every command that starts it or checks for it ({@code
 * run}, {@code backfill}, {@code doctor}): {@code --slot}, {@code --plugin} and {@code --poll}. A picocli mixin; {@link
 * #resolve} turns them, with {@code [source] mode}, into one {@link Reading}.
 */
public final class SourceOptions {

    /** The decoding plugin of a stream when {@code --plugin} is not given. */
    public static final String DEFAULT_PLUGIN = "pgoutput";

    /** The only plugin poll mode reads. */
    public static final String POLL_PLUGIN = "wal2json";

    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    @Option(names = "--slot", paramLabel = "NAME", description = "Replication slot (default: [postgres] slot).")
    String slot;

    @Option(
            names = "--plugin",
            paramLabel = "NAME",
            converter = OptionValues.DecodingPlugin.class,
            description = "Logical decoding plugin: pgoutput (default) or wal2json; poll mode reads wal2json.")
    String plugin;

    @Option(
            names = "--poll",
            description = "Poll mode: read the slot with wal2json over plain SQL instead of the replication protocol"
                    + " (as [source] mode = \"poll\"; docs/job.md#poll-mode).")
    boolean poll;

    /**
     * How the job reads changes.
     *
     * @param slot the replication slot the job follows
     * @param plugin {@code pgoutput} or {@code wal2json} ({@code wal2json} when {@code poll})
     * @param poll whether the poll source reads the slot over SQL
     * @param pollFlag whether {@code --poll} asked for it (else {@code [source] mode} did, or it streams)
     */
    public record Reading(String slot, String plugin, boolean poll, boolean pollFlag) {

        /** The mode in words, for what a command prints. */
        public String describe() {
            if (!poll) {
                return "stream mode (" + plugin + " over the replication protocol)";
            }
            return "poll mode (wal2json over plain SQL, " + (pollFlag ? "--poll" : "[source] mode = \"poll\"") + ")";
        }

        /** The same, as the preflight checks take it. */
        public ChangeSource changeSource() {
            return new ChangeSource(slot, plugin, poll);
        }
    }

    /**
     * Refuses {@code --poll} with {@code --plugin pgoutput} (a usage error, exit 2): poll mode reads wal2json. Needs no
     * project, so a command calls it before it reads one.
     */
    public void checkFlags() {
        if (poll && DEFAULT_PLUGIN.equals(plugin)) {
            throw new ParameterException(
                    command.commandLine(),
                    "--poll reads wal2json, so it cannot go with --plugin pgoutput: leave out one of them");
        }
    }

    /**
     * The reading of this command line with {@code config}: poll mode when {@code --poll} or {@code [source] mode =
     * "poll"} asks for it, and then always wal2json; an explicit {@code --plugin pgoutput} in poll mode is a usage
     * error naming both.
     */
    public Reading resolve(ProjectConfig config) {
        checkFlags();
        boolean polling = poll || config.source().mode() == ProjectConfig.Source.Mode.POLL;
        if (polling && DEFAULT_PLUGIN.equals(plugin)) {
            throw new ParameterException(
                    command.commandLine(),
                    "[source] mode = \"poll\" reads wal2json, so it cannot go with --plugin pgoutput: leave out"
                            + " --plugin, or stream for this run with PUFFGRES_SOURCE_MODE=stream");
        }
        String chosen = polling ? POLL_PLUGIN : plugin != null ? plugin : DEFAULT_PLUGIN;
        return new Reading(slot != null ? slot : config.postgres().slot(), chosen, polling, poll);
    }

    /** The options as given, for the command line of a run started in the background. */
    public List<String> args() {
        List<String> args = new ArrayList<>();
        if (slot != null) {
            args.addAll(List.of("--slot", slot));
        }
        if (plugin != null) {
            args.addAll(List.of("--plugin", plugin));
        }
        if (poll) {
            args.add("--poll");
        }
        return args;
    }
}
