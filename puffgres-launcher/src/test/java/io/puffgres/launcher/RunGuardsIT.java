package io.puffgres.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.puffgres.cli.ExitCode;
import io.puffgres.cli.RunFile;
import io.puffgres.emulator.EmulatorExtension;
import io.puffgres.testkit.PostgresDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What {@code puffgres run} refuses, and how it stops: a second run of a running project (in this process and in
 * another), an invalidated slot, and SIGTERM delivered twice (as {@code timeout} does) to a real run process.
 */
class RunGuardsIT {

    @RegisterExtension
    static final PostgresDatabase db = new PostgresDatabase();

    @RegisterExtension
    static final EmulatorExtension tpuf = new EmulatorExtension();

    /** Two threads: two runs started at the same moment must really start together. */
    private static final ExecutorService RUNS = Executors.newFixedThreadPool(2);

    private static final Duration JOB_START = Duration.ofSeconds(90);

    @AfterAll
    static void stopExecutor() {
        RUNS.shutdownNow();
    }

    private static int documents(String namespace) {
        return new CliProject(null, namespace, tpuf).titles().size();
    }

    private static Path runFile(CliProject p) {
        return p.dir().resolve("puffgres/state/run.json");
    }

    private static CompletableFuture<ValidateCommandTest.Result> inBackground(CliProject p, String... args) {
        return CompletableFuture.supplyAsync(() -> p.run(args), RUNS);
    }

    private static String alreadyRunning(CliProject p, RunFile running) {
        return "error: puffgres run is already running for " + p.dir() + " (pid " + running.pid() + ", Flink web UI "
                + running.restUrl() + ")";
    }

    private static final String ALREADY_RUNNING_HINT =
            "hint: puffgres status shows it; puffgres stop stops it with a savepoint";

    @Test
    void aSecondRunIsRefusedWhileTheFirstRunsInThisProcessAndAStaleRunFileDoesNotBlock() throws Exception {
        CliProject p = CliProject.create(db, tpuf, "guard_here");
        db.execute(
                "INSERT INTO guard_here VALUES (1, 'one'), (2, 'two')",
                // a snapshot reader slot an interrupted run left behind: run notes it
                "SELECT pg_create_logical_replication_slot('guard_here_0', 'pgoutput')");
        // a run killed with kill -9 leaves its run file (and the lock file) behind
        Process dead = new ProcessBuilder("true").start();
        dead.waitFor();
        new RunFile(
                        dead.pid(),
                        "0",
                        "http://localhost:1",
                        "guard_here",
                        Instant.now().toString(),
                        RunFile.EMBEDDED)
                .write(runFile(p));
        Files.writeString(p.dir().resolve("puffgres/state/run.lock"), String.valueOf(dead.pid()));

        CompletableFuture<ValidateCommandTest.Result> first =
                inBackground(p, "run", "--create-slot", "--strict", "--web-ui-port", "0");
        await().atMost(JOB_START)
                .untilAsserted(() -> assertThat(documents("guard_here")).isEqualTo(2));
        RunFile running = RunFile.live(runFile(p)).orElseThrow();
        assertThat(running.pid()).isEqualTo(ProcessHandle.current().pid());
        // doctor sees the slot in use by this project's own run (once the stream reads it): no finding
        await().atMost(JOB_START)
                .until(() -> db.query("SELECT 1 FROM pg_replication_slots WHERE slot_name = 'guard_here' AND active")
                                .size()
                        == 1);
        ValidateCommandTest.Result doctor = p.run("doctor");
        assertThat(doctor.out())
                .contains("ok   slot: \"guard_here\" is in use by this project's run, pid " + running.pid());
        assertThat(doctor.out()).doesNotContain("FAIL slot");
        // Flink CDC reads no snapshot any more, so nothing reads (or drops) the leftover reader slot: it stays
        assertThat(db.query("SELECT 1 FROM pg_replication_slots WHERE slot_name = 'guard_here_0'"))
                .hasSize(1);
        String written = Files.readString(runFile(p));

        ValidateCommandTest.Result second = p.run("run", "--web-ui-port", "0");
        assertThat(second.exitCode()).isEqualTo(ExitCode.RUNTIME);
        assertThat(second.out()).isEmpty();
        assertThat(second.err().lines()).containsExactly(alreadyRunning(p, running), ALREADY_RUNNING_HINT);
        ValidateCommandTest.Result detached = p.run("run", "--detach", "--web-ui-port", "0");
        assertThat(detached.exitCode()).isEqualTo(ExitCode.RUNTIME);
        assertThat(detached.err().lines()).containsExactly(alreadyRunning(p, running), ALREADY_RUNNING_HINT);
        assertThat(p.dir().resolve("puffgres/state/run.log"))
                .as("no background run spawned")
                .doesNotExist();
        assertThat(Files.readString(runFile(p))).isEqualTo(written);

        // the first run goes on mirroring, until --strict ends it
        db.execute("INSERT INTO guard_here VALUES (3, 'three')");
        await().atMost(JOB_START)
                .untilAsserted(() -> assertThat(documents("guard_here")).isEqualTo(3));
        db.execute("INSERT INTO guard_here VALUES (4, 'boom')");
        ValidateCommandTest.Result ended = first.get(90, TimeUnit.SECONDS);
        assertThat(ended.err()).contains("error: the job stopped: --strict: stopped at a change");
        assertThat(ended.out())
                .containsPattern("note: \"guard_here_0\" holds \\d+(\\.\\d)? (B|KiB|MiB) of WAL and nothing reads it:"
                        + " named like a snapshot reader slot of \"guard_here\", which a run that ends mid-snapshot"
                        + " \\(kill -9, a crash\\) leaves behind; unless another job reads it: SELECT"
                        + " pg_drop_replication_slot\\('guard_here_0'\\); \\(a snapshot creates it again when it needs"
                        + " one\\)\n");
        // the lock ended with the run: the next one gets past it (to the missing slot it is pointed at)
        ValidateCommandTest.Result next = p.run("run", "--slot", "guard_here_missing", "--web-ui-port", "-1");
        assertThat(next.exitCode()).isEqualTo(ExitCode.PREFLIGHT);
        assertThat(next.err()).startsWith("error: slot: \"guard_here_missing\" does not exist");
    }

    @Test
    void ofTwoRunsStartedAtOnceInTwoProcessesOneRunsAndTheOtherIsRefused() throws Exception {
        CliProject p = CliProject.create(db, tpuf, "guard_race");
        db.execute("INSERT INTO guard_race VALUES (1, 'one'), (2, 'two')");
        CompletableFuture<ValidateCommandTest.Result> a =
                inBackground(p, "run", "--create-slot", "--detach", "--web-ui-port", "0");
        CompletableFuture<ValidateCommandTest.Result> b =
                inBackground(p, "run", "--create-slot", "--detach", "--web-ui-port", "0");
        List<ValidateCommandTest.Result> both = List.of(a.get(4, TimeUnit.MINUTES), b.get(4, TimeUnit.MINUTES));
        try {
            assertThat(both)
                    .as(both.toString())
                    .extracting(ValidateCommandTest.Result::exitCode)
                    .containsExactlyInAnyOrder(ExitCode.OK, ExitCode.RUNTIME);
            ValidateCommandTest.Result won = both.get(0).exitCode() == ExitCode.OK ? both.get(0) : both.get(1);
            ValidateCommandTest.Result lost = both.get(0).exitCode() == ExitCode.OK ? both.get(1) : both.get(0);
            RunFile running = RunFile.live(runFile(p)).orElseThrow();
            assertThat(won.out()).contains("running in the background, pid " + running.pid());
            // the loser's background process found the winner's lock: still starting (its pid not written yet, or
            // written), or already running
            String dir = Pattern.quote(p.dir().toString());
            assertThat(lost.err().lines().findFirst().orElseThrow())
                    .matches("error: the background run stopped: puffgres run is already (starting for " + dir
                            + "( \\(pid " + running.pid() + "\\))?|running for " + dir + " \\(pid " + running.pid()
                            + "(, Flink web UI http://127.0.0.1:\\d+)?\\))");
            await().atMost(JOB_START)
                    .untilAsserted(() -> assertThat(documents("guard_race")).isEqualTo(2));

            // another process holds the lock: refused here, and --detach refuses before it spawns anything
            ValidateCommandTest.Result here = p.run("run", "--web-ui-port", "0");
            assertThat(here.exitCode()).isEqualTo(ExitCode.RUNTIME);
            assertThat(here.err().lines()).containsExactly(alreadyRunning(p, running), ALREADY_RUNNING_HINT);
            ValidateCommandTest.Result detached = p.run("run", "--detach", "--web-ui-port", "0");
            assertThat(detached.err().lines()).containsExactly(alreadyRunning(p, running), ALREADY_RUNNING_HINT);
            assertThat(RunFile.live(runFile(p))).contains(running);
        } finally {
            ValidateCommandTest.Result stopped = p.run("stop");
            assertThat(stopped.exitCode()).as(stopped.err()).isEqualTo(ExitCode.OK);
        }
        assertThat(runFile(p)).doesNotExist();
    }

    @Test
    void sigtermTwiceIsOneStopWithASavepoint() throws Exception {
        CliProject p = CliProject.create(db, tpuf, "guard_term");
        db.execute("INSERT INTO guard_term VALUES (1, 'one'), (2, 'two')");
        Path output = p.dir().resolve("run.out");
        Process run = new ProcessBuilder(Main.javaCommand(
                        List.of("run", "--project", p.dir().toString(), "--create-slot", "--web-ui-port", "-1")))
                .redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .start();
        try {
            await().atMost(JOB_START)
                    .untilAsserted(() -> assertThat(documents("guard_term")).isEqualTo(2));
            // as timeout(1) does: SIGTERM to the process, and again (to its process group) while it stops
            signal(run.pid(), "TERM");
            await().atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(10))
                    .until(() -> Files.readString(output).contains("stopping: flushing and taking a savepoint"));
            signal(run.pid(), "TERM");
            assertThat(run.waitFor(2, TimeUnit.MINUTES)).isTrue();
            String printed = Files.readString(output);
            assertThat(run.exitValue()).as(printed).isZero();
            assertThat(printed)
                    .contains("SIGTERM again: still stopping with a savepoint (Ctrl-C or kill -INT cancels at once)")
                    .contains("stopped with savepoint file:")
                    .doesNotContain("cancelling");
        } finally {
            run.destroyForcibly();
        }
        try (Stream<Path> savepoints = Files.list(p.dir().resolve("puffgres/state/checkpoints/savepoints"))) {
            assertThat(savepoints.filter(s -> Files.exists(s.resolve("_metadata"))))
                    .hasSize(1);
        }
    }

    @Test
    void anInvalidatedSlotIsRefusedBeforeAnythingStarts() throws Exception {
        CliProject p = CliProject.create(db, tpuf, "guard_lost");
        db.execute("SELECT pg_create_logical_replication_slot('guard_lost', 'pgoutput')");
        invalidate("guard_lost");

        ValidateCommandTest.Result r = p.run("run", "--web-ui-port", "-1");
        assertThat(r.exitCode()).isEqualTo(ExitCode.PREFLIGHT);
        String fix = "SELECT pg_drop_replication_slot('guard_lost'); then delete "
                + p.dir().resolve("puffgres/state/checkpoints") + " and run puffgres run --create-slot (a fresh"
                + " snapshot)";
        String lost = "slot: \"guard_lost\" is invalidated: Postgres removed WAL it still needed (wal_status lost)";
        assertThat(r.err().lines()).containsExactly("error: " + lost, "hint: " + fix + " (nothing was changed)");
        assertThat(db.query("SELECT 1 FROM pg_publication WHERE pubname = 'guard_lost'"))
                .as("the job was never prepared")
                .isEmpty();
        assertThat(runFile(p)).doesNotExist();

        ValidateCommandTest.Result detached = p.run("run", "--detach", "--web-ui-port", "-1");
        assertThat(detached.exitCode()).isEqualTo(ExitCode.PREFLIGHT);
        assertThat(detached.err().lines())
                .containsExactly(
                        "error: the background run stopped: " + lost,
                        "hint: " + fix + " (nothing was changed) (log: "
                                + p.dir().resolve("puffgres/state/run.log") + ")");
    }

    /**
     * Makes {@code slot} invalidated for real: with {@code max_slot_wal_keep_size} at 1 MB, Postgres drops the WAL
     * the slot needs at the next checkpoints. The setting is restored after, since the cluster is the test JVM's.
     */
    private static void invalidate(String slot) {
        db.execute("ALTER SYSTEM SET max_slot_wal_keep_size = '1MB'", "SELECT pg_reload_conf()");
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                db.execute(
                        "SELECT pg_logical_emit_message(false, 'puffgres-test', repeat('x', 1000))",
                        "SELECT pg_switch_wal()",
                        "CHECKPOINT");
                return db.query("SELECT wal_status FROM pg_replication_slots WHERE slot_name = '" + slot + "'")
                        .get(0)
                        .get("wal_status")
                        .equals("lost");
            });
        } finally {
            db.execute("ALTER SYSTEM RESET max_slot_wal_keep_size", "SELECT pg_reload_conf()");
        }
    }

    /** Sends {@code signal} (a name: TERM, KILL …) to process {@code pid}, as kill(1) does. */
    static void signal(long pid, String signal) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + signal, String.valueOf(pid)).start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(kill.exitValue()).isZero();
    }
}
