package io.puffgres.cli.status;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.puffgres.cli.RunFile;
import io.puffgres.stream.WriterMetric;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * {@code status} and the live line of a job in poll mode, rendered from the poll source's metric values: the mode,
 * the last poll's age and changes, the wait, the read and confirmed WAL positions, beside the slot line; a stream shows
 * what it showed before.
 */
class PollStatusTest {

    private static final Instant NOW = StatusOutputTest.NOW;

    private static final RunFile RUN = StatusOutputTest.RUN;

    private static final StatusReport.Slot SLOT = new StatusReport.Slot(
            true, false, Optional.of("0/1A2B0000"), Optional.of(2048L), Optional.of("reserved"), Optional.empty());

    /** The last poll ended 1.5 s ago with 120 changes; read to 0/1A2B3C4D, the slot confirmed at 0/1A2B0000. */
    private static final JobMetrics.Poll POLLED = new JobMetrics.Poll(
            NOW.minusMillis(1_500).toEpochMilli(), 120, 1_234, 1_000, 200, 0x1A2B3C4DL, 0x1A2B0000L);

    private static JobMetrics.Snapshot job(Optional<JobMetrics.Poll> poll) {
        return new JobMetrics.Snapshot(
                "RUNNING",
                List.of(new JobMetrics.Mapping(
                        "pages", Map.of(WriterMetric.EVENTS_IN, 130.0, WriterMetric.UPSERTS, 130.0))),
                List.of(),
                new JobMetrics.Checkpoints(
                        2, 0, 0, Optional.of(2L), Optional.of(NOW.minusSeconds(3)), Optional.empty()),
                JobMetrics.Restarts.NONE,
                poll);
    }

    private static StatusReport report(JobMetrics.Snapshot job) {
        return new StatusReport(
                Path.of("/p"),
                Optional.of(RUN),
                Optional.of(job),
                Optional.empty(),
                Optional.empty(),
                "pages",
                new StatusReport.Postgres.Read(SLOT, new StatusReport.Dlq(Map.of(), List.of()), List.of(), List.of()),
                NOW);
    }

    @Test
    void pollModeShowsThePollFiguresBesideTheSlotLag() {
        assertThat(StatusOutputTest.text(report(job(Optional.of(POLLED)))))
                .contains("slot pages: polled through pages_poll, checkpoint LSN 0/1A2B0000, 2.0 KiB of WAL behind,"
                        + " wal_status reserved\n"
                        + "source: poll (wal2json over SQL), last poll 1 s ago (120 changes), next in 200 ms, read to"
                        + " 0/1A2B3C4D, slot confirmed at 0/1A2B0000 by the last checkpoint, 1234 polls (1000 empty)\n"
                        + "checkpoints: 2 completed");
    }

    @Test
    void aBackedOffWaitReadsInSecondsAndAPollBeforeTheFirstSaysSo() {
        JobMetrics.Poll idle = new JobMetrics.Poll(NOW.minusSeconds(4).toEpochMilli(), 0, 50, 49, 5_000, 0x100L, 0);
        assertThat(StatusOutput.pollLine(idle, NOW))
                .isEqualTo("source: poll (wal2json over SQL), last poll 4 s ago (0 changes), next in 5.0 s, read to"
                        + " 0/100, slot confirmed at - by the last checkpoint, 50 polls (49 empty)");
        assertThat(StatusOutput.pollLine(new JobMetrics.Poll(0, 0, 0, 0, 200, 0, 0), NOW))
                .isEqualTo("source: poll (wal2json over SQL), no poll yet");
    }

    @Test
    void walPositionsReadAsPostgresWritesThem() {
        assertThat(JobMetrics.Poll.lsn(0x1A2B3C4DL)).isEqualTo("0/1A2B3C4D");
        assertThat(JobMetrics.Poll.lsn((0x16L << 32) | 0xB374D848L)).isEqualTo("16/B374D848");
        assertThat(JobMetrics.Poll.lsn(0)).isEqualTo("-");
    }

    @Test
    void theJsonCarriesTheModeAndInPollModeThePollFigures() {
        JsonNode source = StatusOutput.json(report(job(Optional.of(POLLED)))).path("source");
        assertThat(source.path("mode").asText()).isEqualTo("poll");
        assertThat(source.path("last_poll_at").asText()).isEqualTo("2025-01-01T11:59:58.500Z");
        assertThat(source.path("last_poll_changes").asLong()).isEqualTo(120);
        assertThat(source.path("wait_ms").asLong()).isEqualTo(200);
        assertThat(source.path("polls").asLong()).isEqualTo(1_234);
        assertThat(source.path("polls_empty").asLong()).isEqualTo(1_000);
        assertThat(source.path("read_lsn").asText()).isEqualTo("0/1A2B3C4D");
        assertThat(source.path("confirmed_lsn").asText()).isEqualTo("0/1A2B0000");

        JsonNode before = StatusOutput.json(report(job(Optional.of(new JobMetrics.Poll(0, 0, 0, 0, 200, 0, 0)))))
                .path("source");
        assertThat(before.path("last_poll_at").isNull()).isTrue();
        assertThat(before.path("read_lsn").isNull()).isTrue();
        assertThat(before.path("confirmed_lsn").isNull()).isTrue();
    }

    @Test
    void aStreamShowsNoPollFiguresAndItsModeInTheJson() {
        StatusReport stream = report(job(Optional.empty()));
        assertThat(StatusOutputTest.text(stream)).doesNotContain("source:").doesNotContain("poll");
        JsonNode json = StatusOutput.json(stream);
        assertThat(json.path("source").path("mode").asText()).isEqualTo("stream");
        assertThat(json.path("source").has("last_poll_at")).isFalse();
        assertThat(LiveStatus.line(job(Optional.empty()), NOW, null)).doesNotContain("poll");
    }

    @Test
    void theLiveLineSaysWhenTheSourceLastPolled() {
        assertThat(LiveStatus.line(job(Optional.of(POLLED)), NOW, null))
                .isEqualTo("events 130, upserts 130, DLQ 0, last flush never, lag -, polled 1 s ago (120 changes)");
        assertThat(LiveStatus.line(job(Optional.of(new JobMetrics.Poll(0, 0, 0, 0, 200, 0, 0))), NOW, null))
                .endsWith(", lag -, no poll yet");
    }

    @Test
    void aPollThatHasNotEndedLongPastItsWaitIsAStall() {
        Duration after = Duration.ofMinutes(1);
        JobMetrics.Poll recent = new JobMetrics.Poll(NOW.minusSeconds(64).toEpochMilli(), 10, 5, 0, 5_000, 1, 1);
        assertThat(job(Optional.of(recent)).stalled(after, NOW)).isEmpty();
        JobMetrics.Poll stuck = new JobMetrics.Poll(NOW.minusSeconds(95).toEpochMilli(), 10, 5, 0, 5_000, 1, 1);
        assertThat(job(Optional.of(stuck)).stalled(after, NOW))
                .contains("the poll source has not finished a poll for 1 min 30 s past its wait (a long"
                        + " pg_logical_slot_get_changes: a large transaction, or Postgres not answering)");
        assertThat(job(Optional.of(new JobMetrics.Poll(0, 0, 0, 0, 200, 0, 0))).stalled(after, NOW))
                .as("before the first poll the checkpoint rule covers the source")
                .isEmpty();
    }

    @Test
    void findsThePollSourceInAVertexName() {
        assertThat(PollSourceMetrics.runs(
                        "Source: postgres poll -> (pages: route -> pages: lookup -> pages: apply +" + " write)"))
                .isTrue();
        assertThat(PollSourceMetrics.runs("Source: postgres cdc -> pages: route"))
                .isFalse();
    }
}
