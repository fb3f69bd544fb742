package io.puffgres.poll;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.puffgres.event.Op;
import io.puffgres.event.RelationId;
import io.puffgres.event.RowEvent;
import io.puffgres.stream.JobSpec;
import io.puffgres.testkit.PostgresDatabase;
import io.puffgres.testkit.ProjectFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.SourceOutput;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The poll source's reader driven by hand, step by step, against a real slot: the job's slot moves only to what a
 * completed checkpoint holds (never into a transaction half emitted), and a reader restored from a checkpoint reads
 * again exactly what came after it.
 */
class PollReaderIT {

    @RegisterExtension
    static final PostgresDatabase db = new PostgresDatabase();

    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void theJobSlotMovesOnlyToWhatACompletedCheckpointHolds() throws Exception {
        JobSpec spec = table("held");
        long start = confirmed("held");
        Collected out = new Collected();
        PollReader reader = reader(spec, "held");
        long half;
        try {
            for (int t = 0; t < 3; t++) {
                db.execute("INSERT INTO held SELECT g, 't' || g FROM generate_series(" + (t * 100 + 1) + ", "
                        + (t * 100 + 100) + ") g");
            }
            reader.addSplits(List.of(new PollSplit("held", 0)));
            emitUntil(reader, out, 300);
            assertThat(out.events).extracting(RowEvent::op).containsOnly(Op.INSERT);
            assertThat(out.events).extracting(RowEvent::lsn).isSorted();
            assertThat(out.events.stream().map(RowEvent::txId).distinct()).hasSize(3);
            assertThat(confirmed("held")).as("nothing checkpointed yet").isEqualTo(start);

            long first = reader.snapshotState(1).get(0).position();
            assertThat(Long.compareUnsigned(first, out.events.get(299).lsn())).isPositive();
            assertThat(confirmed("held")).as("taken, not completed").isEqualTo(start);

            // one transaction of 5,000 rows reaches the task a batch at a time; a checkpoint between its batches
            // holds a position before its commit
            db.execute("INSERT INTO held SELECT g, 'big' FROM generate_series(1001, 6000) g");
            emitUntil(reader, out, 300 + SlotPoller.BATCH_CHANGES);
            assertThat(out.events).hasSizeLessThan(5300);
            half = reader.snapshotState(2).get(0).position();
            reader.notifyCheckpointComplete(2);
            await().atMost(WAIT).until(() -> confirmed("held") == half);
            assertThat(Long.compareUnsigned(half, first)).isGreaterThanOrEqualTo(0);
        } finally {
            reader.close(); // as if the run died here
        }
        await().atMost(WAIT).until(() -> !exists("held_poll"));

        // restored from checkpoint 2, the reader reads the whole transaction again, and nothing before it
        PollReader restored = reader(spec, "held");
        Collected again = new Collected();
        try {
            restored.addSplits(List.of(new PollSplit("held", half)));
            emitUntil(restored, again, 5000);
            long lastChange = again.events.get(4999).lsn();
            // the transaction's commit comes after its last change
            await().atMost(WAIT).pollInSameThread().until(() -> {
                restored.pollNext(again);
                return Long.compareUnsigned(restored.position(), lastChange) > 0;
            });
            assertThat(again.events).hasSize(5000);
            assertThat(again.events).allMatch(e -> "big".equals(e.after().get("title")));
            assertThat(again.events.get(0).lsn()).isEqualTo(out.events.get(300).lsn());
            long last = restored.snapshotState(3).get(0).position();
            assertThat(confirmed("held")).isEqualTo(half);
            restored.notifyCheckpointComplete(3);
            await().atMost(WAIT).until(() -> confirmed("held") == last);
        } finally {
            restored.close();
        }
    }

    @Test
    void aRestoredReaderReadsAgainExactlyWhatCameAfterItsCheckpoint() throws Exception {
        JobSpec spec = table("again");
        PollReader before = reader(spec, "again");
        Collected first = new Collected();
        long checkpointed;
        try {
            db.execute("INSERT INTO again SELECT g, 'one' FROM generate_series(1, 100) g");
            before.addSplits(List.of(new PollSplit("again", 0)));
            emitUntil(before, first, 100);
            checkpointed = before.snapshotState(1).get(0).position();
            before.notifyCheckpointComplete(1);
            await().atMost(WAIT).until(() -> confirmed("again") == checkpointed);
            db.execute("UPDATE again SET title = 'two' WHERE id <= 50", "DELETE FROM again WHERE id > 90");
            emitUntil(before, first, 160);
        } finally {
            before.close(); // the run ends without a checkpoint of the last 60 changes
        }
        assertThat(confirmed("again")).isEqualTo(checkpointed);

        PollReader after = reader(spec, "again");
        Collected second = new Collected();
        try {
            after.addSplits(List.of(new PollSplit("again", checkpointed)));
            emitUntil(after, second, 60);
            assertThat(second.events).isEqualTo(first.events.subList(100, 160));
            db.execute("INSERT INTO again VALUES (500, 'new')");
            emitUntil(after, second, 61);
            assertThat(second.events.get(60).after().get("id")).isEqualTo(500L);
        } finally {
            after.close();
        }
    }

    @Test
    void aTransactionOpenWhileTheSlotMovesPastItsFirstChangesArrivesWholeAfterARestart() throws Exception {
        JobSpec spec = table("longtx");
        long checkpointed;
        try (Connection open = db.connect()) {
            open.setAutoCommit(false);
            try (Statement s = open.createStatement()) {
                s.execute("INSERT INTO longtx SELECT g, 'open' FROM generate_series(1, 50) g");
            }
            db.execute("INSERT INTO longtx VALUES (100, 'committed meanwhile')");
            PollReader before = reader(spec, "longtx");
            Collected first = new Collected();
            try {
                before.addSplits(List.of(new PollSplit("longtx", 0)));
                emitUntil(before, first, 1);
                assertThat(first.events)
                        .singleElement()
                        .satisfies(e -> assertThat(e.after().get("id")).isEqualTo(100L));
                checkpointed = before.snapshotState(1).get(0).position();
                before.notifyCheckpointComplete(1);
                await().atMost(WAIT).until(() -> confirmed("longtx") == checkpointed);
            } finally {
                before.close(); // as if the run died with the transaction still open
            }
            open.commit();
        }
        PollReader after = reader(spec, "longtx");
        Collected second = new Collected();
        try {
            after.addSplits(List.of(new PollSplit("longtx", checkpointed)));
            emitUntil(after, second, 50);
            assertThat(second.events)
                    .hasSize(50)
                    .allMatch(e -> "open".equals(e.after().get("title")));
            assertThat(Long.compareUnsigned(second.events.get(0).lsn(), checkpointed))
                    .as("the slot had moved past the transaction's first change before it committed")
                    .isNegative();
        } finally {
            after.close();
        }
    }

    @Test
    void aRestoreAheadOfTheSlotMovesTheSlotFirst() throws Exception {
        JobSpec spec = table("ahead");
        PollReader before = reader(spec, "ahead");
        Collected first = new Collected();
        long taken;
        try {
            db.execute("INSERT INTO ahead SELECT g, 'one' FROM generate_series(1, 10) g");
            before.addSplits(List.of(new PollSplit("ahead", 0)));
            emitUntil(before, first, 10);
            taken = before.snapshotState(1).get(0).position(); // completed, but the run died before it was told
        } finally {
            before.close();
        }
        long start = confirmed("ahead");
        assertThat(Long.compareUnsigned(start, taken)).isNegative();
        PollReader after = reader(spec, "ahead");
        Collected second = new Collected();
        try {
            after.addSplits(List.of(new PollSplit("ahead", taken)));
            await().atMost(WAIT).until(() -> confirmed("ahead") == taken);
            db.execute("INSERT INTO ahead VALUES (11, 'two')");
            emitUntil(after, second, 1);
            assertThat(second.events)
                    .singleElement()
                    .satisfies(e -> assertThat(e.after().get("id")).isEqualTo(11L));
        } finally {
            after.close();
        }
    }

    @Test
    void aReaderLeavesASlotAnotherRunPollsAndTakesItOverOnceThatRunIsGone() throws Exception {
        JobSpec spec = table("leased");
        // another project's run polls the slot: its lease, in its own state schema, renewed every second
        ScheduledExecutorService renewer = Executors.newSingleThreadScheduledExecutor();
        try (Connection other = db.connect()) {
            PollLease.ensure(other, "other_state");
            PollLease.claim(other, "other_state", "leased", "other run", "its attempt", "elsewhere pid 1");
            renewer.scheduleAtFixedRate(
                    () -> db.execute("UPDATE other_state.poll_leases SET renewed_at = now()"), 1, 1, TimeUnit.SECONDS);
            PollReader reader = reader(spec, "leased");
            try {
                reader.addSplits(List.of(new PollSplit("leased", 0)));
                Collected out = new Collected();
                Throwable failure = failureOf(reader, out);
                assertThat(failure.getMessage())
                        .contains("slot leased is polled by another puffgres run (elsewhere pid 1, state schema"
                                + " other_state, renewed ")
                        .contains("stop the other run (puffgres stop in its project), or give this project its own"
                                + " slot");
                assertThat(exists("leased_poll")).as("the slot untouched").isFalse();
            } finally {
                reader.close();
            }
        } finally {
            renewer.shutdownNow();
            renewer.awaitTermination(10, TimeUnit.SECONDS);
        }

        // that run is gone (no renewal for longer than PollLease.STALE): the next reader takes the slot over at once
        db.execute("UPDATE other_state.poll_leases SET renewed_at = now() - interval '11 seconds'");
        PollReader next = reader(spec, "leased");
        try {
            next.addSplits(List.of(new PollSplit("leased", 0)));
            db.execute("INSERT INTO leased VALUES (1, 'one')");
            Collected out = new Collected();
            emitUntil(next, out, 1);
            assertThat(db.query("SELECT run FROM " + PollLease.table(spec.stateSchema()) + " WHERE slot = 'leased'"))
                    .singleElement()
                    .satisfies(row -> assertThat(row.get("run")).isEqualTo("run leased"));
        } finally {
            next.close();
        }
        // a stop gives the lease up: the next run need not wait for it to go stale
        await().atMost(WAIT)
                .until(() -> db.query("SELECT 1 FROM " + PollLease.table(spec.stateSchema()) + " WHERE slot = 'leased'")
                        .isEmpty());
    }

    @Test
    void ofTwoRunsThatClaimedASlotAtOnceTheEarlierClaimPollsOn() throws Exception {
        JobSpec spec = table("twice");
        PollReader reader = reader(spec, "twice");
        ScheduledExecutorService renewer = Executors.newSingleThreadScheduledExecutor();
        try {
            reader.addSplits(List.of(new PollSplit("twice", 0)));
            db.execute("INSERT INTO twice VALUES (1, 'one')");
            Collected out = new Collected();
            emitUntil(reader, out, 1);
            // another project's run claimed the slot a moment later, before it could see this run's lease
            try (Connection other = db.connect()) {
                PollLease.ensure(other, "twice_other");
                PollLease.claim(other, "twice_other", "twice", "later run", "its attempt", "elsewhere pid 2");
            }
            renewer.scheduleAtFixedRate(
                    () -> db.execute("UPDATE twice_other.poll_leases SET renewed_at = now()"),
                    0,
                    500,
                    TimeUnit.MILLISECONDS);
            // this run's renewals (every 2 s) see the later claim and poll on
            long until = System.nanoTime() + PollLease.RENEW.multipliedBy(2).toNanos();
            db.execute("INSERT INTO twice VALUES (2, 'two')");
            emitUntil(reader, out, 2);
            await().atMost(WAIT).pollInSameThread().until(() -> {
                reader.pollNext(out);
                return System.nanoTime() > until;
            });
            // had the other run claimed it first, this one stops at its next renewal
            db.execute("UPDATE twice_other.poll_leases SET claimed_at = now() - interval '1 hour'");
            Throwable failure = failureOf(reader, out);
            assertThat(failure.getMessage())
                    .contains("slot twice is polled by another puffgres run (elsewhere pid 2, state schema twice_other")
                    .contains("this run claimed it later");
        } finally {
            renewer.shutdownNow();
            renewer.awaitTermination(10, TimeUnit.SECONDS);
            reader.close();
        }
    }

    @Test
    void pollsThatReturnOnlyOtherTablesTransactionsBackOff() throws Exception {
        JobSpec spec = table("quiet");
        db.execute("CREATE TABLE quiet_other (id int PRIMARY KEY, n int)", "INSERT INTO quiet_other VALUES (1, 0)");
        PollFigures figures = new PollFigures(new UnregisteredMetricsGroup());
        PollReader reader = new PollReader(spec, settings("quiet"), figures, "test");
        // another table changes every 5 ms: each poll returns the begin and commit of its transactions, no change
        ScheduledExecutorService writer = Executors.newSingleThreadScheduledExecutor();
        writer.scheduleAtFixedRate(() -> db.execute("UPDATE quiet_other SET n = n + 1"), 0, 5, TimeUnit.MILLISECONDS);
        try {
            reader.addSplits(List.of(new PollSplit("quiet", 0)));
            Collected out = new Collected();
            await().atMost(WAIT).pollInSameThread().until(() -> {
                reader.pollNext(out);
                return figures.waitMs == 50 && figures.empty.getCount() >= 3;
            });
            assertThat(out.events).isEmpty();
            // and a change still arrives
            db.execute("INSERT INTO quiet VALUES (1, 'one')");
            emitUntil(reader, out, 1);
            assertThat(out.events)
                    .singleElement()
                    .satisfies(e -> assertThat(e.op()).isEqualTo(Op.INSERT));
        } finally {
            writer.shutdownNow();
            writer.awaitTermination(10, TimeUnit.SECONDS);
            reader.close();
        }
    }

    /** Table {@code name (id, title)}, a wal2json slot {@code name}, and a project reaching them. */
    private static JobSpec table(String name) throws Exception {
        db.execute(
                "CREATE TABLE " + name + " (id bigint PRIMARY KEY, title text)",
                "SELECT pg_create_logical_replication_slot('" + name + "', 'wal2json')");
        Path dir = Files.createTempDirectory("puffgres-poll-");
        ProjectFiles.writeConfig(dir, db.jdbcUrl(), name, name, "http://127.0.0.1:9", 500);
        return new JobSpec(dir.toString(), 0, name, Map.of(), false);
    }

    private static PollReader reader(JobSpec spec, String table) {
        return new PollReader(spec, settings(table), new PollFigures(new UnregisteredMetricsGroup()), "test");
    }

    /** Polls every 10 ms while changes come, backing off to 50 ms. */
    private static PollSettings settings(String table) {
        return new PollSettings(table, List.of(new RelationId("public", table)), 10, 50, 2_000, "run " + table);
    }

    /** Calls {@code pollNext} (on this thread, as the task does) until it throws; what it threw. */
    private static IllegalStateException failureOf(PollReader reader, Collected out) {
        return await().atMost(WAIT)
                .pollInSameThread()
                .until(
                        () -> {
                            try {
                                reader.pollNext(out);
                                return null;
                            } catch (IllegalStateException e) {
                                return e;
                            }
                        },
                        e -> e != null);
    }

    /** Calls {@code pollNext} (on this thread, as the task does) until {@code out} holds {@code count} changes. */
    private static void emitUntil(PollReader reader, Collected out, int count) {
        await().atMost(WAIT)
                .pollInSameThread()
                .pollInterval(Duration.ofMillis(5))
                .until(() -> {
                    reader.pollNext(out);
                    return out.events.size() >= count;
                });
    }

    private static long confirmed(String slot) {
        return ((Number) db.query("SELECT (confirmed_flush_lsn - '0/0')::bigint AS lsn FROM pg_replication_slots"
                                + " WHERE slot_name = '" + slot + "'")
                        .get(0)
                        .get("lsn"))
                .longValue();
    }

    private static boolean exists(String slot) {
        return !db.query("SELECT 1 FROM pg_replication_slots WHERE slot_name = '" + slot + "'")
                .isEmpty();
    }

    private static long currentLsn() {
        return ((Number) db.query("SELECT (pg_current_wal_lsn() - '0/0')::bigint AS lsn")
                        .get(0)
                        .get("lsn"))
                .longValue();
    }

    /** The changes a reader emits. */
    static final class Collected implements ReaderOutput<RowEvent> {
        final List<RowEvent> events = new ArrayList<>();

        @Override
        public void collect(RowEvent record) {
            events.add(record);
        }

        @Override
        public void collect(RowEvent record, long timestamp) {
            events.add(record);
        }

        @Override
        public void emitWatermark(Watermark watermark) {}

        @Override
        public void markIdle() {}

        @Override
        public void markActive() {}

        @Override
        public SourceOutput<RowEvent> createOutputForSplit(String splitId) {
            return this;
        }

        @Override
        public void releaseOutputForSplit(String splitId) {}
    }
}
