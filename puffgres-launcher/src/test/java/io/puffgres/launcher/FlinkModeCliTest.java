package io.puffgres.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.puffgres.cli.ExitCode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A project asking for {@code [flink] mode = "remote"} is invalid (exit 3) for {@code validate} and {@code run},
 * named at its line, before Postgres is asked: remote mode does not exist yet, and running embedded instead would hide
 * that.
 */
class FlinkModeCliTest {

    private static final String REFUSED = ": flink.mode: \"remote\" (submitting the job to a Flink cluster) is not"
            + " supported yet; the only supported mode is \"embedded\"";

    /** A project from {@code init} whose puffgres.toml asks for remote mode; the Postgres URL points nowhere. */
    private static String remoteProject(Path dir) throws Exception {
        String project = dir.resolve("p").toString();
        assertThat(ValidateCommandTest.run("init", project).exitCode()).isZero();
        Path toml = dir.resolve("p/puffgres.toml");
        String text = Files.readString(toml);
        assertThat(text).contains("\nmode = \"embedded\"");
        Files.writeString(toml, text.replaceFirst("\nmode = \"embedded\"", "\nmode = \"remote\""));
        return project;
    }

    private static int lineOfMode(Path dir) throws Exception {
        List<String> lines = Files.readAllLines(dir.resolve("p/puffgres.toml"));
        int index = IntStream.range(0, lines.size())
                .filter(i -> lines.get(i).startsWith("mode = \"remote\""))
                .findFirst()
                .orElseThrow();
        return index + 1;
    }

    @Test
    void validateAndRunRefuseRemoteModeAtItsLine(@TempDir Path dir) throws Exception {
        String project = remoteProject(dir);
        String diagnostic = "puffgres.toml:" + lineOfMode(dir) + ":1" + REFUSED;
        for (String command : List.of("validate", "run")) {
            ValidateCommandTest.Result r = ValidateCommandTest.run(command, "--project", project);
            assertThat(r.exitCode()).as(command + ": " + r.err()).isEqualTo(ExitCode.INVALID_CONFIG);
            assertThat(r.err()).as(command).contains(diagnostic);
            assertThat(r.out()).as(command).isEmpty();
        }
    }

    @Test
    void runRefusesRemoteModeFromTheEnvironment(@TempDir Path dir) throws Exception {
        String project = dir.resolve("p").toString();
        assertThat(ValidateCommandTest.run("init", project).exitCode()).isZero();
        ValidateCommandTest.Result r =
                ValidateCommandTest.run(Map.of("PUFFGRES_FLINK_MODE", "remote"), "run", "--project", project);
        assertThat(r.exitCode()).as(r.err()).isEqualTo(ExitCode.INVALID_CONFIG);
        assertThat(r.err()).contains("env PUFFGRES_FLINK_MODE" + REFUSED);
    }
}
