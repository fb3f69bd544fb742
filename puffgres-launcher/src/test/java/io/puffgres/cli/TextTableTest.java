package io.puffgres.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.puffgres.stream.WriterMetric;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TextTableTest {

    private static final Instant NOW = Instant.parse("2025-01-01T12:00:00Z");

    @Test
    void padsColumnsToTheWidestCellAndRightAlignsNumbers() {
        StringWriter text = new StringWriter();
        new TextTable("NAME", "COUNT>", "NOTE")
                .row("pages", 12345, "x")
                .row("a", 7, "")
                .print(new PrintWriter(text, true));
        assertThat(text.toString()).isEqualTo("NAME   COUNT  NOTE\n" + "pages  12345  x\n" + "a          7\n");
    }

    @Test
    void saysHowLongAgoAsADurationPeopleRead() {
        assertThat(TextTable.ago(NOW.minusSeconds(3), NOW)).isEqualTo("3 s ago");
        assertThat(TextTable.ago(NOW.minusSeconds(119), NOW)).isEqualTo("1 min 59 s ago");
        assertThat(TextTable.ago(NOW.minusSeconds(600), NOW)).isEqualTo("10 min ago");
        assertThat(TextTable.ago(NOW.minusSeconds(3 * 3600), NOW)).isEqualTo("3 h ago");
        assertThat(TextTable.ago(NOW.plusSeconds(2), NOW)).isEqualTo("0 s ago");
        assertThat(TextTable.ago(null, NOW)).isEqualTo("never");
    }

    @Test
    void printsADurationInItsTwoLargestUnitsNeverAsIso8601() {
        assertThat(TextTable.duration(Duration.ZERO)).isEqualTo("0 s");
        assertThat(TextTable.duration(Duration.ofMillis(999))).isEqualTo("0 s");
        assertThat(TextTable.duration(Duration.ofSeconds(45))).isEqualTo("45 s");
        assertThat(TextTable.duration(Duration.ofSeconds(59))).isEqualTo("59 s");
        assertThat(TextTable.duration(Duration.ofSeconds(60))).isEqualTo("1 min");
        assertThat(TextTable.duration(Duration.ofMinutes(3))).isEqualTo("3 min");
        assertThat(TextTable.duration(Duration.ofSeconds(100))).isEqualTo("1 min 40 s");
        assertThat(TextTable.duration(Duration.ofMinutes(59).plusSeconds(59))).isEqualTo("59 min 59 s");
        assertThat(TextTable.duration(Duration.ofHours(1))).isEqualTo("1 h");
        assertThat(TextTable.duration(Duration.ofMinutes(65).plusSeconds(30))).isEqualTo("1 h 5 min");
        assertThat(TextTable.duration(Duration.ofHours(27).plusMinutes(59))).isEqualTo("1 d 3 h");
        assertThat(TextTable.duration(Duration.ofDays(400))).isEqualTo("400 d");
        assertThat(TextTable.duration(Duration.ofSeconds(-5))).isEqualTo("0 s");
    }

    @Test
    void printsBytesInBinaryUnits() {
        assertThat(TextTable.bytes(0)).isEqualTo("0 B");
        assertThat(TextTable.bytes(1023)).isEqualTo("1023 B");
        assertThat(TextTable.bytes(42816)).isEqualTo("41.8 KiB");
        assertThat(TextTable.bytes(5L << 30)).isEqualTo("5.0 GiB");
    }

    @Test
    void cutsAMessageToItsFirstLine() {
        assertThat(TextTable.oneLine("first\nsecond", 80)).isEqualTo("first");
        assertThat(TextTable.oneLine("abcdefghij", 5)).isEqualTo("abcd…");
        assertThat(TextTable.oneLine(null, 5)).isEmpty();
    }

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
                new JobMetrics.Checkpoints(0, 0, 0, Optional.empty(), Optional.empty(), Optional.empty()),
                restarts);
    }

    private static double epochMs(Instant at) {
        return at.toEpochMilli();
    }
}
