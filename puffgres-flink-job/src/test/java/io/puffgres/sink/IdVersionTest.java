package io.puffgres.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.puffgres.event.Snapshot;
import org.junit.jupiter.api.Test;

/** The per-id rules of {@link IdVersion}, without Flink; the writer's behaviour is in the fill ITs. */
class IdVersionTest {

    private static final IdVersion NOTHING = new IdVersion(0, -1, null);
    /** Transaction 102 runs; horizon 1000. */
    private static final Snapshot S = Snapshot.parse("100:105:102", 1000);

    @Test
    void aChangeAtOrBeforeTheLatestLsnIsStale() {
        IdVersion v = new IdVersion(500, 90, null);
        assertThat(v.stale(500)).isTrue();
        assertThat(v.stale(499)).isTrue();
        assertThat(v.stale(501)).isFalse();
        assertThat(NOTHING.stale(1)).as("no change applied yet").isFalse();
    }

    @Test
    void aFillRowIsStaleWhenTheLastChangeIsOneItsSnapshotDoesNotSee() {
        assertThat(new IdVersion(900, 102, null).fillRowStale(S))
                .as("102 runs in S")
                .isTrue();
        assertThat(new IdVersion(1100, 105, null).fillRowStale(S))
                .as("105 started after S")
                .isTrue();
        assertThat(new IdVersion(800, 101, null).fillRowStale(S))
                .as("101 committed before S")
                .isFalse();
        assertThat(NOTHING.fillRowStale(S)).isFalse();
    }

    @Test
    void withoutATransactionIdTheLatestLsnDecidesAgainstTheHorizon() {
        assertThat(new IdVersion(999, -1, null).fillRowStale(S)).isFalse();
        assertThat(new IdVersion(1000, -1, null).fillRowStale(S)).isTrue();
    }

    @Test
    void aFillRowIsStaleAfterOneOfASnapshotThatSeesMoreAndWrittenAgainAfterOneThatSeesTheSame() {
        Snapshot newer = Snapshot.parse("103:106:", 1100);
        assertThat(NOTHING.filled(newer).fillRowStale(S)).isTrue();
        assertThat(NOTHING.filled(S).fillRowStale(newer)).isFalse();
        assertThat(NOTHING.filled(S).fillRowStale(Snapshot.parse("100:105:102", 1200)))
                .as("a snapshot that sees the same: the same row, written again (turbopuffer may have lost it)")
                .isFalse();
    }

    @Test
    void aNewerFillRowKeepsTheHigherHorizonOfTheOneBefore() {
        // read in a later snapshot whose horizon was read earlier: its stamp must not fall below the one written
        Snapshot newerLowHorizon = Snapshot.parse("103:106:", 990);
        IdVersion v = NOTHING.filled(S).filled(newerLowHorizon);
        assertThat(v.fill().horizon()).isEqualTo(1000);
        assertThat(v.fill().sees(102)).as("the newer snapshot's visibility").isTrue();
    }

    @Test
    void aChangeBelowTheHorizonIsStampedWithItAndKeepsTheSnapshotOneAtOrAfterItForgetsIt() {
        IdVersion filled = NOTHING.filled(S);
        assertThat(filled.stamp(900)).isEqualTo(1000);
        assertThat(filled.changed(900, 102).fill()).isEqualTo(S);
        assertThat(filled.changed(900, 102).lsn())
                .as("the guard keeps the change's own LSN")
                .isEqualTo(900);
        assertThat(filled.stamp(1000)).isEqualTo(1000);
        assertThat(filled.changed(1000, 106).unfilled()).isTrue();
        assertThat(filled.stamp(1200)).isEqualTo(1200);
    }

    @Test
    void aFillRowNeverMovesTheLatestLsnOrItsTransaction() {
        IdVersion v = new IdVersion(800, 101, null).filled(S);
        assertThat(v.lsn()).isEqualTo(800);
        assertThat(v.txId()).isEqualTo(101);
    }
}
