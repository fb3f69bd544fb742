package io.puffgres.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.puffgres.cli.ExitCode;
import io.puffgres.client.ErrorPolicy;
import io.puffgres.client.Query;
import io.puffgres.client.TurbopufferClient;
import io.puffgres.client.TurbopufferException;
import io.puffgres.emulator.EmulatorExtension;
import io.puffgres.emulator.Faults.Fault;
import io.puffgres.testkit.PostgresDatabase;
import io.puffgres.testkit.ProjectFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Poll mode ({@code [source] mode = "poll"}) in real {@code puffgres run} processes: a run killed with {@code kill -9}
 * after its polls read changes but before any checkpoint took them loses nothing, because the job's slot has not moved;
 * and a 200,000-row UPDATE, one transaction, passes through a run whose heap is far smaller than the transaction.
 */
class PollModeIT {

    @RegisterExtension
    static final PostgresDatabase db = new PostgresDatabase();

    @RegisterExtension
    static final EmulatorExtension tpuf = new EmulatorExtension();

    private static final Duration WAIT = Duration.ofMinutes(3);

    @Test
    void aRunKilledBetweenItsPollsAndTheirCheckpointLosesNothing() throws Exception {
        String name = "pollkill";
        CliProject p = project(name, "");
        Path output = p.dir().resolve("run.out");
        // no checkpoint in this run's life: whatever it polls, none of it is acknowledged to the slot
        Process run = start(
                p, List.of("run", "--create-slot"), Map.of("PUFFGRES_FLINK_CHECKPOINT_INTERVAL_MS", "3600000"), output);
        try {
            await().atMost(WAIT).until(() -> confirmed(name + "_poll") != null);
            long startedAt = confirmed(name);

            AtomicInteger done = new AtomicInteger();
            CliProject.randomChanges(db, name, 300, 100, 1, done);
            await().atMost(WAIT).untilAsserted(() -> assertThat(p.titles()).isEqualTo(rows(name)));

            // every write fails from now on: the next changes are polled and never acknowledged by turbopuffer
            tpuf.emulator().faults().rate(Fault.status(503), 1.0);
            CliProject.randomChanges(db, name, 300, 100, 2, new AtomicInteger());
            long written = currentLsn();
            await().atMost(WAIT).until(() -> Long.compareUnsigned(confirmed(name + "_poll"), written) >= 0);
            assertThat(confirmed(name))
                    .as("the job's slot where the run started, though its copy read everything")
                    .isEqualTo(startedAt);

            RunGuardsIT.signal(run.pid(), "KILL");
            assertThat(run.waitFor(1, TimeUnit.MINUTES)).isTrue();
            assertThat(confirmed(name)).isEqualTo(startedAt);
        } finally {
            run.destroyForcibly();
            tpuf.emulator().faults().clear();
        }
        assertThat(p.titles()).as("the changes whose writes failed").isNotEqualTo(rows(name));

        AtomicInteger more = new AtomicInteger();
        CliProject.randomChanges(db, name, 300, 100, 3, more); // while no run is up
        long end = currentLsn();
        ValidateCommandTest.Result resumed = p.run("run", "--detach", "--web-ui-port", "0");
        assertThat(resumed.exitCode()).as(resumed.err()).isEqualTo(ExitCode.OK);
        try {
            await().atMost(WAIT).untilAsserted(() -> assertThat(p.titles()).isEqualTo(rows(name)));
            await().atMost(WAIT).until(() -> Long.compareUnsigned(confirmed(name), end) >= 0);
            // the poll figures, read from the running job's REST API
            await().atMost(WAIT)
                    .untilAsserted(() -> assertThat(p.run("status").out())
                            .containsPattern("slot " + name + ": polled through " + name + "_poll, ")
                            .containsPattern(
                                    "source: poll \\(wal2json over SQL\\), last poll .+ ago \\(\\d+ changes\\).*"
                                            + " \\d+ polls \\(\\d+ empty\\)"));
        } finally {
            assertThat(p.run("stop").exitCode()).isEqualTo(ExitCode.OK);
        }
        assertThat(confirmed(name + "_poll"))
                .as("the reading slot, dropped at the stop")
                .isNull();
    }

    @Test
    void aTwoHundredThousandRowTransactionPassesThroughASmallHeap() throws Exception {
        String name = "pollbig";
        int rows = 200_000;
        db.execute(
                "CREATE TABLE " + name + " (id bigint PRIMARY KEY, title text)",
                "INSERT INTO " + name + " SELECT g, 'seed ' || g FROM generate_series(1, " + rows + ") g",
                // made by hand after the rows: the run follows changes from here and fills nothing
                "CREATE PUBLICATION " + name + " FOR TABLE " + name,
                "SELECT pg_create_logical_replication_slot('" + name + "', 'wal2json')");
        CliProject p = project(name, "");
        Path output = p.dir().resolve("run.out");
        // ≈ 1.3 kB of wal2json text per row: the transaction's 200,000 rows are ≈ 260 MB of text alone
        List<String> heap = List.of("-Xmx256m", "-XX:+ExitOnOutOfMemoryError");
        Process run = start(p, List.of("run"), Map.of(), output, heap);
        try {
            await().atMost(WAIT).until(() -> confirmed(name + "_poll") != null);
            db.execute("UPDATE " + name + " SET title = repeat(md5(id::text), 40)");
            await().atMost(Duration.ofMinutes(6))
                    .pollInterval(Duration.ofSeconds(2))
                    .untilAsserted(() -> {
                        assertThat(run.isAlive()).as(Files.readString(output)).isTrue();
                        assertThat(count(name)).isEqualTo(rows);
                    });
            Map<Long, String> titles = p.titles();
            assertThat(titles).hasSize(rows);
            assertThat(titles.get(1L)).isEqualTo("c4ca4238a0b923820dcc509a6f75849b".repeat(40));
            assertThat(titles.values()).allMatch(t -> t.length() == 1280);
            assertThat(run.isAlive()).as(Files.readString(output)).isTrue();
        } finally {
            run.destroyForcibly();
            run.waitFor(1, TimeUnit.MINUTES);
        }
    }

    @Test
    void aSecondProjectIsRefusedTheSlotAnotherProjectPolls() throws Exception {
        CliProject first = project("pollshare", "");
        Process run = start(
                first, List.of("run", "--create-slot"), Map.of(), first.dir().resolve("run.out"));
        try {
            await().atMost(WAIT).until(() -> confirmed("pollshare_poll") != null);
            // another project (its own state schema, table and namespace) pointed at the same slot
            CliProject second = project("pollshare2", "");
            ValidateCommandTest.Result refused = second.run("run", "--slot", "pollshare", "--web-ui-port", "-1");
            assertThat(refused.exitCode()).as(refused.out() + refused.err()).isEqualTo(ExitCode.PREFLIGHT);
            assertThat(refused.out() + refused.err())
                    .contains("error: poll lease: slot pollshare is polled by another puffgres run (")
                    .contains("state schema pollshare, renewed ")
                    .contains("hint: stop the other run (puffgres stop in its project), or give this project its own"
                            + " slot: --slot NAME");
            // the first run polls on
            db.execute("INSERT INTO pollshare VALUES (1, 'still polled')");
            await().atMost(WAIT).untilAsserted(() -> assertThat(first.titles()).containsEntry(1L, "still polled"));
            assertThat(run.isAlive()).isTrue();
        } finally {
            RunGuardsIT.signal(run.pid(), "TERM");
            if (!run.waitFor(1, TimeUnit.MINUTES)) {
                run.destroyForcibly();
            }
        }
        // stopped, it gave the lease up: the other project may poll the slot at once (no 10 s wait)
        assertThat(db.query("SELECT 1 FROM pollshare.poll_leases")).isEmpty();
    }

    /** Table {@code name (id, title)} mirrored as it is, polled every 20 ms; applied. */
    private static CliProject project(String name, String settings) throws Exception {
        db.execute("CREATE TABLE IF NOT EXISTS " + name + " (id bigint PRIMARY KEY, title text)");
        return CliProject.withFiles(
                db,
                tpuf,
                name,
                settings + "[source]\nmode = \"poll\"\npoll_interval_ms = 20\n",
                Map.of(
                        "puffgres/migrations/0001_" + name + ".toml",
                        ProjectFiles.migration(
                                1,
                                name,
                                name,
                                name,
                                "\"id\", \"title\"",
                                "batch_max_rows = 1000\nflush_interval_ms = 50")));
    }

    private static Process start(CliProject p, List<String> args, Map<String, String> env, Path output)
            throws Exception {
        return start(p, args, env, output, List.of());
    }

    private static Process start(
            CliProject p, List<String> args, Map<String, String> env, Path output, List<String> jvmOptions)
            throws Exception {
        List<String> all = new ArrayList<>(args);
        all.addAll(List.of("--project", p.dir().toString(), "--web-ui-port", "-1"));
        List<String> command = new ArrayList<>(Main.javaCommand(all));
        command.addAll(command.indexOf("-cp"), jvmOptions); // after the test JVM's own options, so these win
        ProcessBuilder builder =
                new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
        builder.environment().putAll(env);
        return builder.start();
    }

    /** A slot's confirmed position, null when there is no such slot. */
    private static Long confirmed(String slot) {
        List<Map<String, Object>> found = db.query("SELECT (confirmed_flush_lsn - '0/0')::bigint AS lsn FROM"
                + " pg_replication_slots WHERE slot_name = '" + slot + "'");
        // a slot being copied has no position for a moment
        return found.isEmpty() || found.get(0).get("lsn") == null
                ? null
                : ((Number) found.get(0).get("lsn")).longValue();
    }

    private static long currentLsn() {
        return ((Number) db.query("SELECT (pg_current_wal_lsn() - '0/0')::bigint AS lsn")
                        .get(0)
                        .get("lsn"))
                .longValue();
    }

    private static Map<Long, String> rows(String table) {
        Map<Long, String> rows = new TreeMap<>();
        db.query("SELECT id, title FROM " + table)
                .forEach(r -> rows.put(((Number) r.get("id")).longValue(), (String) r.get("title")));
        return rows;
    }

    /** Documents in namespace {@code name}; 0 before the first write. */
    private static long count(String name) {
        try (TurbopufferClient client = new TurbopufferClient(
                tpuf.baseUrl(), Optional.empty(), ErrorPolicy.defaults(), Duration.ofSeconds(60))) {
            Object n = client.query(name, Query.builder().count("n").build())
                    .aggregations()
                    .get("n");
            return ((Number) n).longValue();
        } catch (TurbopufferException e) {
            if (e.status() == 404) {
                return 0;
            }
            throw e;
        }
    }
}
