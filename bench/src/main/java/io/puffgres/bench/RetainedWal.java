package io.puffgres.bench;

import io.puffgres.job.JobRunner;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The WAL the job's replication slot keeps while the table is loaded beside a steady workload of UPDATEs of the same
 * table (so the stream has changes to confirm): once a second, {@code pg_current_wal_lsn()} minus the slot's {@code
 * confirmed_flush_lsn} and minus its {@code restart_lsn} (what Postgres may not recycle), from the job's start until the
 * load is done (the fill: the ledger says done; Flink CDC's snapshot: the namespace holds every row). Prints the
 * largest and the median sample beside the WAL Postgres wrote over the same time.
 */
final class RetainedWal {

    /** The workload's pace: a batch of updates every 10 ms. */
    private static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private final FillBench.Bench bench;
    private final int updatesPerSecond;

    RetainedWal(FillBench.Bench bench, int updatesPerSecond) {
        this.bench = bench;
        this.updatesPerSecond = updatesPerSecond;
    }

    /** Loads the table into namespace {@code name} by {@code load} beside the workload, sampling the slot. */
    void during(FillBench.Load load, String name) throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong updated = new AtomicLong();
        Thread workload = new Thread(() -> update(stop, updated), "update workload");
        List<Long> confirmed = new ArrayList<>();
        List<Long> restart = new ArrayList<>();
        try (Connection c = bench.pg().connect(bench.db());
                PreparedStatement sample = c.prepareStatement(
                        "SELECT (pg_current_wal_lsn() - confirmed_flush_lsn)::bigint,"
                                + " (pg_current_wal_lsn() - restart_lsn)::bigint FROM pg_replication_slots WHERE slot_name = ?")) {
            sample.setString(1, name);
            long wal0 = walPosition(c);
            long t0 = System.nanoTime();
            workload.start();
            JobRunner.Started job = bench.start(load, name);
            double seconds;
            long written;
            try {
                long next = System.nanoTime();
                long deadline = t0 + FillBench.LIMIT.toNanos();
                while (!loaded(load, name)) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("the load of " + name + " did not end in "
                                + FillBench.LIMIT.toMinutes() + " minutes (the job's log is above)");
                    }
                    if (System.nanoTime() >= next) {
                        sample(sample, confirmed, restart);
                        next += TimeUnit.SECONDS.toNanos(1);
                    }
                    Thread.sleep(50); // a benchmark, not a test: poll
                }
                seconds = (System.nanoTime() - t0) / 1e9;
                written = walPosition(c) - wal0;
            } finally {
                stop.set(true);
                workload.join();
                bench.stop(job, name);
            }
            System.out.printf(
                    "retained WAL while %s loads %,d rows beside %,.0f row updates/s of the same table: %.0f s, %d"
                            + " samples; behind confirmed_flush_lsn max %s, median %s; behind restart_lsn max %s,"
                            + " median %s; WAL written over that time %s (the updates, full-page images, the job's own"
                            + " writes)%n",
                    load == FillBench.Load.FILL ? "puffgres's fill" : "Flink CDC's snapshot",
                    bench.rows(),
                    updated.get() / seconds,
                    seconds,
                    confirmed.size(),
                    mb(max(confirmed)),
                    mb(median(confirmed)),
                    mb(max(restart)),
                    mb(median(restart)),
                    mb(written));
        }
    }

    private boolean loaded(FillBench.Load load, String name) throws Exception {
        return load == FillBench.Load.FILL ? bench.fillDone(name) : bench.documents(name) >= bench.rows();
    }

    /** One sample of the slot; none while it has no position yet. */
    private static void sample(PreparedStatement sample, List<Long> confirmed, List<Long> restart) throws SQLException {
        try (ResultSet rs = sample.executeQuery()) {
            if (rs.next()) {
                long behindConfirmed = rs.getLong(1);
                if (!rs.wasNull()) {
                    confirmed.add(behindConfirmed);
                    restart.add(rs.getLong(2));
                }
            }
        }
    }

    /** Updates {@code updatesPerSecond} random rows a second (a batch of neighbours every 10 ms) until stopped. */
    private void update(AtomicBoolean stop, AtomicLong updated) {
        int batch = Math.max(1, updatesPerSecond / 100);
        try (Connection c = bench.pg().connect(bench.db());
                Statement s = c.createStatement()) {
            long tick = System.nanoTime();
            while (!stop.get()) {
                long from = 1 + ThreadLocalRandom.current().nextLong(bench.rows() - batch + 1);
                updated.addAndGet(s.executeUpdate("UPDATE items SET n = n + 1, updated_at = now() WHERE id BETWEEN "
                        + from + " AND " + (from + batch - 1)));
                tick += TICK_NANOS;
                long wait = tick - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
            }
        } catch (SQLException | InterruptedException e) {
            throw new IllegalStateException("the update workload failed: " + e.getMessage(), e);
        }
    }

    private static long walPosition(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT (pg_current_wal_lsn() - '0/0')::bigint")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static long max(List<Long> samples) {
        return samples.stream().mapToLong(Long::longValue).max().orElse(0);
    }

    private static long median(List<Long> samples) {
        return samples.isEmpty() ? 0 : samples.stream().sorted().toList().get(samples.size() / 2);
    }

    private static String mb(long bytes) {
        return String.format("%.1f MB", bytes / 1e6);
    }
}
