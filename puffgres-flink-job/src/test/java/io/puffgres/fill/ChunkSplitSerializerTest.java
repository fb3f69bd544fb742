package io.puffgres.fill;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/**
 * Chunks and the enumerator's state survive serialization, bounds of any length and text included, sweep pages too;
 * what the version before sweeps wrote is read.
 */
class ChunkSplitSerializerTest {

    @Test
    void chunkSplitsRoundTrip() throws Exception {
        String longKey = "é".repeat(70_000); // past writeUTF's 64 KB
        for (ChunkSplit split : List.of(
                new ChunkSplit(Chunk.range(0, List.of(), List.of("100")), 0),
                new ChunkSplit(Chunk.range(3, List.of("7", "a, b"), List.of("9", longKey)), 42),
                new ChunkSplit(Chunk.ofNullKeys(12), Long.MAX_VALUE),
                new ChunkSplit(Chunk.sweep(13, List.of("1", "5", "9")), 7),
                new ChunkSplit(Chunk.sweep(14, List.of()), 8))) {
            byte[] bytes = ChunkSplitSerializer.INSTANCE.serialize(split);
            assertThat(ChunkSplitSerializer.INSTANCE.deserialize(ChunkSplitSerializer.INSTANCE.getVersion(), bytes))
                    .isEqualTo(split);
        }
    }

    @Test
    void chunksOfTheVersionBeforeSweepsAreRead() throws Exception {
        DataOutputSerializer out = new DataOutputSerializer(64);
        out.writeInt(3); // index, then the NULL-key flag and the bounds
        out.writeBoolean(false);
        ChunkSplitSerializer.writeValues(List.of("7"), out);
        ChunkSplitSerializer.writeValues(List.of("9"), out);
        out.writeLong(42);
        assertThat(ChunkSplitSerializer.INSTANCE.deserialize(1, out.getCopyOfBuffer()))
                .isEqualTo(new ChunkSplit(Chunk.range(3, List.of("7"), List.of("9")), 42));
    }

    @Test
    void enumeratorStateRoundTrips() throws Exception {
        FillEnumeratorState state = new FillEnumeratorState(
                new PlanCursor(9, List.of("2026-01-01 00:00:00+00", "x"), PlanCursor.Stage.RANGES),
                List.of(
                        Chunk.range(4, List.of("1", "a"), List.of("2", "b")),
                        Chunk.ofNullKeys(8),
                        Chunk.sweep(10, List.of("x", "y"))),
                5,
                51_234);
        FillEnumeratorStateSerializer serializer = FillEnumeratorStateSerializer.INSTANCE;
        assertThat(serializer.deserialize(serializer.getVersion(), serializer.serialize(state)))
                .isEqualTo(state);
        FillEnumeratorState sweeping = new FillEnumeratorState(
                new PlanCursor(12, List.of("41235"), PlanCursor.Stage.SWEEP), List.of(), 11, 900);
        assertThat(serializer.deserialize(serializer.getVersion(), serializer.serialize(sweeping)))
                .isEqualTo(sweeping);
    }

    @Test
    void chunksDescribeThemselvesForLogsAndTheLedger() {
        assertThat(Chunk.range(0, List.of(), List.of("100"))).hasToString("#0 [start, 100)");
        assertThat(Chunk.range(1, List.of("1", "a"), List.of())).hasToString("#1 [(1, a), end)");
        assertThat(Chunk.ofNullKeys(2)).hasToString("#2 key IS NULL");
        assertThat(Chunk.sweep(3, List.of("1", "5", "9"))).hasToString("#3 sweep of 3 ids [1, 9]");
        assertThat(Chunk.sweep(4, List.of())).hasToString("#4 sweep of no ids");
        assertThat(new PlanCursor(5, List.of("41235"), PlanCursor.Stage.SWEEP).describe())
                .isEqualTo("sweep after 41235");
        assertThat(new PlanCursor(3, List.of("5"), PlanCursor.Stage.RANGES).describe())
                .isEqualTo("5");
        assertThat(new PlanCursor(4, List.of(), PlanCursor.Stage.NULL_KEYS).describe())
                .isEqualTo("NULL keys");
    }
}
