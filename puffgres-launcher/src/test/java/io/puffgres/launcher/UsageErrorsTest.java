package io.puffgres.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.puffgres.cli.ExitCode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Option values checked while the command line is parsed: a bad one is a usage error (exit 2) in one line plus the
 * help hint, before any project is read or anything starts.
 */
class UsageErrorsTest {

    private static final String NO_PROJECT = "/nonexistent/project";

    private static void assertUsageError(String expectedError, String command, String... args) {
        ValidateCommandTest.Result r = ValidateCommandTest.run(args);
        assertThat(r.exitCode()).as(r.err()).isEqualTo(ExitCode.USAGE);
        assertThat(r.err()).isEqualTo("error: " + expectedError + "\nhint: run puffgres " + command + " --help\n");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void webUiPortOutsideTheAcceptedValuesIsAUsageError() {
        for (String port : new String[] {"99999", "65536", "-5", "-2", "http"}) {
            assertUsageError(
                    "Invalid value for option '--web-ui-port': '" + port
                            + "' must be a port (1-65535), 0 for a free port or -1 for no web UI",
                    "run",
                    "run",
                    "--project",
                    NO_PROJECT,
                    "--web-ui-port",
                    port);
        }
    }

    @Test
    void webUiPortAcceptsNoneFreeAndEveryRealPort() {
        for (String port : new String[] {"-1", "0", "1", "65535"}) {
            ValidateCommandTest.Result r =
                    ValidateCommandTest.run("run", "--project", NO_PROJECT, "--web-ui-port", port);
            assertThat(r.exitCode()).as(port + ": " + r.err()).isEqualTo(ExitCode.INVALID_CONFIG);
        }
    }

    @Test
    void fromLsnThatIsNotAWalPositionIsAUsageError() {
        for (String lsn : new String[] {"garbage", "0/", "16B3748", "0/1G", "123456789/0", "0/1A2B3C4D "}) {
            assertUsageError(
                    "Invalid value for option '--from-lsn': '" + lsn + "' is not a WAL position; it must look like"
                            + " 0/1A2B3C4D (two hexadecimal numbers, as pg_current_wal_lsn() shows them)",
                    "run",
                    "run",
                    "--project",
                    NO_PROJECT,
                    "--from-lsn",
                    lsn);
        }
        ValidateCommandTest.Result valid =
                ValidateCommandTest.run("run", "--project", NO_PROJECT, "--from-lsn", "FFFFFFFF/0a");
        assertThat(valid.exitCode()).as(valid.err()).isEqualTo(ExitCode.INVALID_CONFIG);
    }

    @Test
    void aPluginOtherThanTheTwoDecodersIsAUsageError() {
        for (String command : new String[] {"run", "doctor"}) {
            assertUsageError(
                    "Invalid value for option '--plugin': 'decoderbufs' must be pgoutput or wal2json",
                    command,
                    command,
                    "--project",
                    NO_PROJECT,
                    "--plugin",
                    "decoderbufs");
        }
    }

    @Test
    void dlqListLimitBelowOneIsAUsageError() {
        for (String limit : new String[] {"-1", "0"}) {
            assertUsageError(
                    "Invalid value for option '--limit': '" + limit + "' must be a number of 1 or more",
                    "dlq list",
                    "dlq",
                    "list",
                    "--project",
                    NO_PROJECT,
                    "--limit",
                    limit);
        }
    }

    @Test
    void stopTimeoutBelowOneIsAUsageError() {
        for (String timeout : new String[] {"-5", "0", "soon"}) {
            assertUsageError(
                    "Invalid value for option '--timeout': '" + timeout + "' must be a number of 1 or more",
                    "stop",
                    "stop",
                    "--project",
                    NO_PROJECT,
                    "--timeout",
                    timeout);
        }
    }

    @Test
    void emulatorPortOutsideTheAcceptedValuesIsAUsageError() {
        for (String port : new String[] {"-4", "-1", "70000"}) {
            assertUsageError(
                    "Invalid value for option '--port': '" + port + "' must be a port (1-65535) or 0 for a free port",
                    "emulator",
                    "emulator",
                    "--port",
                    port);
        }
    }

    @Test
    void aWebUiBindThatIsNotThisMachinesIsAnInvalidProjectBeforePostgresIsAsked(@TempDir Path dir) {
        String project = dir.resolve("p").toString();
        assertThat(ValidateCommandTest.run("init", project).exitCode()).isZero();
        ValidateCommandTest.Result r =
                ValidateCommandTest.run(Map.of("PUFFGRES_FLINK_WEB_UI_BIND", "192.0.2.1"), "run", "--project", project);
        assertThat(r.exitCode()).as(r.err()).isEqualTo(ExitCode.INVALID_CONFIG);
        assertThat(r.err())
                .startsWith("error: [flink] web_ui_bind 192.0.2.1 is not an address of this machine")
                .contains("hint: set [flink] web_ui_bind in puffgres.toml");
    }

    @Test
    void runHelpSaysThatPortZeroPicksAFreePort() {
        ValidateCommandTest.Result r = ValidateCommandTest.run("run", "--help");
        assertThat(r.out().replaceAll("\\s+", " ")).contains("0 picks a free port, -1 for none");
    }

    @Test
    void initsNextHintCreatesTheSlotOnTheFirstRun(@TempDir Path dir) throws Exception {
        ValidateCommandTest.Result r =
                ValidateCommandTest.run("init", dir.resolve("p").toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(Files.readString(dir.resolve("p/puffgres.toml")))
                .contains("# web_ui_bind = \"127.0.0.1\"            # default; 0.0.0.0 exposes the job's REST API");
        assertThat(r.out().lines().filter(l -> l.startsWith("next: ")))
                .singleElement()
                .asString()
                .endsWith(", puffgres run --create-slot");
    }
}
