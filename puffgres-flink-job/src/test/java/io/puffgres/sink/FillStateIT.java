package io.puffgres.sink;

import static io.puffgres.sink.WriterHarness.MAX_PARALLELISM;
import static io.puffgres.sink.WriterHarness.change;
import static io.puffgres.sink.WriterHarness.checkpoint;
import static io.puffgres.sink.WriterHarness.filled;
import static io.puffgres.sink.WriterHarness.item;
import static io.puffgres.sink.WriterHarness.send;
import static org.assertj.core.api.Assertions.assertThat;

import io.puffgres.dlq.DlqEntry;
import io.puffgres.emulator.EmulatorExtension;
import io.puffgres.event.Row;
import io.puffgres.event.Snapshot;
import io.puffgres.pipeline.MappedEvent;
import io.puffgres.stream.JobSpec;
import io.puffgres.stream.WriterMetric;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.contrib.streaming.state.EmbeddedRocksDBStateBackend;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The writer's fill state is in its checkpoints with the latest LSN: restored mid-fill with the stream replayed and a
 * chunk read again in a newer snapshot, redistributed to another parallelism (keyed state and the union {@code
 * fill-horizon}), and read from a checkpoint of the version before fills. Against the emulator, which applies
 * turbopuffer's conditional upserts.
 */
class FillStateIT {

    @RegisterExtension
    static final EmulatorExtension tpuf = new EmulatorExtension();

    private WriterHarness w;
    private JobSpec spec;

    @BeforeEach
    void start() throws Exception {
        w = new WriterHarness(tpuf.baseUrl());
        spec = w.spec("flush_interval_ms = 60000\n" + FillOrderingIT.DSL, "", "\"id\", \"title\", \"status\"");
    }

    @AfterEach
    void stop() throws Exception {
        w.close();
    }

    private static void apply(KeyedOneInputStreamOperatorTestHarness<String, MappedEvent, DlqEntry> h, MappedEvent e)
            throws Exception {
        send(h, e);
        h.prepareSnapshotPreBarrier(0);
    }

    private static Row on(long id, String title) {
        return item(id, title, "on");
    }

    private Map<String, String> titles() {
        Map<String, String> out = new java.util.TreeMap<>();
        w.documents().forEach((id, doc) -> out.put(id, doc.get("title") + "@" + doc.get("__source_lsn")));
        return out;
    }

    @Test
    void aRestoreMidFillReplaysTheStreamAndAChunkReadAgainInANewerSnapshot() throws Exception {
        Snapshot first = Snapshot.parse("100:105:102", 1000); // 102 runs
        var before = w.open(spec, null);
        apply(before, filled(on(1, "one"), first)); // chunk [1, 2]
        apply(before, filled(on(2, "two"), first));
        apply(before, change(on(1, "by 102"), 900, 102));
        OperatorSubtaskState state = checkpoint(before, 1); // chunk [1, 2] finished with it
        apply(before, filled(on(3, "three"), first)); // chunk [3, 4], unfinished when the job dies
        apply(before, change(on(2, "by 104"), 1100, 104));
        apply(before, change(on(3, "by 104"), 1110, 104));

        var after = w.open(spec, state);
        apply(after, change(on(1, "by 102"), 900, 102)); // before the checkpoint: stale
        apply(after, change(on(2, "by 104"), 1100, 104)); // the stream from the checkpoint on
        apply(after, change(on(3, "by 104"), 1110, 104));
        Snapshot again = Snapshot.parse("106:106:", 1300); // chunk [3, 4] read again: sees 104 and 105
        apply(after, filled(on(3, "by 104"), again));
        apply(after, filled(on(4, "by 105"), again));
        apply(after, change(on(4, "by 105"), 1250, 105)); // in the fill row
        apply(after, change(on(1, "by 108"), 1400, 108));

        assertThat(titles())
                .containsExactlyInAnyOrderEntriesOf(
                        Map.of("1", "by 108@1400", "2", "by 104@1100", "3", "by 104@1300", "4", "by 105@1300"));
        assertThat(w.count(after, WriterMetric.STALE_DROPPED)).isEqualTo(1);
        assertThat(w.count(after, WriterMetric.CHANGES_IN_FILL)).isEqualTo(1);
        assertThat(w.count(after, WriterMetric.FILL_ROWS_STALE)).isZero();
    }

    @Test
    void aChangeBelowTheHorizonOfAFillRowThatARunWroteAfterItsCheckpointIsNotRefused() throws Exception {
        Snapshot dead = Snapshot.parse("100:105:102", 1000); // 102 wrote id 3 at 900; it commits after the restart
        var before = w.openFilling(spec, null, 800);
        apply(before, filled(on(1, "one"), dead));
        OperatorSubtaskState state = checkpoint(before, 1);
        apply(before, filled(on(3, "three"), dead)); // its chunk unfinished when the job dies: stored at 1000

        var after = w.openFilling(spec, state, 1200); // the WAL insert position when the writer opens again
        apply(after, change(on(3, "by 102"), 900, 102)); // restored state knows no fill row of id 3: stamped 900
        apply(after, filled(on(3, "three"), Snapshot.parse("102:110:102", 1300))); // read again, 102 still running
        apply(after, change(on(1, "by 111"), 1400, 111));

        assertThat(titles()).containsExactlyInAnyOrderEntriesOf(Map.of("1", "by 111@1400", "3", "by 102@900"));
        assertThat(w.count(after, WriterMetric.FILL_ROWS_STALE)).isEqualTo(1); // the stream is ahead of it
    }

    @Test
    void aRestoreAtAnotherParallelismKeepsEveryIdsFillAndTheFillHorizon() throws Exception {
        Snapshot s = Snapshot.parse("100:105:102", 1000); // 101 committed, 102 runs
        List<KeyedOneInputStreamOperatorTestHarness<String, MappedEvent, DlqEntry>> two =
                List.of(w.open(spec, null, 2, 0), w.open(spec, null, 2, 1));
        assertThat(LongStream.rangeClosed(1, 8).map(FillStateIT::subtaskOf).distinct())
                .hasSize(2);
        for (long id = 1; id <= 8; id++) {
            apply(two.get(subtaskOf(id)), filled(on(id, "old"), s));
        }
        OperatorSubtaskState state = AbstractStreamOperatorTestHarness.repartitionOperatorState(
                AbstractStreamOperatorTestHarness.repackageState(checkpoint(two.get(0), 1), checkpoint(two.get(1), 1)),
                MAX_PARALLELISM,
                2,
                1,
                0);

        var one = w.open(spec, state, 1, 0);
        for (long id = 1; id <= 8; id++) {
            // no streamed change was applied yet, so only the restored fill horizon says to read each id's state
            apply(one, change(on(id, id <= 4 ? "by 102" : "by 101"), 900 + id, id <= 4 ? 102 : 101));
        }

        for (long id = 1; id <= 8; id++) {
            assertThat(titles()).containsEntry(Long.toString(id), (id <= 4 ? "by 102" : "old") + "@1000");
        }
        assertThat(w.count(one, WriterMetric.CHANGES_IN_FILL)).isEqualTo(4);
    }

    private static int subtaskOf(long id) {
        return KeyGroupRangeAssignment.assignKeyToParallelOperator(Long.toString(id), MAX_PARALLELISM, 2);
    }

    @Test
    void aCheckpointOfTheVersionBeforeFillsIsReadThroughItsLatestLsn() throws Exception {
        var legacy = new KeyedOneInputStreamOperatorTestHarness<>(
                new VersionBeforeFills(), MappedEvent::id, Types.STRING, MAX_PARALLELISM, 1, 0);
        legacy.setStateBackend(new EmbeddedRocksDBStateBackend());
        legacy.open();
        for (long id = 1; id <= 3; id++) {
            legacy.processElement(new StreamRecord<>(change(on(id, "v" + id), 100 * id, 90 + id)));
        }
        OperatorSubtaskState state = legacy.snapshot(1, 1);
        legacy.close();

        var h = w.open(spec, state);
        apply(h, change(on(1, "replayed"), 100, 91)); // at its latest LSN: stale
        apply(h, change(on(1, "new"), 150, 95));
        apply(h, filled(on(2, "filled"), Snapshot.parse("96:96:", 1000))); // after its latest LSN (200)
        apply(h, filled(on(3, "behind"), Snapshot.parse("93:93:", 250))); // its latest LSN (300) is past the horizon

        assertThat(titles()).containsExactlyInAnyOrderEntriesOf(Map.of("1", "new@150", "2", "filled@1000"));
        assertThat(w.count(h, WriterMetric.STALE_DROPPED)).isEqualTo(1);
        assertThat(w.count(h, WriterMetric.FILL_ROWS_STALE)).isEqualTo(1);
    }

    /** The state the writer kept before fills: the latest LSN per id, the newest per subtask; writes nothing. */
    private static final class VersionBeforeFills extends AbstractStreamOperator<DlqEntry>
            implements OneInputStreamOperator<MappedEvent, DlqEntry> {

        private transient ValueState<Long> latestLsn;
        private transient ListState<Long> newestLsn;
        private transient long newest;

        @Override
        public void initializeState(StateInitializationContext context) throws Exception {
            super.initializeState(context);
            latestLsn = context.getKeyedStateStore().getState(new ValueStateDescriptor<>("latest-lsn", Types.LONG));
            newestLsn = context.getOperatorStateStore()
                    .getUnionListState(new ListStateDescriptor<>("newest-lsn", Types.LONG));
        }

        @Override
        public void processElement(StreamRecord<MappedEvent> record) throws Exception {
            latestLsn.update(record.getValue().event().lsn());
            newest = Math.max(newest, record.getValue().event().lsn());
        }

        @Override
        public void snapshotState(StateSnapshotContext context) throws Exception {
            super.snapshotState(context);
            newestLsn.update(List.of(newest));
        }
    }
}
