package io.puffgres.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SnapshotTest {

    @Test
    void seesWhatCommittedBeforeItAndNotWhatRanOrCameAfter() {
        Snapshot s = Snapshot.parse("750:754:750,752", 0x1000);
        assertThat(s.sees(749)).as("before xmin").isTrue();
        assertThat(s.sees(750)).as("running").isFalse();
        assertThat(s.sees(751)).as("between, finished").isTrue();
        assertThat(s.sees(752)).as("running").isFalse();
        assertThat(s.sees(753)).as("between, finished").isTrue();
        assertThat(s.sees(754)).as("xmax: started after").isFalse();
        assertThat(s.sees(9000)).isFalse();
    }

    @Test
    void anEmptyRunningListParses() {
        Snapshot s = Snapshot.parse("5:5:", 1);
        assertThat(s.running()).isEmpty();
        assertThat(s.sees(4)).isTrue();
        assertThat(s.sees(5)).isFalse();
    }

    @Test
    void a32BitIdIsReadInTheSnapshotsEpoch() {
        long epoch = 1L << 32;
        Snapshot s = new Snapshot(epoch + 10, epoch + 20, new long[] {epoch + 15}, 1);
        assertThat(s.sees(12)).as("epoch 1, finished").isTrue();
        assertThat(s.sees(15)).as("epoch 1, running").isFalse();
        assertThat(s.sees(25)).as("after xmax").isFalse();
        assertThat(s.sees(0xFFFFFFF0L)).as("late in epoch 0: long before").isTrue();
        assertThat(s.sees(epoch + 12)).as("already 64-bit").isTrue();
    }

    @Test
    void aWrappedIdNearTheEndOfEpochZeroComparesRight() {
        Snapshot s = new Snapshot(0xFFFFFFF0L, (1L << 32) + 3, new long[] {0xFFFFFFF5L}, 1);
        assertThat(s.sees(0xFFFFFFF2L)).isTrue();
        assertThat(s.sees(0xFFFFFFF5L)).isFalse();
        assertThat(s.sees(1)).as("epoch 1, before xmax").isTrue();
        assertThat(s.sees(3)).as("epoch 1, xmax").isFalse();
        assertThat(s.sees((int) 0xFFFFFFF2L))
                .as("the same id through a signed int")
                .isTrue();
    }

    @Test
    void aLaterSnapshotSeesAllThatAnEarlierOneSees() {
        Snapshot early = Snapshot.parse("750:754:750,752", 1);
        Snapshot sameXmaxOneFinished = Snapshot.parse("750:754:750", 2);
        Snapshot later = Snapshot.parse("752:760:752,757", 3);
        assertThat(later.seesAllOf(early)).isTrue();
        assertThat(early.seesAllOf(later)).isFalse();
        assertThat(sameXmaxOneFinished.seesAllOf(early)).isTrue();
        assertThat(early.seesAllOf(sameXmaxOneFinished)).isFalse();
        assertThat(early.seesAllOf(Snapshot.parse("750:754:750,752", 9)))
                .as("the same visibility, whatever the horizon")
                .isTrue();
    }

    @Test
    void rejectsWhatIsNoSnapshot() {
        assertThatThrownBy(() -> Snapshot.parse("1:2", 0)).hasMessageContaining("not a pg_snapshot: 1:2");
        assertThatThrownBy(() -> Snapshot.parse("9:2:", 0)).hasMessageContaining("xmin 9 is after xmax 2");
    }

    @Test
    void valueSemanticsAndText() {
        Snapshot a = Snapshot.parse("750:754:752,750", 0x16B3748);
        assertThat(a).isEqualTo(Snapshot.parse("750:754:750,752", 0x16B3748)).hasSameHashCodeAs(a);
        assertThat(a.toString()).isEqualTo("750:754:750,752@0/16B3748");
    }
}
