package io.puffgres.fill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.puffgres.fill.FillLedger.State;
import io.puffgres.stream.JobSpec;
import io.puffgres.testkit.PostgresDatabase;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The enumerator's bookkeeping under interleavings that timing rarely hits, driven step by step ({@link
 * ScriptedEnumeratorContext}) over a real table: a chunk reported finished after a checkpoint's snapshot, a reader
 * restarting before or after a checkpoint completes, a late report of an earlier assignment, the end recorded only
 * once a completed checkpoint holds every chunk, and a restore.
 */
class FillEnumeratorIT {

    @RegisterExtension
    static final PostgresDatabase db = new PostgresDatabase();

    private final FillLedger ledger = new FillLedger("puffgres");

    /** Table {@code name} of 50 rows, five chunks of 10; the fill's spec and request. */
    private FillRequest fill(String name) throws Exception {
        db.execute(
                "CREATE TABLE " + name + " (id bigint PRIMARY KEY, title text)",
                "INSERT INTO " + name + " SELECT g, 'row ' || g FROM generate_series(1, 50) g");
        try (Connection c = db.connect()) {
            ledger.ensure(c);
            return new FillRequest(ledger.request(c, name, 1, name, FillLedger.Reason.BACKFILL), name, 1, 10, false);
        }
    }

    private JobSpec spec(String name) throws Exception {
        Path dir = FillFixtures.project(db, name, "\"id\", \"title\"", "table = \"" + name + "\"", "uint", "");
        return new JobSpec(dir.toString(), 0, "slot", Map.of(name, 1), false);
    }

    private FillLedger.Fill ledgerRow(long id) throws Exception {
        try (Connection c = db.connect()) {
            return ledger.get(c, id).orElseThrow();
        }
    }

    /** An enumerator of {@code request} on {@code ctx}, started, with reader 0 registered. */
    private FillEnumerator started(ScriptedEnumeratorContext ctx, FillRequest request, FillEnumeratorState restored)
            throws Exception {
        FillEnumerator e = new FillEnumerator(ctx, spec(request.mapping()), request, restored);
        e.start();
        ctx.register(0);
        e.addReader(0);
        return e;
    }

    private static void request(FillEnumerator e, int subtask, int chunks) {
        for (int i = 0; i < chunks; i++) {
            e.handleSplitRequest(subtask, "localhost");
        }
    }

    private static void finish(FillEnumerator e, int subtask, ChunkSplit split) {
        e.handleSourceEvent(subtask, new ChunkFinished(split.chunk().index(), split.assignment(), 10));
    }

    @Test
    void aRestartedReaderReadsAgainWhatNoCompletedCheckpointHolds() throws Exception {
        FillRequest request = fill("restarts");
        ScriptedEnumeratorContext ctx = new ScriptedEnumeratorContext(2);
        FillEnumerator e = started(ctx, request, null);
        ctx.register(1);
        e.addReader(1);
        request(e, 0, 2);
        request(e, 1, 2);
        ctx.runUntil(() -> ctx.assignedCount() == 4);
        ChunkSplit a = ctx.of(0).get(0);
        ChunkSplit b = ctx.of(0).get(1);

        finish(e, 0, a);
        assertThat(e.snapshotState(1).chunksDone()).isEqualTo(1);
        e.notifyCheckpointComplete(1); // a is now in a completed checkpoint
        finish(e, 0, b); // after the snapshot: no checkpoint holds b yet
        FillEnumeratorState second = e.snapshotState(2);
        assertThat(second.chunksDone()).isEqualTo(2);

        // reader 0 fails before checkpoint 2 completes; its new attempt registers and asks again
        ctx.unregister(0);
        e.addSplitsBack(List.of(), 0);
        ctx.register(0);
        e.addReader(0);
        request(e, 0, 2);
        ctx.runUntil(() -> ctx.of(0).size() == 4);
        assertThat(ctx.of(0).subList(2, 4))
                .extracting(ChunkSplit::chunk)
                .as("b again, and then the next chunk in key order (a stays done)")
                .contains(b.chunk())
                .doesNotContain(a.chunk());
        ChunkSplit bAgain = ctx.of(0).stream()
                .skip(2)
                .filter(s -> s.chunk().equals(b.chunk()))
                .findFirst()
                .orElseThrow();
        assertThat(bAgain.assignment()).isNotEqualTo(b.assignment());

        finish(e, 0, b); // the failed attempt's late report counts for nothing
        assertThat(e.snapshotState(3).open()).contains(b.chunk());
        finish(e, 0, bAgain);
        assertThat(e.snapshotState(4).open()).doesNotContain(b.chunk());
    }

    @Test
    void theLedgerSaysDoneOnlyOnceACompletedCheckpointHoldsEveryChunk() throws Exception {
        FillRequest request = fill("ending");
        ScriptedEnumeratorContext ctx = new ScriptedEnumeratorContext(1);
        FillEnumerator e = started(ctx, request, null);
        int finished = 0;
        while (!ctx.noMoreSplits.contains(0)) {
            request(e, 0, 1);
            int want = finished + 1;
            ctx.runUntil(() -> ctx.of(0).size() == want || ctx.noMoreSplits.contains(0));
            if (ctx.of(0).size() == want) {
                finish(e, 0, ctx.of(0).get(finished++));
            }
        }
        assertThat(finished).isEqualTo(5);
        FillEnumeratorState state = e.snapshotState(7);
        assertThat(state.open()).isEmpty();
        assertThat(state.cursor().done()).isTrue();
        // started is written on the ledger's thread; done would be queued behind it, and is not
        await().atMost(Duration.ofSeconds(30))
                .until(() -> ledgerRow(request.fillId()).state() == State.RUNNING);
        e.notifyCheckpointComplete(6); // an older checkpoint does not hold them all
        e.notifyCheckpointComplete(7);
        FillLedger.Fill done = await().atMost(Duration.ofSeconds(30))
                .until(() -> ledgerRow(request.fillId()), f -> f.state() == State.DONE);
        assertThat(done.rowsDone()).isEqualTo(50);
        assertThat(done.chunksDone()).isEqualTo(5);
        e.close();
    }

    /** A restore hands out again every chunk the checkpoint held open, assigned or not, and keeps the finished ones. */
    @Test
    void aRestoreReadsTheOpenChunksAgain() throws Exception {
        FillRequest request = fill("restored");
        ScriptedEnumeratorContext before = new ScriptedEnumeratorContext(1);
        FillEnumerator e = started(before, request, null);
        request(e, 0, 2);
        before.runUntil(() -> before.of(0).size() == 2);
        finish(e, 0, before.of(0).get(0));
        FillEnumeratorState state = FillEnumeratorStateSerializer.INSTANCE.deserialize(
                FillEnumeratorStateSerializer.INSTANCE.getVersion(),
                FillEnumeratorStateSerializer.INSTANCE.serialize(e.snapshotState(1)));
        e.close();
        assertThat(state.chunksDone()).isEqualTo(1);
        assertThat(state.rowsDone()).isEqualTo(10);
        assertThat(state.open()).contains(before.of(0).get(1).chunk());

        ScriptedEnumeratorContext after = new ScriptedEnumeratorContext(1);
        FillEnumerator restored = started(after, request, state);
        request(restored, 0, 1);
        after.runUntil(() -> after.of(0).size() == 1);
        assertThat(after.of(0).get(0).chunk()).isEqualTo(before.of(0).get(1).chunk());
        restored.close();
    }
}
