package io.puffgres.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.puffgres.cli.ExitCode;
import io.puffgres.emulator.EmulatorExtension;
import io.puffgres.testkit.PostgresDatabase;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code puffgres run} in-process against a real Postgres and the emulator. */
class RunCommandIT {

    @RegisterExtension
    static final PostgresDatabase db = new PostgresDatabase();

    @RegisterExtension
    static final EmulatorExtension tpuf = new EmulatorExtension();

    private static Path project(String name) throws Exception {
        return CliProject.create(db, tpuf, name).dir();
    }

    private static int documents(String namespace) {
        return new CliProject(null, namespace, tpuf).titles().size();
    }

    @Test
    void aMissingSlotIsAnErrorWithTheFix() throws Exception {
        Path dir = project("noslot");
        ValidateCommandTest.Result r =
                ValidateCommandTest.run("run", "--project", dir.toString(), "--web-ui-port", "-1");
        assertThat(r.exitCode()).isEqualTo(ExitCode.PREFLIGHT);
        assertThat(r.err().lines().toList())
                .containsExactly(
                        "error: slot: \"noslot\" does not exist",
                        "hint: puffgres run --create-slot (a new slot starts with a snapshot of the mapped tables)"
                                + " (nothing was changed)");
    }

    @Test
    void aWebUiPortInUseIsAnErrorWithTheFix() throws Exception {
        Path dir = project("portinuse");
        try (ServerSocket taken = new ServerSocket(0)) {
            int port = taken.getLocalPort();
            ValidateCommandTest.Result r = ValidateCommandTest.run(
                    "run", "--project", dir.toString(), "--create-slot", "--web-ui-port", String.valueOf(port));
            assertThat(r.exitCode()).isEqualTo(ExitCode.RUNTIME);
            assertThat(r.err().lines().toList())
                    .containsExactly(
                            "error: the Flink web UI port " + port + " is in use; stop what holds it, or pick another"
                                    + " with --web-ui-port (0: a free port, -1: no web UI)",
                            "hint: see puffgres run --help");
        }
    }

    @Test
    void anInvalidProjectStopsBeforeAnyWrite() throws Exception {
        Path dir = project("invalid");
        Files.writeString(dir.resolve("puffgres/migrations/0002_invalid.toml"), "version = 2\nnamespace = 7\n");
        ValidateCommandTest.Result r = ValidateCommandTest.run("run", "--project", dir.toString(), "--create-slot");
        assertThat(r.exitCode()).isEqualTo(ExitCode.INVALID_CONFIG);
        assertThat(r.err()).contains("hint: run puffgres validate to see them all");
        assertThat(documents("invalid")).isZero();
    }

    @Test
    void runsTheJobUntilStrictModeStopsIt() throws Exception {
        Path dir = project("runstrict");
        db.execute("INSERT INTO runstrict VALUES (1, 'one'), (2, 'two')");
        CompletableFuture<ValidateCommandTest.Result> run = CompletableFuture.supplyAsync(() -> ValidateCommandTest.run(
                "run", "--project", dir.toString(), "--create-slot", "--strict", "--web-ui-port", "0"));
        await().atMost(Duration.ofSeconds(90))
                .untilAsserted(() -> assertThat(documents("runstrict")).isEqualTo(2));
        db.execute("INSERT INTO runstrict VALUES (3, 'boom')");
        ValidateCommandTest.Result r = run.get(90, TimeUnit.SECONDS);
        assertThat(r.exitCode()).isEqualTo(ExitCode.RUNTIME);
        assertThat(r.out())
                .contains("mapping runstrict v1: public.runstrict -> namespace runstrict")
                .contains("streaming from the slot's position")
                .contains(
                        "filling namespace runstrict from public.runstrict (mapping runstrict v1, initial load, fill #")
                .contains("Flink web UI: http://127.0.0.1:");
        List<String> err = r.err()
                .lines()
                .filter(l -> l.startsWith("error:") || l.startsWith("hint:"))
                .toList();
        assertThat(err.get(0))
                .startsWith("error: the job stopped: --strict: stopped at a change that could not be applied (runstrict"
                        + " v1 id 3")
                .contains("no booms please");
        assertThat(err.get(1))
                .isEqualTo("hint: fix the cause and run puffgres run again; it resumes from the last checkpoint");
    }

    @Test
    void detachesStopsWithASavepointAndResumesFromIt() throws Exception {
        Path dir = project("detach");
        db.execute("INSERT INTO detach VALUES (1, 'one'), (2, 'two')");
        ValidateCommandTest.Result started = ValidateCommandTest.run(
                "run", "--project", dir.toString(), "--create-slot", "--detach", "--web-ui-port", "0");
        assertThat(started.exitCode()).as(started.err()).isEqualTo(ExitCode.OK);
        assertThat(started.out()).contains("running in the background, pid ").contains("Flink web UI: http://");
        Path runFile = dir.resolve("puffgres/state/run.json");
        assertThat(runFile).exists();
        await().atMost(Duration.ofSeconds(90))
                .untilAsserted(() -> assertThat(documents("detach")).isEqualTo(2));

        ValidateCommandTest.Result stopped = ValidateCommandTest.run("stop", "--project", dir.toString());
        assertThat(stopped.exitCode()).as(stopped.err()).isEqualTo(ExitCode.OK);
        assertThat(runFile).doesNotExist();
        String log = Files.readString(dir.resolve("puffgres/state/run.log"));
        assertThat(log).contains("stopped with savepoint ");
        try (var savepoints = Files.list(dir.resolve("puffgres/state/checkpoints/savepoints"))) {
            assertThat(savepoints.filter(p -> Files.exists(p.resolve("_metadata"))))
                    .hasSize(1);
        }

        db.execute("INSERT INTO detach VALUES (3, 'three')");
        ValidateCommandTest.Result again =
                ValidateCommandTest.run("run", "--project", dir.toString(), "--detach", "--web-ui-port", "0");
        assertThat(again.exitCode()).as(again.err()).isEqualTo(ExitCode.OK);
        await().atMost(Duration.ofSeconds(90))
                .untilAsserted(() -> assertThat(documents("detach")).isEqualTo(3));
        assertThat(Files.readString(dir.resolve("puffgres/state/run.log")))
                .contains("resuming from " + dir.resolve("puffgres/state/checkpoints/savepoints"));
        assertThat(ValidateCommandTest.run("stop", "--project", dir.toString()).exitCode())
                .isEqualTo(ExitCode.OK);
        assertThat(ValidateCommandTest.run("stop", "--project", dir.toString()).err())
                .startsWith("error: no puffgres run is running for ");
    }
}
