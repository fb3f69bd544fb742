package io.puffgres.bench;

import io.puffgres.client.ErrorPolicy;
import io.puffgres.client.TurbopufferClient;
import io.puffgres.client.TurbopufferException;
import io.puffgres.fill.Chunk;
import io.puffgres.fill.ChunkPlanner;
import io.puffgres.fill.FillLedger;
import io.puffgres.fill.FillTable;
import io.puffgres.job.JobRunner;
import io.puffgres.migration.ProjectLoader;
import io.puffgres.testkit.PostgresCluster;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The initial load end to end, in one run on the same {@code ROWS} rows (default 1,000,000 of ≈ 260 bytes, the shape of
 * {@code JobBench} and {@code FillReadBench}): {@code COPY (SELECT …) TO STDOUT} of the rows (the ceiling), the fill
 * reader alone ({@link FillReadBench#read}, one connection), puffgres's fill (the job as {@code run --create-slot} starts
 * it: a new slot, the ledger records an {@code initial} fill of the mapping) into the emulator until the namespace holds
 * every row and the ledger says done, and Flink CDC's initial snapshot (the job as it was before fills, {@link
 * JobRunner#startWithFlinkCdcSnapshot}) into the emulator until the namespace holds every row. Both jobs run the same
 * pipeline at the default parallelism 1, with the identity transform and default {@code [write]} settings; the
 * emulator runs in a JVM of its own on the same cores. Each round (a warm-up, then {@code ROUNDS}, default 2) measures
 * all four, the two jobs in alternating order, since this machine's speed drifts; then {@link RetainedWal} samples the
 * slot's retained WAL during a fill and during Flink CDC's snapshot beside a steady update workload.
 *
 * <p>Rates count from the job's start (slot creation and the MiniCluster's start included, as a user waits for them)
 * to the last row in the namespace. Prints rows/s, the ratio fill / Flink CDC snapshot (goal ≥ 2) and reader / COPY
 * (goal ≥ 0.5), and each job's CPU per row by thread, as {@code JobBench} does.
 *
 * <p>{@code bench/run FillBench [ROWS] [ROUNDS] [UPDATES_PER_SECOND]} (the last for the retained-WAL runs, default
 * 2,000; 0 skips them)
 */
public final class FillBench {

    /** Longer than any load of a million rows took here (the slowest, Flink CDC's snapshot beside updates: 516 s). */
    static final Duration LIMIT = Duration.ofMinutes(15);

    /** The project's state schema ({@code [state] schema}'s default), where the fills ledger lives. */
    private static final String STATE_SCHEMA = "puffgres";

    public static void main(String[] args) throws Exception {
        int rows = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        int updatesPerSecond = args.length > 2 ? Integer.parseInt(args[2]) : 2_000;
        System.out.printf(
                "FillBench: %,d rows, %d round(s) after a warm-up, %d cores (shared with other work)%n",
                rows, rounds, Runtime.getRuntime().availableProcessors());
        PostgresCluster pg = PostgresCluster.shared();
        String db = pg.createDatabase("fillbench");
        Process emulator = JobBench.startEmulator();
        try (TurbopufferClient client = new TurbopufferClient(
                JobBench.emulatorUrl, Optional.empty(), ErrorPolicy.defaults(), Duration.ofSeconds(30))) {
            FillReadBench.createItems(pg, db, rows);
            FillTable table = FillReadBench.itemsTable(pg, db);
            List<Chunk> chunks;
            try (Connection c = pg.connect(db)) {
                chunks = new ChunkPlanner(table, FillReadBench.CHUNK_ROWS).all(c);
            }
            Bench bench = new Bench(pg, db, client, emulator, rows);
            double[] copies = new double[rounds];
            double[] readers = new double[rounds];
            double[] fills = new double[rounds];
            double[] snapshots = new double[rounds];
            for (int round = 0; round <= rounds; round++) {
                double copy = FillReadBench.copy(pg, db, FillReadBench.copySql(table), rows);
                double reader = FillReadBench.read(pg, db, table, chunks, 1, rows);
                Run fill;
                Run snapshot;
                if (round % 2 == 0) {
                    fill = bench.load(Load.FILL, "fill_" + round);
                    snapshot = bench.load(Load.FLINK_CDC_SNAPSHOT, "cdc_" + round);
                } else {
                    snapshot = bench.load(Load.FLINK_CDC_SNAPSHOT, "cdc_" + round);
                    fill = bench.load(Load.FILL, "fill_" + round);
                }
                System.out.printf(
                        "round %s: COPY %,.0f rows/s; fill reader alone %,.0f rows/s (%.2f× COPY); end to end into"
                                + " the emulator: fill %,.0f rows/s (ledger done after %.1f s), Flink CDC snapshot"
                                + " %,.0f rows/s; fill / Flink CDC snapshot %.2f×%n",
                        round == 0 ? "warm-up" : String.valueOf(round),
                        copy,
                        reader,
                        reader / copy,
                        fill.rowsPerSecond(),
                        fill.doneSeconds(),
                        snapshot.rowsPerSecond(),
                        fill.rowsPerSecond() / snapshot.rowsPerSecond());
                System.out.println("  fill: " + fill.cpu());
                System.out.println("  Flink CDC snapshot: " + snapshot.cpu());
                if (round > 0) {
                    copies[round - 1] = copy;
                    readers[round - 1] = reader;
                    fills[round - 1] = fill.rowsPerSecond();
                    snapshots[round - 1] = snapshot.rowsPerSecond();
                }
            }
            double[] ratios = new double[rounds];
            for (int i = 0; i < rounds; i++) {
                ratios[i] = fills[i] / snapshots[i];
            }
            double fill = FillReadBench.median(fills);
            double snapshot = FillReadBench.median(snapshots);
            double copy = FillReadBench.median(copies);
            double reader = FillReadBench.median(readers);
            System.out.printf(
                    "median of %d round(s), %,d rows: fill end to end %,.0f rows/s, Flink CDC snapshot end to end"
                            + " %,.0f rows/s: %.2f× (goal ≥ 2; %.2f–%.2f× in the rounds); fill reader alone %,.0f"
                            + " rows/s, COPY %,.0f rows/s: %.2f× (goal ≥ 0.5)%n",
                    rounds,
                    rows,
                    fill,
                    snapshot,
                    fill / snapshot,
                    Arrays.stream(ratios).min().orElse(0),
                    Arrays.stream(ratios).max().orElse(0),
                    reader,
                    copy,
                    reader / copy);
            if (updatesPerSecond > 0) {
                RetainedWal wal = new RetainedWal(bench, updatesPerSecond);
                wal.during(Load.FILL, "wal_fill");
                wal.during(Load.FLINK_CDC_SNAPSHOT, "wal_cdc");
            }
        } finally {
            emulator.destroy();
            pg.dropDatabase(db);
        }
        System.exit(0);
    }

    /** How the namespace is loaded. */
    enum Load {
        /** puffgres's fill, as {@code run --create-slot} starts it. */
        FILL,
        /** Flink CDC's initial snapshot, the job as it was before fills. */
        FLINK_CDC_SNAPSHOT
    }

    /**
     * One load: rows/s from the job's start to the last row in the namespace, the seconds from the start until the
     * ledger said done (the fill only; a fill is done once a checkpoint after its last chunk completes), and the CPU per
     * row by thread.
     */
    record Run(double rowsPerSecond, double doneSeconds, String cpu) {}

    /** The database, the emulator and the table's size, shared by every load. */
    record Bench(PostgresCluster pg, String db, TurbopufferClient client, Process emulator, int rows) {

        /** Loads the table into namespace {@code name} (also the mapping's and the slot's name), then cleans up. */
        Run load(Load path, String name) throws Exception {
            Map<Long, Long> threads = JobBench.threadCpuNanos();
            double jvm = JobBench.jvmCpuSeconds();
            double emulatorCpu = JobBench.cpuSeconds(emulator);
            long t0 = System.nanoTime();
            JobRunner.Started job = start(path, name);
            try {
                until(() -> documents(name) >= rows, "the namespace " + name + " holds " + rows + " documents");
                double seconds = (System.nanoTime() - t0) / 1e9;
                double jobCpu = JobBench.jvmCpuSeconds() - jvm;
                double emulatorSpent = JobBench.cpuSeconds(emulator) - emulatorCpu;
                // cores busy on average: well under the machine's 2, the load waits on something other than CPU
                String cpu = String.format(
                                "CPU per row %.1f µs in the job's JVM + %.1f µs in the emulator's (%.2f cores on"
                                        + " average); by thread: ",
                                jobCpu / rows * 1e6, emulatorSpent / rows * 1e6, (jobCpu + emulatorSpent) / seconds)
                        + JobBench.byThread(threads, rows, jobCpu);
                double done = seconds;
                if (path == Load.FILL) {
                    until(() -> fillDone(name), "the ledger says the fill of " + name + " is done");
                    done = (System.nanoTime() - t0) / 1e9;
                }
                return new Run(rows / seconds, done, cpu);
            } finally {
                stop(job, name);
            }
        }

        /** Starts the job of a fresh project whose one mapping loads {@code items} into namespace {@code name}. */
        JobRunner.Started start(Load path, String name) throws Exception {
            var project = ProjectLoader.load(JobBench.project(pg, db, name, name), Map.of());
            JobRunner.Options options = JobRunner.Options.defaults().withCreateSlot(true);
            return path == Load.FILL
                    ? JobRunner.start(project, options)
                    : JobRunner.startWithFlinkCdcSnapshot(project, options);
        }

        /**
         * Cancels the job, drops its slot and Flink CDC's reader slots ({@code <slot>_<n>}) once their walsenders
         * have ended, so they hold no WAL, and deletes the namespace, so the emulator's heap does not grow round by
         * round.
         */
        void stop(JobRunner.Started job, String name) throws Exception {
            job.client().cancel().get(60, TimeUnit.SECONDS);
            try (Connection c = pg.connect(db);
                    PreparedStatement drop = c.prepareStatement("SELECT count(pg_drop_replication_slot(slot_name))"
                            + " FILTER (WHERE NOT active), count(*) FROM pg_replication_slots"
                            + " WHERE slot_name = ? OR slot_name ~ ('^' || ? || '_[0-9]+$')")) {
                drop.setString(1, name);
                drop.setString(2, name);
                until(
                        () -> {
                            try (ResultSet rs = drop.executeQuery()) {
                                rs.next();
                                return rs.getLong(1) == rs.getLong(2);
                            }
                        },
                        "the slots of " + name + " are dropped");
            }
            client.deleteNamespace(name);
        }

        /** Documents in the namespace (the emulator's count is exact); 0 before its first write. */
        long documents(String namespace) {
            try {
                return client.metadata(namespace).path("approx_row_count").asLong();
            } catch (TurbopufferException e) {
                return 0;
            }
        }

        boolean fillDone(String mapping) throws Exception {
            try (Connection c = pg.connect(db)) {
                return new FillLedger(STATE_SCHEMA)
                        .latest(c, mapping, 1)
                        .map(f -> f.state() == FillLedger.State.DONE)
                        .orElse(false);
            }
        }
    }

    /** A condition polled every 50 ms (a benchmark, not a test). */
    interface Check {
        boolean holds() throws Exception;
    }

    /** Polls {@code check} until it holds; fails after {@link #LIMIT}, naming what was awaited. */
    static void until(Check check, String what) throws Exception {
        long deadline = System.nanoTime() + LIMIT.toNanos();
        while (!check.holds()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("waited " + LIMIT.toMinutes() + " minutes for this in vain: " + what
                        + " (the job's log is above; PUFFGRES_LOG_LEVEL=INFO shows more)");
            }
            Thread.sleep(50);
        }
    }
}
