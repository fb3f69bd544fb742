package io.puffgres.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.puffgres.cli.ExitCode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Poll mode on the command line of every command that starts the job or checks for it ({@code run}, {@code backfill},
 * {@code doctor}): {@code --poll} reads wal2json, so {@code --plugin pgoutput} with it, or with {@code [source] mode =
 * "poll"}, is a usage error (exit 2) naming both, before Postgres is asked.
 */
class PollOptionsCliTest {

    private static final String NO_PROJECT = "/nonexistent/project";

    private static final List<String> COMMANDS = List.of("run", "backfill", "doctor");

    @Test
    void pollWithPgoutputIsAUsageErrorBeforeTheProjectIsRead() {
        for (String command : COMMANDS) {
            ValidateCommandTest.Result r =
                    ValidateCommandTest.run(command, "--project", NO_PROJECT, "--poll", "--plugin", "pgoutput");
            assertThat(r.exitCode()).as(command + ": " + r.err()).isEqualTo(ExitCode.USAGE);
            assertThat(r.err())
                    .as(command)
                    .isEqualTo("error: --poll reads wal2json, so it cannot go with --plugin pgoutput: leave out one of"
                            + " them\nhint: run puffgres " + command + " --help\n");
            assertThat(r.out()).isEmpty();
        }
    }

    @Test
    void pollWithWal2jsonOrAloneIsNoUsageError() {
        for (String command : COMMANDS) {
            for (List<String> options : List.of(List.of("--poll"), List.of("--poll", "--plugin", "wal2json"))) {
                String[] args = new String[3 + options.size()];
                args[0] = command;
                args[1] = "--project";
                args[2] = NO_PROJECT;
                for (int i = 0; i < options.size(); i++) {
                    args[3 + i] = options.get(i);
                }
                ValidateCommandTest.Result r = ValidateCommandTest.run(args);
                assertThat(r.exitCode())
                        .as(command + " " + options + ": " + r.err())
                        .isEqualTo(ExitCode.INVALID_CONFIG);
            }
        }
    }

    @Test
    void pgoutputInAProjectThatPollsIsAUsageErrorNamingTheModeBeforePostgresIsAsked(@TempDir Path dir)
            throws Exception {
        String project = dir.resolve("p").toString();
        assertThat(ValidateCommandTest.run("init", project).exitCode()).isZero();
        Path toml = dir.resolve("p/puffgres.toml");
        Files.writeString(toml, Files.readString(toml).replaceFirst("\nmode = \"stream\"", "\nmode = \"poll\""));
        String expected = "error: [source] mode = \"poll\" reads wal2json, so it cannot go with --plugin pgoutput:"
                + " leave out --plugin, or stream for this run with PUFFGRES_SOURCE_MODE=stream\n";
        for (String command : COMMANDS) {
            ValidateCommandTest.Result r =
                    ValidateCommandTest.run(command, "--project", project, "--plugin", "pgoutput");
            assertThat(r.exitCode()).as(command + ": " + r.err()).isEqualTo(ExitCode.USAGE);
            assertThat(r.err()).as(command).isEqualTo(expected + "hint: run puffgres " + command + " --help\n");
            assertThat(r.out()).as(command).isEmpty();
        }
        // the environment picks the mode as it picks any key
        ValidateCommandTest.Result streamed = ValidateCommandTest.run(
                Map.of("PUFFGRES_SOURCE_MODE", "stream"), "doctor", "--project", project, "--plugin", "pgoutput");
        assertThat(streamed.exitCode()).as(streamed.err()).isNotEqualTo(ExitCode.USAGE);
    }

    @Test
    void everyCommandThatStartsTheJobOffersTheSameSourceOptions() {
        for (String command : COMMANDS) {
            String help = ValidateCommandTest.run(command, "--help").out().replaceAll("\\s+", " ");
            assertThat(help)
                    .as(command)
                    .contains("--poll Poll mode: read the slot with wal2json over plain SQL")
                    .contains("--plugin=NAME")
                    .contains("--slot=NAME");
        }
    }

    @Test
    void initsTemplateStreamsAndNamesPollMode(@TempDir Path dir) throws Exception {
        assertThat(ValidateCommandTest.run("init", dir.resolve("p").toString()).exitCode())
                .isZero();
        assertThat(Files.readString(dir.resolve("p/puffgres.toml")))
                .contains("[source]\nmode = \"stream\"                       # the replication protocol; \"poll\":"
                        + " wal2json over plain SQL (docs/job.md#poll-mode)\n");
    }
}
