package io.puffgres.bench;

import io.puffgres.client.ErrorPolicy;
import io.puffgres.client.TurbopufferClient;
import io.puffgres.event.RelationId;
import io.puffgres.job.JobRunner;
import io.puffgres.migration.ProjectLoader;
import io.puffgres.poll.PollSettings;
import io.puffgres.poll.PollSource;
import io.puffgres.poll.Wal2JsonDecoder;
import io.puffgres.stream.JobSpec;
import io.puffgres.testkit.PostgresCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Poll mode against its ceiling, on the same WAL, in {@code ROUNDS} rounds (default 4) in one JVM: each round writes
 * {@code ROWS} (default 300k) inserts of ~260 bytes (as {@link JobBench}), 1,000 a transaction, while fresh wal2json
 * slots hold the WAL; then
 * (1) {@code pg_logical_slot_get_changes} with the poll source's own options, read by one JDBC client that only counts
 * the rows (the ceiling: Postgres decoding and sending, nothing else), (2) the poll source alone into a discarding
 * sink, (3) the whole job in poll mode (identity transform, into the emulator in a JVM of its own), and (4) the ceiling
 * again (this machine's speed drifts). Prints the rates and the ratios of (2) and (3) to the mean of (1) and (4), and
 * the median ratios of the rounds after the first (JIT warm-up). Goal: the poll source ≥ 0.6 of the ceiling.
 * Run: bench/run PollBench [ROWS] [ROUNDS]
 */
public final class PollBench {

    private static final int TRANSACTION_ROWS = 1000;

    public static void main(String[] args) throws Exception {
        int rows = args.length > 0 ? Integer.parseInt(args[0]) : 300_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 4;
        PostgresCluster pg = PostgresCluster.shared();
        String db = pg.createDatabase("pollbench");
        Process emulator = JobBench.startEmulator();
        List<Double> sourceRatios = new ArrayList<>();
        List<Double> jobRatios = new ArrayList<>();
        try (Connection c = pg.connect(db);
                Statement s = c.createStatement();
                TurbopufferClient client = new TurbopufferClient(
                        JobBench.emulatorUrl, Optional.empty(), ErrorPolicy.defaults(), Duration.ofSeconds(30))) {
            s.execute("CREATE TABLE items (id bigint PRIMARY KEY, title text, body text, status text, n int,"
                    + " score float8, updated_at timestamptz)");
            s.execute("CREATE PUBLICATION bench_pub FOR TABLE items");
            JobRunner.Started job = null;
            for (int round = 1; round <= rounds; round++) {
                if (job != null) {
                    job.client().cancel().get(60, TimeUnit.SECONDS);
                }
                for (String slot : List.of("ceil_", "ceil_after_", "source_", "job_")) {
                    s.execute("SELECT pg_create_logical_replication_slot('" + slot + round + "', 'wal2json')");
                }
                String from = JobBench.slotLsn(s, "job_" + round);
                long first = (long) (round - 1) * rows + 1;
                long last = (long) round * rows;
                // transactions of 1,000 rows: a poll ends only at a transaction's end, so one transaction of every row
                // would be one poll, decoded whole before its first row reaches the source
                for (long tx = first; tx <= last; tx += TRANSACTION_ROWS) {
                    s.execute("INSERT INTO items SELECT g, 'title ' || g, repeat(md5(g::text), 5), 'published',"
                            + " g % 1000, g / 7.0, now() FROM generate_series(" + tx + ", "
                            + Math.min(last, tx + TRANSACTION_ROWS - 1) + ") g");
                }

                double ceiling = ceiling(c, "ceil_" + round, rows);
                double source = sourceOnly(pg, db, "source_" + round, rows);
                Path project = JobBench.project(pg, db, "job_" + round, "items");
                Files.writeString(
                        project.resolve("puffgres.toml"),
                        Files.readString(project.resolve("puffgres.toml")) + "[source]\nmode = \"poll\"\n");
                job = JobRunner.start(
                        ProjectLoader.load(project, Map.of()),
                        new JobRunner.Options(Optional.empty(), false, Optional.of(from), false, "wal2json", -1));
                double endToEnd = JobBench.endToEnd(client, first, last);
                double ceilingAfter = ceiling(c, "ceil_after_" + round, rows);
                double mean = (ceiling + ceilingAfter) / 2;
                sourceRatios.add(source / mean);
                jobRatios.add(endToEnd / mean);
                System.out.printf(
                        "round %d%s: pg_logical_slot_get_changes (wal2json, the poll's options) %,.0f rows/s before"
                                + " and %,.0f after; poll source only %,.0f events/s (ratio %.2f); puffgres in poll"
                                + " mode end to end (identity, into the emulator) %,.0f events/s (ratio %.2f)%n",
                        round,
                        round == 1 && rounds > 1 ? " (JIT warm-up)" : "",
                        ceiling,
                        ceilingAfter,
                        source,
                        source / mean,
                        endToEnd,
                        endToEnd / mean);
            }
            System.out.printf(
                    "median of the warm rounds: poll source / ceiling %.2f (goal >= 0.6); end to end / ceiling %.2f%n",
                    median(sourceRatios), median(jobRatios));
            job.client().cancel().get(60, TimeUnit.SECONDS);
        } finally {
            emulator.destroy();
            pg.dropDatabase(db);
        }
        System.exit(0);
    }

    /** Rows/s of {@code pg_logical_slot_get_changes} on {@code slot}, read and counted by one JDBC client. */
    private static double ceiling(Connection c, String slot, int rows) throws Exception {
        c.setAutoCommit(false);
        long t0 = System.nanoTime();
        long changes = 0;
        try (PreparedStatement ps =
                c.prepareStatement("SELECT data FROM pg_logical_slot_get_changes(?, NULL, NULL, VARIADIC ?)")) {
            ps.setString(1, slot);
            ps.setArray(
                    2,
                    c.createArrayOf(
                            "text",
                            Wal2JsonDecoder.options(List.of(new RelationId("public", "items")))
                                    .toArray()));
            ps.setFetchSize(1000);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (rs.getString(1).startsWith("{\"action\":\"I\"")) {
                        changes++;
                    }
                }
            }
        }
        c.commit();
        c.setAutoCommit(true);
        if (changes != rows) {
            throw new IllegalStateException("the ceiling read " + changes + " inserts, not " + rows);
        }
        return rows / ((System.nanoTime() - t0) / 1e9);
    }

    /**
     * The poll source alone into a sink that only counts: events/s from the first event to the last (which leaves out
     * the decoding of the first poll, 10,000 of the round's changes).
     */
    private static double sourceOnly(PostgresCluster pg, String db, String slot, int rows) throws Exception {
        JobBench.SEEN.set(0);
        JobBench.FIRST.set(0);
        JobBench.LAST.set(0);
        Path dir = JobBench.project(pg, db, slot, "unused");
        JobSpec spec = new JobSpec(dir.toString(), 0, slot, Map.of(), false);
        PollSettings settings =
                new PollSettings(slot, List.of(new RelationId("public", "items")), 200, 5000, 10_000, "bench");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(1);
        env.enableCheckpointing(10_000);
        env.fromSource(new PollSource(spec, settings), WatermarkStrategy.noWatermarks(), "postgres poll")
                .sinkTo(new JobBench.Count());
        JobClient job = env.executeAsync("poll source only");
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
        while (JobBench.SEEN.get() < rows && System.nanoTime() < deadline) {
            Thread.sleep(20); // a benchmark, not a test: poll the counter
        }
        job.cancel().get(60, TimeUnit.SECONDS);
        return JobBench.rate(JobBench.SEEN.get(), JobBench.FIRST.get(), JobBench.LAST.get());
    }

    private static double median(List<Double> ratios) {
        List<Double> warm = ratios.size() > 1 ? ratios.subList(1, ratios.size()) : ratios;
        List<Double> sorted = warm.stream().sorted().toList();
        return (sorted.get((sorted.size() - 1) / 2) + sorted.get(sorted.size() / 2)) / 2;
    }
}
