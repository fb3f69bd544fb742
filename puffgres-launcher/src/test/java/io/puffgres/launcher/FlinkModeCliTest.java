package io.puffgres.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.puffgres.cli.ExitCode;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code [flink] mode = "remote"} from the command line: without {@code rest_url} it is invalid (exit 3) at its line;
 * with a cluster nobody runs, {@code run} stops with exit 1 naming the URL it tried, before Postgres is asked (the
 * project's Postgres URL points nowhere) — never a silent fallback to an embedded run.
 */
class FlinkModeCliTest {

    /** A project from {@code init} whose puffgres.toml asks for remote mode; the Postgres URL points nowhere. */
    private static String remoteProject(Path dir, String restUrlLine) throws Exception {
        String project = dir.resolve("p").toString();
        assertThat(ValidateCommandTest.run("init", project).exitCode()).isZero();
        Path toml = dir.resolve("p/puffgres.toml");
        String text = Files.readString(toml);
        assertThat(text).contains("\nmode = \"embedded\"");
        Files.writeString(
                toml,
                text.replaceFirst("\nmode = \"embedded\"[^\n]*", "\nmode = \"remote\"\n" + restUrlLine)
                        .replace("checkpoint_dir = \"puffgres/state/checkpoints\"", "checkpoint_dir = \"/tmp/chk\""));
        return project;
    }

    private static int lineOfMode(Path dir) throws Exception {
        List<String> lines = Files.readAllLines(dir.resolve("p/puffgres.toml"));
        return IntStream.range(0, lines.size())
                        .filter(i -> lines.get(i).startsWith("mode = \"remote\""))
                        .findFirst()
                        .orElseThrow()
                + 1;
    }

    @Test
    void validateAndRunRefuseRemoteModeWithoutRestUrlAtItsLine(@TempDir Path dir) throws Exception {
        String project = remoteProject(dir, "");
        String diagnostic = "puffgres.toml:" + lineOfMode(dir) + ":1: flink.mode: \"remote\" needs rest_url";
        for (String command : List.of("validate", "run")) {
            ValidateCommandTest.Result r = ValidateCommandTest.run(command, "--project", project);
            assertThat(r.exitCode()).as(command + ": " + r.err()).isEqualTo(ExitCode.INVALID_CONFIG);
            assertThat(r.err()).as(command).contains(diagnostic);
            assertThat(r.out()).as(command).isEmpty();
        }
    }

    @Test
    void runWithoutAReachableClusterFailsNamingTheUrlBeforeAnythingElse(@TempDir Path dir) throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort(); // free once closed: nobody listens there
        }
        String url = "http://127.0.0.1:" + port;
        String project = remoteProject(dir, "rest_url = \"" + url + "\"");
        ValidateCommandTest.Result r = ValidateCommandTest.run("run", "--project", project);
        assertThat(r.exitCode()).as(r.err()).isEqualTo(ExitCode.RUNTIME);
        assertThat(r.err()).startsWith("error: cannot reach the Flink cluster at " + url + ": ");
        assertThat(r.err()).contains("hint: start the cluster").doesNotContain("Postgres");
        assertThat(r.out()).doesNotContain("mapping").doesNotContain("submitted");
        assertThat(dir.resolve("p/puffgres/state/run.json")).doesNotExist();
    }

    @Test
    void aRemoteRunRefusesTheEmbeddedWebUiPort(@TempDir Path dir) throws Exception {
        String project = remoteProject(dir, "rest_url = \"http://127.0.0.1:9\"");
        ValidateCommandTest.Result r = ValidateCommandTest.run("run", "--project", project, "--web-ui-port", "0");
        assertThat(r.exitCode()).as(r.err()).isEqualTo(ExitCode.USAGE);
        assertThat(r.err()).startsWith("error: --web-ui-port is for embedded runs");
    }

    @Test
    void targetRemoteFromTheEnvironmentOrTheFlagNeedsARestUrl(@TempDir Path dir) throws Exception {
        String project = dir.resolve("p").toString();
        assertThat(ValidateCommandTest.run("init", project).exitCode()).isZero();
        ValidateCommandTest.Result env =
                ValidateCommandTest.run(Map.of("PUFFGRES_FLINK_MODE", "remote"), "run", "--project", project);
        assertThat(env.exitCode()).as(env.err()).isEqualTo(ExitCode.INVALID_CONFIG);
        assertThat(env.err()).contains("env PUFFGRES_FLINK_MODE: flink.mode: \"remote\" needs rest_url");

        ValidateCommandTest.Result flag = ValidateCommandTest.run("run", "--project", project, "--target", "remote");
        assertThat(flag.exitCode()).as(flag.err()).isEqualTo(ExitCode.INVALID_CONFIG);
        assertThat(flag.err()).startsWith("error: --target remote needs [flink] rest_url");
    }
}
