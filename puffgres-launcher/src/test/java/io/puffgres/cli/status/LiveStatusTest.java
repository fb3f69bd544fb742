package io.puffgres.cli.status;

import static org.assertj.core.api.Assertions.assertThat;

import io.puffgres.stream.WriterMetric;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The status line a running {@code puffgres run} prints: sums over mappings, its rate, an old lag, restarts. */
class LiveStatusTest {

    private static final Instant NOW = Instant.parse("2025-01-01T12:00:00Z");

    @Test
    void theLiveLineSumsCountsAndTakesTheLatestFlushAndTheLargestLagOverMappings() {
        JobMetrics.Snapshot s = new JobMetrics.Snapshot(
                "RUNNING",
                List.of(
                        new JobMetrics.Mapping(
                                "pages",
                                Map.of(
                                        WriterMetric.EVENTS_IN, 1000.0,
                                        WriterMetric.EVENTS_PER_SECOND, 12.5,
                                        WriterMetric.UPSERTS, 990.0,
                                        WriterMetric.DLQ, 1.0,
                                        WriterMetric.LAST_FLUSH_EPOCH_MS, epochMs(NOW.minusSeconds(9)),
                                        WriterMetric.LAG_MS, 400.0,
                                        WriterMetric.LAG_AT_EPOCH_MS, epochMs(NOW.minusSeconds(9)))),
                        new JobMetrics.Mapping(
                                "users",
                                Map.of(
                                        WriterMetric.EVENTS_IN, 234.0,
                                        WriterMetric.UPSERTS, 200.0,
                                        WriterMetric.LAST_FLUSH_EPOCH_MS, epochMs(NOW.minusSeconds(2)),
                                        WriterMetric.LAG_MS, 1500.0,
                                        WriterMetric.LAG_AT_EPOCH_MS, epochMs(NOW.minusSeconds(2))))),
                List.of(),
                new JobMetrics.Checkpoints(0, 0, 0, Optional.empty(), Optional.empty(), Optional.empty()),
                JobMetrics.Restarts.NONE);
        assertThat(LiveStatus.line(s, NOW, new LiveStatus.Sample(1184, NOW.minusSeconds(4))))
                .isEqualTo("events 1234 (12.5/s), upserts 1190, DLQ 1, last flush 2 s ago, lag 1.5 s");
    }

    @Test
    void theLiveLinesRateNeedsTwoSamplesOfOneRunOfTheJob() {
        JobMetrics.Snapshot s = running(
                Map.of(
                        WriterMetric.EVENTS_IN, 2552.0,
                        // Flink's meter before its first update: 0 however many events went by
                        WriterMetric.EVENTS_PER_SECOND, 0.0,
                        WriterMetric.UPSERTS, 2552.0),
                JobMetrics.Restarts.NONE);
        String rest = ", upserts 2552, DLQ 0, last flush never, lag -";
        assertThat(LiveStatus.line(s, NOW, null)).isEqualTo("events 2552" + rest);
        assertThat(LiveStatus.line(s, NOW, new LiveStatus.Sample(2552, NOW.minusSeconds(2))))
                .isEqualTo("events 2552 (0.0/s)" + rest);
        assertThat(LiveStatus.line(s, NOW, new LiveStatus.Sample(52, NOW.minusSeconds(30))))
                .isEqualTo("events 2552 (83.3/s)" + rest);
        // the job restarted in between and counts from zero again: no rate until the next line
        assertThat(LiveStatus.line(s, NOW, new LiveStatus.Sample(9000, NOW.minusSeconds(30))))
                .isEqualTo("events 2552" + rest);
    }

    @Test
    void theLiveLineGivesAnOldLagItsAgeAndCountsRestarts() {
        JobMetrics.Snapshot s = running(
                Map.of(
                        WriterMetric.EVENTS_IN, 10.0,
                        WriterMetric.UPSERTS, 10.0,
                        WriterMetric.LAST_FLUSH_EPOCH_MS, epochMs(NOW.minusSeconds(70)),
                        WriterMetric.LAG_MS, 1200.0,
                        WriterMetric.LAG_AT_EPOCH_MS, epochMs(NOW.minusSeconds(70))),
                new JobMetrics.Restarts(3, Optional.empty()));
        assertThat(LiveStatus.line(s, NOW, new LiveStatus.Sample(10, NOW.minusSeconds(2))))
                .isEqualTo("events 10 (0.0/s), upserts 10, DLQ 0, last flush 1 min 10 s ago, lag 1.2 s as of 1 min"
                        + " 10 s ago, restarted 3 times");
    }

    /** A running job of one mapping, {@code pages}, without checkpoints. */
    private static JobMetrics.Snapshot running(Map<WriterMetric, Double> metrics, JobMetrics.Restarts restarts) {
        return new JobMetrics.Snapshot(
                "RUNNING",
                List.of(new JobMetrics.Mapping("pages", metrics)),
                List.of(),
                new JobMetrics.Checkpoints(0, 0, 0, Optional.empty(), Optional.empty(), Optional.empty()),
                restarts);
    }

    private static double epochMs(Instant at) {
        return at.toEpochMilli();
    }
}
