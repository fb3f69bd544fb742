package io.puffgres.fill;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Chunks and the enumerator's state survive serialization, bounds of any length and text included. */
class ChunkSplitSerializerTest {

    @Test
    void chunkSplitsRoundTrip() throws Exception {
        String longKey = "é".repeat(70_000); // past writeUTF's 64 KB
        for (ChunkSplit split : List.of(
                new ChunkSplit(Chunk.range(0, List.of(), List.of("100")), 0),
                new ChunkSplit(Chunk.range(3, List.of("7", "a, b"), List.of("9", longKey)), 42),
                new ChunkSplit(Chunk.ofNullKeys(12), Long.MAX_VALUE))) {
            byte[] bytes = ChunkSplitSerializer.INSTANCE.serialize(split);
            assertThat(ChunkSplitSerializer.INSTANCE.deserialize(1, bytes)).isEqualTo(split);
        }
    }

    @Test
    void enumeratorStateRoundTrips() throws Exception {
        FillEnumeratorState state = new FillEnumeratorState(
                new PlanCursor(9, List.of("2026-01-01 00:00:00+00", "x"), PlanCursor.Stage.RANGES),
                List.of(Chunk.range(4, List.of("1", "a"), List.of("2", "b")), Chunk.ofNullKeys(8)),
                5,
                51_234);
        byte[] bytes = FillEnumeratorStateSerializer.INSTANCE.serialize(state);
        assertThat(FillEnumeratorStateSerializer.INSTANCE.deserialize(1, bytes)).isEqualTo(state);
    }

    @Test
    void chunksDescribeThemselvesForLogsAndTheLedger() {
        assertThat(Chunk.range(0, List.of(), List.of("100"))).hasToString("#0 [start, 100)");
        assertThat(Chunk.range(1, List.of("1", "a"), List.of())).hasToString("#1 [(1, a), end)");
        assertThat(Chunk.ofNullKeys(2)).hasToString("#2 key IS NULL");
        assertThat(new PlanCursor(3, List.of("5"), PlanCursor.Stage.RANGES).describe())
                .isEqualTo("5");
        assertThat(new PlanCursor(4, List.of(), PlanCursor.Stage.NULL_KEYS).describe())
                .isEqualTo("NULL keys");
    }
}
