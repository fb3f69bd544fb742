package io.puffgres.sink;

import static io.puffgres.sink.WriterHarness.MAX_PARALLELISM;
import static io.puffgres.sink.WriterHarness.checkpoint;
import static io.puffgres.sink.WriterHarness.delete;
import static io.puffgres.sink.WriterHarness.dlq;
import static io.puffgres.sink.WriterHarness.send;
import static io.puffgres.sink.WriterHarness.upsert;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.puffgres.dlq.DlqEntry;
import io.puffgres.pipeline.MappedEvent;
import io.puffgres.stream.JobSpec;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link MappingWriter} in Flink's operator test harness (RocksDB keyed state, the harness's mailbox and processing
 * time) against a hand-written turbopuffer: the LSN guard across a restore, the last action per id within a batch,
 * one write per id in flight, checkpoints that wait for acknowledgements, and rejected batches split down to the bad
 * rows.
 */
class MappingWriterIT {

    private static final Duration WAIT = Duration.ofSeconds(30);

    private WriterHarness w;
    private FakeTurbopuffer tpuf;

    @BeforeEach
    void start() throws Exception {
        w = new WriterHarness();
        tpuf = w.tpuf;
    }

    @AfterEach
    void stop() throws Exception {
        w.close();
    }

    private JobSpec spec(String write) throws Exception {
        return w.spec(write);
    }

    private JobSpec spec(String write, String turbopuffer) throws Exception {
        return w.spec(write, turbopuffer, "\"id\", \"title\"");
    }

    private KeyedOneInputStreamOperatorTestHarness<String, MappedEvent, DlqEntry> open(
            JobSpec spec, OperatorSubtaskState restore) throws Exception {
        return w.open(spec, restore);
    }

    private KeyedOneInputStreamOperatorTestHarness<String, MappedEvent, DlqEntry> open(
            JobSpec spec, OperatorSubtaskState restore, int subtasks, int index) throws Exception {
        return w.open(spec, restore, subtasks, index);
    }

    /** A first run: ids 1 (LSN 100) and 2 (110) upserted, 1 deleted (120); its checkpoint. */
    private OperatorSubtaskState oneTwoThenOneDeleted(JobSpec spec) throws Exception {
        var first = open(spec, null);
        send(first, upsert(1, "one", 100));
        send(first, upsert(2, "two", 110));
        send(first, delete(1, 120));
        return checkpoint(first, 1);
    }

    @Test
    void staleAndReplayedEventsAreDroppedPerIdDeletesIncludedAcrossARestore() throws Exception {
        JobSpec spec = spec("flush_interval_ms = 60000");
        OperatorSubtaskState state = oneTwoThenOneDeleted(spec);
        assertThat(tpuf.documents()).containsOnlyKeys("2");

        int before = tpuf.accepted().size();
        // the job restarts from the checkpoint and the source replays what came before and after it
        var second = open(spec, state);
        send(second, upsert(1, "one", 100)); // would bring the deleted document back
        send(second, upsert(2, "older two", 105)); // older than what was applied
        send(second, upsert(2, "two again", 110)); // the same change again
        send(second, upsert(3, "three", 130)); // new
        second.endInput();

        assertThat(tpuf.documents()).containsOnlyKeys("2", "3");
        assertThat(tpuf.documents().get("2")).containsEntry("title", "two").containsEntry("__source_lsn", 110);
        assertThat(tpuf.accepted().subList(before, tpuf.accepted().size()))
                .as("writes after the restore")
                .extracting(FakeTurbopuffer.Write::ids)
                .containsExactly(List.of("3"));
        assertThat(dlq(second)).isEmpty();
    }

    @Test
    void changesOutOfWalOrderAreCheckedAgainstTheirIdsLatestLsn() throws Exception {
        // decoding sends transactions in commit order, so a later one can bring an earlier LSN than one applied
        var h = open(spec("flush_interval_ms = 60000"), null);
        send(h, upsert(5, "five", 200));
        send(h, upsert(6, "six", 150)); // before the newest LSN applied, but new for its id
        send(h, upsert(5, "older five", 180));
        send(h, upsert(6, "six again", 150));
        h.endInput();

        assertThat(tpuf.documents()).containsOnlyKeys("5", "6");
        assertThat(tpuf.documents().get("5")).containsEntry("title", "five").containsEntry("__source_lsn", 200);
        assertThat(tpuf.documents().get("6")).containsEntry("title", "six").containsEntry("__source_lsn", 150);
    }

    @Test
    void aCheckpointWithoutTheNewestLsnStillGuardsEveryId() throws Exception {
        JobSpec spec = spec("flush_interval_ms = 60000");
        OperatorSubtaskState full = oneTwoThenOneDeleted(spec);
        // as an earlier version checkpointed: the keyed state alone
        OperatorSubtaskState keyedOnly = OperatorSubtaskState.builder()
                .setManagedKeyedState(full.getManagedKeyedState())
                .build();

        var second = open(spec, keyedOnly);
        send(second, upsert(1, "one", 100));
        send(second, upsert(2, "older two", 105));
        send(second, upsert(3, "three", 130));
        OperatorSubtaskState next = checkpoint(second, 2);
        var third = open(spec, next);
        send(third, upsert(2, "older two", 105));
        third.endInput();

        assertThat(tpuf.documents()).containsOnlyKeys("2", "3");
        assertThat(tpuf.documents().get("2")).containsEntry("title", "two");
        assertThat(dlq(second)).isEmpty();
    }

    @Test
    void aRestoreAtAnotherParallelismGuardsTheIdsOfEverySubtask() throws Exception {
        JobSpec spec = spec("flush_interval_ms = 60000");
        List<KeyedOneInputStreamOperatorTestHarness<String, MappedEvent, DlqEntry>> two =
                List.of(open(spec, null, 2, 0), open(spec, null, 2, 1));
        // ids 1..8 at LSN 100 + 10 × id, each on the subtask its key group belongs to (both have some)
        assertThat(java.util.stream.LongStream.rangeClosed(1, 8)
                        .map(id -> subtaskOf(id, 2))
                        .distinct())
                .hasSize(2);
        for (long id = 1; id <= 8; id++) {
            send(two.get(subtaskOf(id, 2)), upsert(id, "v" + id, 100 + 10 * id));
        }
        OperatorSubtaskState state = AbstractStreamOperatorTestHarness.repartitionOperatorState(
                AbstractStreamOperatorTestHarness.repackageState(checkpoint(two.get(0), 1), checkpoint(two.get(1), 1)),
                MAX_PARALLELISM,
                2,
                1,
                0);
        int before = tpuf.accepted().size();

        var one = open(spec, state, 1, 0);
        for (long id = 1; id <= 8; id++) {
            send(one, upsert(id, "replayed " + id, 100 + 10 * id)); // already applied, on either subtask
        }
        send(one, upsert(9, "nine", 105)); // before every LSN applied, but new for its id
        one.endInput();

        assertThat(tpuf.accepted().subList(before, tpuf.accepted().size()))
                .extracting(FakeTurbopuffer.Write::ids)
                .containsExactly(List.of("9"));
        assertThat(tpuf.documents()).hasSize(9);
        assertThat(tpuf.documents().get("8")).containsEntry("title", "v8");
    }

    private static int subtaskOf(long id, int subtasks) {
        return KeyGroupRangeAssignment.assignKeyToParallelOperator(Long.toString(id), MAX_PARALLELISM, subtasks);
    }

    @Test
    void theLastActionPerIdWinsWithinABatchAndNoIdIsTwiceInARequest() throws Exception {
        var h = open(spec("flush_interval_ms = 60000"), null);
        send(h, upsert(1, "a", 10));
        send(h, upsert(2, "b", 11));
        send(h, upsert(1, "a2", 12)); // one transaction touching id 1 again
        send(h, delete(2, 13));
        send(h, upsert(3, "c", 14));
        send(h, upsert(1, "a3", 15));
        h.endInput();

        assertThat(tpuf.accepted()).hasSize(1);
        FakeTurbopuffer.Write w = tpuf.accepted().get(0);
        assertThat(w.ids()).doesNotHaveDuplicates().containsExactlyInAnyOrder("1", "2", "3");
        assertThat(w.deletes()).containsExactly("2");
        assertThat(w.upserts().get("1")).containsEntry("title", "a3").containsEntry("__source_lsn", 15);
    }

    @Test
    void batchesAreCutAtBatchMaxRowsAndAtTheFlushInterval() throws Exception {
        var h = open(spec("batch_max_rows = 3\nflush_interval_ms = 500"), null);
        h.setProcessingTime(0);
        for (int i = 1; i <= 7; i++) {
            send(h, upsert(i, "t" + i, 10 + i));
        }
        await().atMost(WAIT).until(() -> tpuf.received() == 2); // two full batches went out at once
        assertThat(tpuf.documents()).hasSize(6);

        h.setProcessingTime(499);
        assertThat(tpuf.received()).as("the seventh row waits for the interval").isEqualTo(2);
        h.setProcessingTime(500);
        await().atMost(WAIT).until(() -> tpuf.received() == 3);
        h.endInput();
        assertThat(tpuf.accepted()).hasSize(3);
        assertThat(tpuf.accepted().get(2).ids()).containsExactly("7");
    }

    @Test
    void neverTwoWritesOfOneIdInFlightAndPerIdOrderIsKept() throws Exception {
        tpuf.latencyMs = 20;
        var h = open(spec("batch_max_rows = 4\nflush_interval_ms = 60000"), null);
        Random random = new Random(42);
        Map<String, String> expected = new HashMap<>();
        for (long lsn = 1; lsn <= 400; lsn++) {
            long id = 1 + random.nextInt(12);
            if (random.nextInt(5) == 0) {
                send(h, delete(id, lsn));
                expected.remove(Long.toString(id));
            } else {
                send(h, upsert(id, "v" + lsn, lsn));
                expected.put(Long.toString(id), "v" + lsn);
            }
        }
        h.endInput();

        assertThat(tpuf.overlapping()).as("ids in two writes in flight at once").isEmpty();
        assertThat(tpuf.maxConcurrent())
                .as("writes of distinct ids do go out together")
                .isGreaterThan(1);
        assertThat(tpuf.accepted()).allSatisfy(w -> assertThat(w.ids()).doesNotHaveDuplicates());
        Map<String, String> titles = new HashMap<>();
        tpuf.documents().forEach((id, doc) -> titles.put(id, (String) doc.get("title")));
        assertThat(titles).isEqualTo(expected);
    }

    @Test
    void aCheckpointCompletesOnlyWhenEveryBufferedWriteIsAcknowledged() throws Exception {
        tpuf.gate = new CountDownLatch(1);
        var h = open(spec("batch_max_rows = 2\nflush_interval_ms = 60000"), null);
        for (int i = 1; i <= 5; i++) {
            send(h, upsert(i, "t" + i, 10 + i)); // two batches go out, the fifth row stays buffered
        }
        await().atMost(WAIT).until(() -> tpuf.received() == 2);
        assertThat(tpuf.accepted()).as("unanswered").isEmpty();
        // turbopuffer answers only once the buffered row has been sent too, which the checkpoint must do
        CompletableFuture.runAsync(() -> {
            await().atMost(WAIT).until(() -> tpuf.received() == 3);
            tpuf.gate.countDown();
        });

        checkpoint(h, 1);

        assertThat(tpuf.accepted()).hasSize(3);
        assertThat(tpuf.documents()).containsOnlyKeys("1", "2", "3", "4", "5");
    }

    @Test
    void aRejectedBatchIsSplitAndOnlyTheBadRowsGoToTheDlq() throws Exception {
        tpuf.poison.add("7");
        tpuf.poison.add("12");
        var h = open(spec("flush_interval_ms = 60000"), null);
        for (int i = 1; i <= 16; i++) {
            send(h, upsert(i, "t" + i, 100 + i));
        }
        h.endInput();

        assertThat(tpuf.documents().keySet()).hasSize(14).doesNotContain("7", "12");
        assertThat(dlq(h))
                .extracting(e -> e.docId + " " + e.errorKind + " " + e.lsn)
                .containsExactlyInAnyOrder("7 rejected 107", "12 rejected 112");
        assertThat(dlq(h).get(0).message).contains("fake turbopuffer rejects this request");
        assertThat(dlq(h).get(0).event).contains("\"title\"");
    }

    @Test
    void transientFailuresAreRetriedWithoutLimitByDefault() throws Exception {
        tpuf.unavailable.set(4); // backoff 0.25 + 0.5 + 1 + 2 s
        var h = open(spec("flush_interval_ms = 60000"), null);
        send(h, upsert(1, "t", 10));
        h.endInput();
        assertThat(tpuf.received()).isEqualTo(5);
        assertThat(tpuf.documents()).containsOnlyKeys("1");
        assertThat(dlq(h)).isEmpty();
    }

    @Test
    void maxRetriesBoundsTheRetriesAndThenFailsTheJob() throws Exception {
        tpuf.status = 503;
        var h = open(spec("flush_interval_ms = 60000", "max_retries = 2\n"), null);
        send(h, upsert(1, "t", 10));
        assertThatThrownBy(h::endInput)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("turbopuffer answered 503")
                .hasMessageContaining("gave up after 3 attempts")
                .hasMessageContaining("(hint: [turbopuffer] max_retries)");
        assertThat(tpuf.received()).isEqualTo(3);
        assertThat(dlq(h)).as("a transient failure never goes to the DLQ").isEmpty();
    }

    @Test
    void anUnauthorizedWriteStopsTheJobWithTheHint() throws Exception {
        tpuf.status = 401;
        var h = open(spec("flush_interval_ms = 60000"), null);
        send(h, upsert(1, "t", 10));
        assertThatThrownBy(h::endInput)
                .hasRootCauseInstanceOf(IllegalStateException.class)
                .rootCause()
                .hasMessageContaining("401")
                .hasMessageContaining("TURBOPUFFER_API_KEY");
        assertThat(dlq(h)).isEmpty();
    }
}
