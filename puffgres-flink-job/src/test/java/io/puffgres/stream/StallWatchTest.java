package io.puffgres.stream;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** {@link StallWatch} checked step by step on a clock the test moves: when work counts as stalled, and what then. */
class StallWatchTest {

    private final AtomicLong now = new AtomicLong(1_000_000);
    private final AtomicReference<String> pending = new AtomicReference<>();
    private final List<Throwable> failures = new ArrayList<>();

    private StallWatch watch(long afterMs, long timeoutMs) {
        return new StallWatch(
                "m: lookup (1/1)",
                pending::get,
                afterMs,
                timeoutMs,
                Thread.currentThread(),
                "puffgres-lookup-",
                failures::add,
                now::get);
    }

    private void advance(long ms) {
        now.addAndGet(ms);
    }

    @Test
    void pendingWorkThatDoesNotMoveIsStalledAfterTheThreshold() {
        try (StallWatch w = watch(60_000, 0)) {
            pending.set("1 lookup(s) in Postgres unanswered");
            w.check();
            advance(59_000);
            w.check();
            assertThat(w.stalledMillis()).isZero();
            advance(2_000);
            w.check();
            assertThat(w.stalledMillis()).isEqualTo(61_000);
            advance(1_000);
            assertThat(w.stalledMillis()).isEqualTo(62_000);
        }
    }

    @Test
    void progressOrNothingPendingIsNeverAStall() {
        try (StallWatch w = watch(60_000, 120_000)) {
            w.check();
            advance(3_600_000); // idle for an hour: not stalled, and the clock starts when work comes
            w.check();
            pending.set("3 write(s) unacknowledged");
            w.check();
            for (int i = 0; i < 10; i++) {
                advance(50_000);
                w.progressed();
                w.check();
            }
            assertThat(w.stalledMillis()).isZero();
            assertThat(failures).isEmpty();
        }
    }

    @Test
    void aStallEndsWhenWorkMovesAgain() {
        try (StallWatch w = watch(1_000, 0)) {
            pending.set("2 write(s) unacknowledged");
            w.check();
            advance(5_000);
            w.check();
            assertThat(w.stalledMillis()).isPositive();
            w.progressed();
            w.check();
            assertThat(w.stalledMillis()).isZero();
        }
    }

    @Test
    void aStallThatLastsTheTimeoutFailsTheTaskOnce() {
        try (StallWatch w = watch(60_000, 600_000)) {
            pending.set("1 lookup(s) in Postgres unanswered, 256 change(s) held");
            w.check();
            advance(599_000);
            w.check();
            assertThat(failures).isEmpty();
            advance(1_000);
            w.check();
            advance(10_000);
            w.check();
            assertThat(failures).hasSize(1);
            assertThat(failures.get(0))
                    .isInstanceOf(StallWatch.StalledException.class)
                    .hasMessageContaining("m: lookup (1/1): stalled for 10 min")
                    .hasMessageContaining("256 change(s) held")
                    .hasMessageContaining("[flink] stall_timeout_ms");
        }
    }

    @Test
    void retriesKeepAStallFromFailingTheTaskButNotFromShowing() {
        try (StallWatch w = watch(60_000, 600_000)) {
            pending.set("1 write(s) unacknowledged (turbopuffer retries so far: 40)");
            w.check();
            for (int i = 0; i < 20; i++) {
                advance(60_000);
                w.active();
                w.check();
            }
            assertThat(w.stalledMillis()).isEqualTo(1_200_000);
            assertThat(failures).isEmpty();
        }
    }

    @Test
    void noTimeoutMeansNeverFailing() {
        try (StallWatch w = watch(1_000, 0)) {
            pending.set("1 lookup(s) in Postgres unanswered");
            w.check();
            advance(86_400_000);
            w.check();
            assertThat(w.stalledMillis()).isPositive();
            assertThat(failures).isEmpty();
        }
    }

    @Test
    void theReportShowsTheTaskThreadsStack() {
        try (StallWatch w = watch(1_000, 0)) {
            assertThat(w.threadSummary())
                    .contains("thread \"" + Thread.currentThread().getName() + "\" RUNNABLE")
                    .contains("theReportShowsTheTaskThreadsStack");
        }
    }
}
