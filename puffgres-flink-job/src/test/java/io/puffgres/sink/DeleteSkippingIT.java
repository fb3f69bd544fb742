package io.puffgres.sink;

import static io.puffgres.sink.WriterHarness.change;
import static io.puffgres.sink.WriterHarness.checkpoint;
import static io.puffgres.sink.WriterHarness.dlq;
import static io.puffgres.sink.WriterHarness.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.puffgres.dlq.DlqEntry;
import io.puffgres.event.Row;
import io.puffgres.pipeline.MappedEvent;
import io.puffgres.stream.JobSpec;
import java.time.Duration;
import java.util.Collections;
import java.util.concurrent.CountDownLatch;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The writer sends no delete for an id it knows to have no document (its delete was acknowledged, nothing was written
 * for it since), and sends it whenever it does not know: never seen, an upsert since, a delete unacknowledged at the
 * checkpoint it restored from, a delete turbopuffer rejected. Counted in the requests the fake turbopuffer receives.
 */
class DeleteSkippingIT {

    private static final Duration WAIT = Duration.ofSeconds(30);
    /** Rows with status 'on' are members. */
    private static final String DSL = "[membership]\nmode = \"dsl\"\npredicate = \"status = 'on'\"";

    private WriterHarness w;

    @BeforeEach
    void start() throws Exception {
        w = new WriterHarness();
    }

    @AfterEach
    void stop() throws Exception {
        w.close();
    }

    /** Each change is sent at once (one row a batch), so its request is counted as it comes. */
    private JobSpec spec() throws Exception {
        return w.spec("batch_max_rows = 1\nflush_interval_ms = 60000\n" + DSL, "", "\"id\", \"title\", \"status\"");
    }

    private static MappedEvent item(long id, String status, long lsn) {
        return change(
                Row.builder()
                        .put("id", "int8", id)
                        .put("title", "text", "t" + lsn)
                        .put("status", "text", status)
                        .build(),
                lsn);
    }

    /** Deletes of {@code id} turbopuffer answered (acknowledged or not). */
    private long deletesOf(String id) {
        return w.tpuf.all().stream()
                .mapToLong(x -> Collections.frequency(x.deletes(), id))
                .sum();
    }

    private void sendAndWait(KeyedOneInputStreamOperatorTestHarness<String, MappedEvent, DlqEntry> h, MappedEvent e)
            throws Exception {
        send(h, e);
        h.prepareSnapshotPreBarrier(e.event().lsn()); // waits for the acknowledgement
    }

    @Test
    void aNonMemberChangeAfterAnAcknowledgedDeleteSendsNothing() throws Exception {
        var h = w.open(spec(), null);
        sendAndWait(h, item(1, "on", 100));
        sendAndWait(h, item(1, "off", 110)); // no longer a member: deleted
        int before = w.tpuf.received();
        sendAndWait(h, item(1, "off", 120));
        sendAndWait(h, item(1, "off", 130));
        h.endInput();

        assertThat(w.tpuf.received())
                .as("requests after the acknowledged delete")
                .isEqualTo(before);
        assertThat(deletesOf("1")).isEqualTo(1);
        assertThat(w.tpuf.documents()).isEmpty();
    }

    @Test
    void anIdNeverSeenSendsItsDeleteOnceThenNoMore() throws Exception {
        var h = w.open(spec(), null);
        sendAndWait(h, item(5, "off", 100)); // may have a document from an earlier run: deleted
        sendAndWait(h, item(5, "off", 110));
        sendAndWait(h, item(5, "off", 120));
        h.endInput();

        assertThat(deletesOf("5")).isEqualTo(1);
    }

    @Test
    void anUpsertClearsTheKnowledgeSoTheNextNonMemberChangeDeletes() throws Exception {
        var h = w.open(spec(), null);
        sendAndWait(h, item(1, "off", 100));
        sendAndWait(h, item(1, "off", 110)); // skipped
        sendAndWait(h, item(1, "on", 120)); // upserted
        sendAndWait(h, item(1, "off", 130)); // deleted again
        sendAndWait(h, item(1, "off", 140)); // skipped
        h.endInput();

        assertThat(deletesOf("1")).isEqualTo(2);
        assertThat(w.tpuf.documents()).isEmpty();
    }

    @Test
    void deletesInOneBatchAreKnownOnceTheBatchIsAcknowledged() throws Exception {
        var h = w.open(w.spec("flush_interval_ms = 60000\n" + DSL, "", "\"id\", \"title\", \"status\""), null);
        for (long id = 1; id <= 3; id++) {
            send(h, item(id, "off", 100 + id));
        }
        checkpoint(h, 1);
        for (long id = 1; id <= 3; id++) {
            send(h, item(id, "off", 200 + id));
        }
        h.endInput();

        assertThat(w.tpuf.received()).isEqualTo(1);
        assertThat(w.tpuf.accepted().get(0).deletes()).containsExactly("1", "2", "3");
    }

    @Test
    void aRestoreFromASnapshotTakenBeforeTheDeleteWasAcknowledgedSendsItAgain() throws Exception {
        JobSpec spec = spec();
        var first = w.open(spec, null);
        sendAndWait(first, item(1, "on", 100));
        int before = w.tpuf.received();
        w.tpuf.gate = new CountDownLatch(1);
        send(first, item(1, "off", 110)); // sent, unanswered
        await().atMost(WAIT).until(() -> w.tpuf.received() == before + 1);
        OperatorSubtaskState inFlight = first.snapshot(2, 2); // no barrier preparation: the delete is in flight
        w.tpuf.gate.countDown();
        first.endInput(); // acknowledged after the snapshot

        var second = w.open(spec, inFlight);
        send(second, item(1, "off", 110)); // the source replays it: stale
        sendAndWait(second, item(1, "off", 120)); // the restored state does not know the delete landed: sent
        sendAndWait(second, item(1, "off", 130)); // now it knows
        second.endInput();

        assertThat(deletesOf("1")).isEqualTo(2);
    }

    @Test
    void anAbsenceRestoredFromACheckpointIsNotTrusted() throws Exception {
        JobSpec spec = spec();
        var first = w.open(spec, null);
        sendAndWait(first, item(1, "on", 100));
        sendAndWait(first, item(1, "off", 110)); // deleted, acknowledged: known absent in the checkpoint
        OperatorSubtaskState state = checkpoint(first, 1);
        sendAndWait(first, item(1, "on", 120)); // written after the checkpoint
        first.endInput();
        assertThat(w.tpuf.documents()).containsOnlyKeys("1");

        // the source does not replay the change at 120 (the slot had moved past the checkpoint's position)
        var second = w.open(spec, state);
        sendAndWait(second, item(1, "off", 130)); // the restored absence is stale: the delete is sent
        sendAndWait(second, item(1, "off", 140)); // this run saw that delete acknowledged: skipped
        second.endInput();

        assertThat(w.tpuf.documents()).isEmpty();
        assertThat(deletesOf("1")).isEqualTo(2);
    }

    @Test
    void stateWithoutAbsenceSendsTheDeleteAsBefore() throws Exception {
        // as every id's state written before the writer knew of absence: a latest LSN and nothing else
        JobSpec spec = spec();
        var first = w.open(spec, null);
        sendAndWait(first, item(1, "on", 100));
        sendAndWait(first, item(2, "on", 100));
        OperatorSubtaskState state = checkpoint(first, 1);
        OperatorSubtaskState keyedOnly = OperatorSubtaskState.builder()
                .setManagedKeyedState(state.getManagedKeyedState())
                .build();

        var second = w.open(spec, keyedOnly);
        sendAndWait(second, item(1, "off", 110));
        sendAndWait(second, item(1, "off", 120));
        second.endInput();

        assertThat(deletesOf("1")).isEqualTo(1);
        assertThat(w.tpuf.documents()).containsOnlyKeys("2");
    }

    @Test
    void aRejectedDeleteIsNotKnownAndTheNextChangeDeletesAgain() throws Exception {
        var h = w.open(spec(), null);
        w.tpuf.status = 400;
        sendAndWait(h, item(1, "off", 100)); // rejected: to the DLQ
        w.tpuf.status = 200;
        sendAndWait(h, item(1, "off", 110));
        h.endInput();

        assertThat(dlq(h)).extracting(e -> e.docId + " " + e.errorKind).containsExactly("1 rejected");
        assertThat(deletesOf("1")).isEqualTo(2);
        assertThat(w.tpuf.accepted())
                .extracting(FakeTurbopuffer.Write::deletes)
                .containsExactly(java.util.List.of("1"));
    }
}
