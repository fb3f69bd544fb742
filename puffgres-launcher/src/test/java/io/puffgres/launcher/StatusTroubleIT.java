package io.puffgres.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.puffgres.cli.ExitCode;
import io.puffgres.emulator.EmulatorExtension;
import io.puffgres.testkit.PostgresDatabase;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code puffgres status} of a job in trouble, against a real detached run: Postgres unreachable for the status, and
 * a restart loop (the job's role may no longer log in).
 */
// by name: the restart loop first, so that the status without Postgres reads a job that has restarted
@TestMethodOrder(MethodOrderer.MethodName.class)
class StatusTroubleIT {

    @RegisterExtension
    static final PostgresDatabase db = new PostgresDatabase();

    @RegisterExtension
    static final EmulatorExtension tpuf = new EmulatorExtension();

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The job's own Postgres role, so that it can be locked out without touching the other tests' superuser. */
    private static final String ROLE = "puffgres_trouble";

    private static CliProject running;

    @BeforeAll
    static void startARunAsItsOwnRole() throws Exception {
        db.execute("DROP ROLE IF EXISTS " + ROLE, "CREATE ROLE " + ROLE + " SUPERUSER LOGIN");
        running = CliProject.create(db, tpuf, "trouble");
        Path toml = running.dir().resolve("puffgres.toml");
        Files.writeString(
                toml,
                Files.readString(toml)
                        .replace("user = \"postgres\"", "user = \"" + ROLE + "\"")
                        .replace("?user=postgres", "?user=" + ROLE));
        db.execute("INSERT INTO trouble VALUES (1, 'one'), (2, 'two')");
        ValidateCommandTest.Result started = running.run("run", "--create-slot", "--detach", "--web-ui-port", "0");
        assertThat(started.exitCode()).as(started.err()).isEqualTo(ExitCode.OK);
        await().atMost(Duration.ofSeconds(90))
                .untilAsserted(() -> assertThat(running.titles()).hasSize(2));
    }

    @AfterAll
    static void stopTheRun() {
        db.execute("ALTER ROLE " + ROLE + " LOGIN");
        try {
            running.run("stop");
        } finally {
            db.execute("REASSIGN OWNED BY " + ROLE + " TO postgres", "DROP OWNED BY " + ROLE, "DROP ROLE " + ROLE);
        }
    }

    private static JsonNode json(ValidateCommandTest.Result r) throws Exception {
        return JSON.readTree(r.out());
    }

    @Test
    void withPostgresUnreachableShowsTheJobFromFlinkThenTheErrorAndExitsOne() throws Exception {
        // a copy of the project whose url names a closed port, sharing the run's run.json: only status loses Postgres
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        Path copy = Files.createTempDirectory("puffgres-cli-");
        Files.writeString(
                copy.resolve("puffgres.toml"),
                Files.readString(running.dir().resolve("puffgres.toml"))
                        .replaceAll("127\\.0\\.0\\.1:\\d+/", "127.0.0.1:" + closed + "/"));
        Files.createDirectories(copy.resolve("puffgres/migrations"));
        Files.createDirectories(copy.resolve("puffgres/state"));
        Files.copy(running.dir().resolve("puffgres/state/run.json"), copy.resolve("puffgres/state/run.json"));
        CliProject elsewhere = new CliProject(copy, "trouble", tpuf);

        ValidateCommandTest.Result r = elsewhere.run("status", "--json");
        assertThat(r.exitCode()).isEqualTo(ExitCode.RUNTIME);
        JsonNode s = json(r);
        assertThat(s.path("running").asBoolean()).isTrue();
        assertThat(s.path("job").path("state").asText()).as(s.toString()).isEqualTo("RUNNING");
        assertThat(s.path("job").path("restarts").isIntegralNumber()).isTrue();
        assertThat(s.path("events").isIntegralNumber()).as(s.toString()).isTrue();
        assertThat(s.path("postgres").path("reachable").asBoolean()).isFalse();
        assertThat(s.path("postgres").path("error").asText()).contains(String.valueOf(closed));
        assertThat(s.path("slot").path("name").asText()).isEqualTo("trouble");
        assertThat(s.path("slot").path("exists").isNull()).isTrue();
        assertThat(s.path("dlq").isNull()).isTrue();
        assertThat(r.err().lines().toList())
                .hasSize(2)
                .first()
                .asString()
                .startsWith("error: Postgres is unreachable: ")
                .contains(String.valueOf(closed));
        assertThat(r.err().lines().toList().get(1))
                .isEqualTo("hint: check that Postgres is up and [postgres] url, user and password_env in puffgres.toml;"
                        + " the job figures above come from Flink");

        ValidateCommandTest.Result text = elsewhere.run("status");
        assertThat(text.exitCode()).isEqualTo(ExitCode.RUNTIME);
        assertThat(text.out())
                .containsPattern("puffgres run: pid \\d+, job [0-9a-f]{32}, RUNNING since ")
                .contains("slot trouble: unknown, Postgres is unreachable")
                .containsPattern("events: \\d+ ")
                .contains("DLQ: unknown, Postgres is unreachable");
        assertThat(text.err()).startsWith("error: Postgres is unreachable: ");
    }

    @Test
    void showsTheRestartCountAndTheLastFailureWhileTheJobRestartsInALoop() throws Exception {
        JsonNode healthy = json(running.run("status", "--json"));
        assertThat(healthy.path("slot").path("wal_status").asText()).isEqualTo("reserved");
        assertThat(healthy.path("postgres").path("reachable").asBoolean()).isTrue();
        long before = healthy.path("job").path("restarts").asLong();
        Instant lockedOut = Instant.now();
        db.execute(
                "ALTER ROLE " + ROLE + " NOLOGIN",
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '" + ROLE + "'");
        long[] seen = new long[1];
        try {
            await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
                ValidateCommandTest.Result r = running.run("status", "--json");
                assertThat(r.exitCode()).isEqualTo(ExitCode.RUNTIME);
                JsonNode s = json(r);
                JsonNode job = s.path("job");
                assertThat(job.path("state").asText()).isIn("RUNNING", "RESTARTING");
                assertThat(job.path("restarts").asLong()).isGreaterThanOrEqualTo(before + 2);
                assertThat(job.path("last_exception").asText()).contains("is not permitted to log in");
                assertThat(Instant.parse(job.path("last_failure_at").asText())).isAfter(lockedOut);
                // status itself logs in as the job's role: Postgres is unreachable to it, and it says why
                assertThat(s.path("postgres").path("reachable").asBoolean()).isFalse();
                assertThat(s.path("postgres").path("error").asText()).contains("is not permitted to log in");
                seen[0] = job.path("restarts").asLong();
            });
            // the loop goes on, and the count with it
            await().atMost(Duration.ofSeconds(90))
                    .untilAsserted(() -> assertThat(json(running.run("status", "--json"))
                                    .path("job")
                                    .path("restarts")
                                    .asLong())
                            .isGreaterThan(seen[0]));
            ValidateCommandTest.Result text = running.run("status");
            assertThat(text.out())
                    .containsPattern("puffgres run: pid \\d+, job [0-9a-f]{32}, (RUNNING|RESTARTING) since ")
                    .containsPattern("\n  restarted \\d+ times, last [0-9a-z ]+ ago: FATAL: role \"" + ROLE
                            + "\" is not permitted to log in\n");
        } finally {
            db.execute("ALTER ROLE " + ROLE + " LOGIN");
        }
        // once it can log in again, the job runs on: the count stays, the figures come back
        db.execute("INSERT INTO trouble VALUES (3, 'three')");
        // (the emulator forgets namespaces between tests: only the new row is there to see)
        await().atMost(Duration.ofSeconds(120))
                .untilAsserted(() -> assertThat(running.titles()).containsEntry(3L, "three"));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            ValidateCommandTest.Result after = running.run("status", "--json");
            assertThat(after.exitCode()).as(after.err()).isEqualTo(ExitCode.OK);
            JsonNode s = json(after);
            assertThat(s.path("job").path("state").asText()).as(s.toString()).isEqualTo("RUNNING");
            assertThat(s.path("job").path("restarts").asLong()).isGreaterThan(seen[0]);
            assertThat(s.path("postgres").path("reachable").asBoolean()).isTrue();
            assertThat(s.path("postgres").path("error").isNull()).isTrue();
        });
    }
}
