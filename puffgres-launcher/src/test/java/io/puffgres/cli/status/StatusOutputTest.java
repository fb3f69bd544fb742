package io.puffgres.cli.status;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.puffgres.cli.RunFile;
import io.puffgres.fill.FillLedger;
import io.puffgres.stream.WriterMetric;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class StatusOutputTest {

    static final Instant NOW = Instant.parse("2025-01-01T12:00:00Z");

    static final RunFile RUN = new RunFile(
            4242,
            "0123456789abcdef0123456789abcdef",
            "http://localhost:8081",
            "pages",
            "2025-01-01T11:00:00Z",
            RunFile.EMBEDDED);

    /** A job restarted 14 times, the last 20 s ago, whose last streamed write was 70 s ago with a 1.2 s lag. */
    private static final JobMetrics.Snapshot RESTARTING = new JobMetrics.Snapshot(
            "RESTARTING",
            List.of(new JobMetrics.Mapping(
                    "pages",
                    Map.of(
                            WriterMetric.EVENTS_IN, 5.0,
                            WriterMetric.UPSERTS, 5.0,
                            WriterMetric.LAST_FLUSH_EPOCH_MS,
                                    (double) NOW.minusSeconds(70).toEpochMilli(),
                            WriterMetric.LAG_MS, 1200.0,
                            WriterMetric.LAG_AT_EPOCH_MS,
                                    (double) NOW.minusSeconds(70).toEpochMilli()))),
            List.of(),
            new JobMetrics.Checkpoints(3, 0, 0, Optional.of(3L), Optional.of(NOW.minusSeconds(75)), Optional.empty()),
            new JobMetrics.Restarts(
                    14,
                    Optional.of(new JobMetrics.Failure(
                            NOW.minusSeconds(20), "FATAL: role \"puff\" is not permitted to log in"))));

    private static StatusReport unreachable() {
        return new StatusReport(
                Path.of("/p"),
                Optional.of(RUN),
                Optional.of(RESTARTING),
                Optional.empty(),
                Optional.empty(),
                "pages",
                new StatusReport.Postgres.Unreachable("Connection to localhost:1 refused."),
                NOW);
    }

    static String text(StatusReport r) {
        StringWriter text = new StringWriter();
        StatusOutput.text(r, new PrintWriter(text, true));
        return text.toString();
    }

    @Test
    void withPostgresUnreachableTheTextShowsTheJobRestartsAndSaysWhatIsUnknown() {
        assertThat(text(unreachable()))
                .startsWith("puffgres run: pid 4242, job 0123456789abcdef0123456789abcdef, RESTARTING since"
                        + " 2025-01-01T11:00:00Z, web UI http://localhost:8081\n"
                        + "  restarted 14 times, last 20 s ago: FATAL: role \"puff\" is not permitted to log in\n"
                        + "slot pages: unknown, Postgres is unreachable\n"
                        + "checkpoints: 3 completed, 0 failed, last #3 1 min 15 s ago\n"
                        + "events: 5 (0.0/s), batches 0.0/s, retries 0, last flush 1 min 10 s ago, lag 1.2 s as of"
                        + " 1 min 10 s ago\n")
                .contains("1.2 s as of 1 min 10 s ago\n")
                .endsWith("DLQ: unknown, Postgres is unreachable\n");
    }

    @Test
    void withPostgresUnreachableTheJsonCarriesTheJobAndTheError() {
        JsonNode s = StatusOutput.json(unreachable());
        assertThat(s.path("postgres").path("reachable").asBoolean()).isFalse();
        assertThat(s.path("postgres").path("error").asText()).isEqualTo("Connection to localhost:1 refused.");
        assertThat(s.path("job").path("state").asText()).isEqualTo("RESTARTING");
        assertThat(s.path("job").path("restarts").asLong()).isEqualTo(14);
        assertThat(s.path("job").path("last_exception").asText())
                .isEqualTo("FATAL: role \"puff\" is not permitted to log in");
        assertThat(s.path("job").path("last_failure_at").asText()).isEqualTo("2025-01-01T11:59:40Z");
        assertThat(s.path("lag_seconds").asDouble()).isEqualTo(1.2);
        assertThat(s.path("lag_measured_at").asText()).isEqualTo("2025-01-01T11:58:50Z");
        assertThat(s.path("mappings").path(0).path("lag_measured_at").asText()).isEqualTo("2025-01-01T11:58:50Z");
        assertThat(s.path("slot").path("name").asText()).isEqualTo("pages");
        assertThat(s.path("slot").path("exists").isNull()).isTrue();
        assertThat(s.path("slot").path("wal_status").isNull()).isTrue();
        assertThat(s.path("dlq").isNull()).isTrue();
    }

    @Test
    void aLagIsShownWithItsAgeOnceItIsOld() {
        JobMetrics.Lag lag = new JobMetrics.Lag(0.4, NOW.minusSeconds(2));
        assertThat(StatusOutput.lag(Optional.of(lag), NOW)).isEqualTo("0.4 s");
        assertThat(StatusOutput.lag(Optional.of(new JobMetrics.Lag(1.2, NOW.minusSeconds(70))), NOW))
                .isEqualTo("1.2 s as of 1 min 10 s ago");
        assertThat(StatusOutput.lag(Optional.empty(), NOW)).isEqualTo("-");
    }

    @Test
    void aFailureWithoutRestartAndAJobThatNeverFailedReadDifferently() {
        JobMetrics.Failure failure = new JobMetrics.Failure(NOW.minusSeconds(5), "boom");
        assertThat(StatusOutput.restarts(new JobMetrics.Restarts(0, Optional.of(failure)), NOW))
                .contains("failed 5 s ago: boom");
        assertThat(StatusOutput.restarts(new JobMetrics.Restarts(1, Optional.of(failure)), NOW))
                .contains("restarted 1 time, last 5 s ago: boom");
        assertThat(StatusOutput.restarts(new JobMetrics.Restarts(2, Optional.empty()), NOW))
                .contains("restarted 2 times");
        assertThat(StatusOutput.restarts(JobMetrics.Restarts.NONE, NOW)).isEmpty();
    }

    @Test
    void theSlotLineShowsWalStatusSafeWalSizeAndWhatALostSlotMeans() {
        StatusReport.Slot reserved = new StatusReport.Slot(
                true, true, Optional.of("0/1A2B"), Optional.of(42816L), Optional.of("reserved"), Optional.empty());
        assertThat(StatusOutput.slot("pages", reserved))
                .isEqualTo("slot pages: active, checkpoint LSN 0/1A2B, 41.8 KiB of WAL behind, wal_status reserved");
        StatusReport.Slot capped = new StatusReport.Slot(
                true, false, Optional.of("0/1A2B"), Optional.of(0L), Optional.of("extended"), Optional.of(64L << 20));
        assertThat(StatusOutput.slot("pages", capped))
                .isEqualTo("slot pages: inactive, checkpoint LSN 0/1A2B, 0 B of WAL behind, wal_status extended, 64.0"
                        + " MiB more WAL before it is at risk (safe_wal_size)");
        StatusReport.Slot lost = new StatusReport.Slot(
                true, false, Optional.of("0/1A2B"), Optional.of(1L << 30), Optional.of("lost"), Optional.empty());
        assertThat(StatusOutput.slot("pages", lost))
                .endsWith("wal_status lost (invalidated: Postgres removed WAL it needs; see puffgres doctor)");
        assertThat(StatusOutput.slot("pages", StatusReport.Slot.MISSING))
                .isEqualTo("slot pages: does not exist (puffgres run --create-slot creates it)");
    }

    /** Fill #4 of pages, running: 20,000 of ~200,000 rows in 2 chunks by the ledger, planned up to key 20001. */
    private static final FillLedger.Fill FILLING = new FillLedger.Fill(
            4,
            "pages",
            1,
            "pages",
            FillLedger.Reason.INITIAL,
            FillLedger.State.RUNNING,
            NOW.minusSeconds(60),
            Optional.of(NOW.minusSeconds(50)),
            Optional.empty(),
            200_000,
            20_000,
            2,
            Optional.of("20001"),
            Optional.empty());

    private static StatusReport filling(Optional<RunFile> run, Optional<JobMetrics.Snapshot> job) {
        return new StatusReport(
                Path.of("/p"),
                run,
                job,
                Optional.empty(),
                Optional.empty(),
                "pages",
                new StatusReport.Postgres.Read(
                        StatusReport.Slot.MISSING,
                        new StatusReport.Dlq(Map.of(), List.of()),
                        List.of(FILLING),
                        List.of()),
                NOW);
    }

    @Test
    void aRunningFillShowsTheLedgerWithTheLiveSourcesFiguresAndTheWritersFillCounters() {
        JobMetrics.Snapshot job = new JobMetrics.Snapshot(
                "RUNNING",
                List.of(new JobMetrics.Mapping(
                        "pages", Map.of(WriterMetric.FILL_ROWS_STALE, 7.0, WriterMetric.CHANGES_IN_FILL, 3.0))),
                // the enumerator is a chunk ahead of the ledger, written at most once a second
                List.of(new JobMetrics.Fill("pages", 32_000, 1_000.0, 1, 30_000, 3, -1, 200_000)),
                new JobMetrics.Checkpoints(1, 0, 0, Optional.empty(), Optional.empty(), Optional.empty()),
                JobMetrics.Restarts.NONE);
        StatusReport r = filling(Optional.of(RUN), Optional.of(job));
        assertThat(text(r))
                .contains("fills:\n  pages v1 -> namespace pages (initial load, #4): filling: 30,000 of ~200,000 rows"
                        + " (15%), 3 chunk(s) done, 1,000 rows/s, ETA 2 min 50 s, cursor 20001, fill DLQ 1\n")
                .containsPattern("MAPPING +EVENTS .* STALE +FILL STALE +IN FILL +DLQ .*\\npages( +\\S+){6} +7 +3 +0 ");
        JsonNode s = StatusOutput.json(r);
        assertThat(s.path("mappings").path(0).path("fill_rows_stale").asLong()).isEqualTo(7);
        assertThat(s.path("mappings").path(0).path("changes_in_fill").asLong()).isEqualTo(3);
        JsonNode fill = s.path("fills").path(0);
        assertThat(fill.path("live").asBoolean()).isTrue();
        assertThat(fill.path("rows_done").asLong()).isEqualTo(30_000);
        assertThat(fill.path("rows_estimate").asLong()).isEqualTo(200_000);
        assertThat(fill.path("rows_read").asLong()).isEqualTo(32_000);
        assertThat(fill.path("chunks_done").asLong()).isEqualTo(3);
        assertThat(fill.path("chunks_total").isNull()).isTrue(); // not every chunk is planned yet
        assertThat(fill.path("cursor").asText()).isEqualTo("20001");
        assertThat(fill.path("rows_per_second").asDouble()).isEqualTo(1_000.0);
        assertThat(fill.path("eta_seconds").asLong()).isEqualTo(170);
        assertThat(fill.path("dlq").asLong()).isEqualTo(1);
    }

    @Test
    void aRunningFillWithoutARunShowsTheLedgersFiguresAndWhatResumesIt() {
        StatusReport r = filling(Optional.empty(), Optional.empty());
        assertThat(text(r))
                .contains("  pages v1 -> namespace pages (initial load, #4): filling: 20,000 of ~200,000 rows (10%), 2"
                        + " chunk(s) done, cursor 20001; no run is filling it (the next puffgres run resumes it)\n");
        JsonNode fill = StatusOutput.json(r).path("fills").path(0);
        assertThat(fill.path("live").asBoolean()).isFalse();
        assertThat(fill.path("rows_done").asLong()).isEqualTo(20_000);
        for (String unknown : List.of("rows_read", "rows_per_second", "eta_seconds", "dlq", "chunks_total")) {
            assertThat(fill.path(unknown).isNull()).as(unknown).isTrue();
        }
    }
}
