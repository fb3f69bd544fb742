package io.puffgres.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.puffgres.cli.ExitCode;
import io.puffgres.emulator.EmulatorExtension;
import io.puffgres.testkit.PostgresDatabase;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code puffgres status} and the live line of {@code puffgres run}, against a real detached run. */
class StatusCommandIT {

    @RegisterExtension
    static final PostgresDatabase db = new PostgresDatabase();

    @RegisterExtension
    static final EmulatorExtension tpuf = new EmulatorExtension();

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A time ago as status prints it: {@code 3 s ago}, {@code 1 min 5 s ago}. */
    private static final String AGO = "\\d+ (s|min|h|d)( \\d+ (s|min|h))? ago";

    /** A detached run mirroring 2 good rows and sending 2 "boom" rows to the DLQ. */
    private static CliProject running;

    @BeforeAll
    static void startARun() throws Exception {
        running = CliProject.create(db, tpuf, "statusjob");
        db.execute("INSERT INTO statusjob VALUES (1, 'one'), (2, 'two'), (3, 'boom three'), (4, 'boom four')");
        ValidateCommandTest.Result started = running.run("run", "--create-slot", "--detach", "--web-ui-port", "0");
        assertThat(started.exitCode()).as(started.err()).isEqualTo(ExitCode.OK);
        // one change streamed after the snapshot, so the job has a commit-to-write lag to report
        await().atMost(Duration.ofSeconds(90))
                .untilAsserted(() -> assertThat(running.titles()).hasSize(2));
        db.execute("INSERT INTO statusjob VALUES (5, 'five')");
        await().atMost(Duration.ofSeconds(90))
                .untilAsserted(() -> assertThat(running.titles()).hasSize(3));
    }

    @AfterAll
    static void stopTheRun() {
        running.run("stop");
    }

    private static JsonNode statusJson(CliProject project) throws Exception {
        ValidateCommandTest.Result r = project.run("status", "--json");
        return JSON.readTree(r.out());
    }

    @Test
    void lagIsTheCommitToWriteTimeOfTheLastWriteAndStaysWhileIdle() throws Exception {
        double[] lag = new double[1];
        await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
            JsonNode s = statusJson(running);
            assertThat(s.path("mappings").path(0).path("upserts").asLong()).isEqualTo(3);
            lag[0] = s.path("lag_seconds").asDouble();
            assertThat(lag[0]).isPositive().isLessThan(60);
        });
        // idle tables: once the last flush is seconds old, the lag still describes that write
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            JsonNode s = statusJson(running);
            assertThat(Duration.between(Instant.parse(s.path("last_flush_at").asText()), Instant.now()))
                    .isGreaterThan(Duration.ofSeconds(3));
            assertThat(s.path("lag_seconds").asDouble()).isEqualTo(lag[0]);
        });
    }

    @Test
    void reportsTheRunningJobTheSlotAndTheDlqAsOneJsonObject() throws Exception {
        await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
            JsonNode s = statusJson(running);
            assertThat(s.path("mappings").path(0).path("events").asLong()).isEqualTo(5);
            assertThat(s.path("mappings").path(0).path("upserts").asLong()).isEqualTo(3);
            assertThat(s.path("dlq").path("unresolved").asLong()).isEqualTo(2);
            assertThat(s.path("job").path("checkpoints").path("completed").asLong())
                    .isPositive();
        });
        ValidateCommandTest.Result r = running.run("status", "--json");
        assertThat(r.exitCode()).as(r.err()).isEqualTo(ExitCode.OK);
        assertThat(r.out().lines()).hasSize(1);
        JsonNode s = JSON.readTree(r.out());
        assertThat(s.path("running").asBoolean()).isTrue();
        assertThat(s.path("project").asText()).isEqualTo(running.dir().toString());
        assertThat(s.path("job").path("state").asText()).isEqualTo("RUNNING");
        assertThat(s.path("job").path("rest_url").asText()).startsWith("http://127.0.0.1:");
        assertThat(s.path("job").path("error").isNull()).isTrue();
        assertThat(s.path("job").path("restarts").asLong()).isZero();
        assertThat(s.path("job").path("last_exception").isNull()).isTrue();
        assertThat(s.path("job").path("last_failure_at").isNull()).isTrue();
        assertThat(s.path("postgres").path("reachable").asBoolean()).isTrue();
        assertThat(s.path("postgres").path("error").isNull()).isTrue();
        assertThat(s.path("slot").path("wal_status").asText()).isEqualTo("reserved");
        assertThat(s.path("slot").path("safe_wal_size").isNull()).isTrue(); // max_slot_wal_keep_size is unset
        assertThat(Instant.parse(s.path("lag_measured_at").asText()))
                .isBeforeOrEqualTo(Instant.parse(s.path("last_flush_at").asText()));
        assertThat(s.path("job").path("checkpoints").path("last_completed_at").asText())
                .isNotEmpty();
        assertThat(s.path("slot").path("name").asText()).isEqualTo("statusjob");
        assertThat(s.path("slot").path("exists").asBoolean()).isTrue();
        assertThat(s.path("slot").path("active").asBoolean()).isTrue();
        assertThat(s.path("slot").path("checkpoint_lsn").asText()).matches("[0-9A-F]+/[0-9A-F]+");
        assertThat(s.path("slot").path("lag_bytes").isIntegralNumber()).isTrue();
        assertThat(s.path("slot").path("lag_bytes").asLong()).isNotNegative();
        assertThat(s.path("lag_seconds").isNumber()).isTrue();
        assertThat(s.path("lag_seconds").asDouble()).isNotNegative();
        assertThat(s.path("events").asLong()).isEqualTo(5);
        assertThat(s.path("events_per_second").isNumber()).isTrue();
        assertThat(s.path("batches_per_second").isNumber()).isTrue();
        assertThat(s.path("retries").asLong()).isZero();
        assertThat(s.path("last_flush_at").asText()).isNotEmpty();
        JsonNode mapping = s.path("mappings").path(0);
        assertThat(mapping.path("mapping").asText()).isEqualTo("statusjob");
        assertThat(mapping.path("dlq").asLong()).isEqualTo(2);
        assertThat(mapping.path("deletes").asLong()).isZero();
        assertThat(mapping.path("batches").asLong()).isPositive();
        assertThat(s.path("dlq").path("by_mapping").path("statusjob").asLong()).isEqualTo(2);
        JsonNode lastErrors = s.path("dlq").path("last_errors");
        assertThat(lastErrors).hasSize(2);
        assertThat(lastErrors.path(0).path("kind").asText()).isEqualTo("transform");
        assertThat(lastErrors.path(0).path("mapping").asText()).isEqualTo("statusjob");
        assertThat(lastErrors.path(0).path("message").asText()).contains("no booms please: boom");
        assertThat(lastErrors.findValuesAsText("doc_id")).containsExactlyInAnyOrder("3", "4");
    }

    @Test
    void showsTheSameFiguresAsText() {
        await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
            ValidateCommandTest.Result r = running.run("status");
            assertThat(r.exitCode()).as(r.err()).isEqualTo(ExitCode.OK);
            assertThat(r.out())
                    .containsPattern("puffgres run: pid \\d+, job [0-9a-f]{32}, RUNNING since ")
                    .containsPattern(
                            "slot statusjob: active, checkpoint LSN [0-9A-F]+/[0-9A-F]+, .+ of WAL behind, wal_status"
                                    + " reserved\n")
                    .containsPattern("checkpoints: \\d+ completed, \\d+ failed, last #\\d+ \\d+ s ago")
                    .containsPattern("events: 5 \\(\\d+\\.\\d/s\\), batches \\d+\\.\\d/s, retries 0, last flush " + AGO
                            + ", lag \\d+\\.\\d s")
                    .contains("MAPPING")
                    .containsPattern("statusjob +5 +")
                    .contains("DLQ: 2 unresolved (statusjob 2); see puffgres dlq list")
                    .containsPattern("#\\d+ statusjob@1 id [34] at [0-9A-F]+/[0-9A-F]+, transform " + AGO + ": .*no"
                            + " booms please: boom");
            assertThat(r.err()).isEmpty();
        });
    }

    @Test
    void withoutARunShowsTheSlotAndTheDlqAndExitsOne() throws Exception {
        // a second directory with the same settings: the same slot and DLQ, but no run of its own
        Path other = Files.createTempDirectory("puffgres-cli-");
        Files.copy(running.dir().resolve("puffgres.toml"), other.resolve("puffgres.toml"));
        Files.createDirectories(other.resolve("puffgres/migrations"));
        CliProject idle = new CliProject(other, "statusjob", tpuf);
        await().atMost(Duration.ofSeconds(90))
                .untilAsserted(() -> assertThat(
                                statusJson(idle).path("dlq").path("unresolved").asLong())
                        .isEqualTo(2));

        ValidateCommandTest.Result text = idle.run("status");
        assertThat(text.exitCode()).isEqualTo(ExitCode.RUNTIME);
        assertThat(text.err())
                .isEqualTo("no puffgres run is running for " + other + "; start one with puffgres run --detach\n");
        assertThat(text.out())
                .doesNotContain("puffgres run:")
                .containsPattern("slot statusjob: active, checkpoint LSN [0-9A-F]+/[0-9A-F]+")
                .contains("DLQ: 2 unresolved (statusjob 2)");

        ValidateCommandTest.Result json = idle.run("status", "--json");
        assertThat(json.exitCode()).isEqualTo(ExitCode.RUNTIME);
        JsonNode s = JSON.readTree(json.out());
        assertThat(s.path("running").asBoolean()).isFalse();
        assertThat(s.path("job").isNull()).isTrue();
        assertThat(s.path("events").isNull()).isTrue();
        assertThat(s.path("mappings")).isEmpty();
        assertThat(s.path("slot").path("checkpoint_lsn").asText()).matches("[0-9A-F]+/[0-9A-F]+");
        assertThat(s.path("dlq").path("by_mapping")).hasSize(1);

        ValidateCommandTest.Result noSlot = idle.run("status", "--slot", "nosuchslot");
        assertThat(noSlot.out()).contains("slot nosuchslot: does not exist (puffgres run --create-slot creates it)");
    }

    @Test
    void watchPrintsAFreshObjectEverySecondUntilInterrupted() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
        Thread watch = new Thread(() -> Main.run(
                new String[] {
                    "status",
                    "--watch",
                    "1",
                    "--json",
                    "--project",
                    running.dir().toString()
                },
                print,
                print,
                Map.of()));
        watch.start();
        try {
            await().atMost(Duration.ofSeconds(30))
                    .untilAsserted(() -> assertThat(
                                    out.toString(StandardCharsets.UTF_8).lines())
                            .hasSizeGreaterThanOrEqualTo(3)
                            .allSatisfy(line -> assertThat(
                                            JSON.readTree(line).path("running").asBoolean())
                                    .isTrue()));
        } finally {
            watch.interrupt();
            watch.join(Duration.ofSeconds(30).toMillis());
        }
        assertThat(watch.isAlive()).isFalse();
        assertThat(out.toString(StandardCharsets.UTF_8).lines().map(l -> l.substring(l.indexOf("\"at\""))))
                .doesNotHaveDuplicates();
    }

    @Test
    void runPrintsALiveStatusLineInItsLog() throws Exception {
        Path log = running.dir().resolve("puffgres/state/run.log");
        await().atMost(Duration.ofSeconds(90))
                .untilAsserted(() -> assertThat(Files.readString(log))
                        .containsPattern("(?m)^\\d{4}-\\d\\d-\\d\\dT\\S+ events 5 \\(\\d+\\.\\d/s\\), upserts 3, DLQ 2,"
                                + " last flush " + AGO + ", lag \\d+\\.\\d s( as of " + AGO + ")?$"));
        // a rate needs two samples: the first line has the count alone
        assertThat(Files.readString(log).lines().filter(l -> l.matches("\\d{4}-\\d\\d-\\d\\dT\\S+ events .*")))
                .first()
                .asString()
                .matches("\\S+ events \\d+, upserts .*");
    }
}
