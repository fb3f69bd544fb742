package io.puffgres.cli.status;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.puffgres.stream.WriterMetric;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class JobMetricsTest {

    @Test
    void findsEveryWriterInAVertexName() {
        assertThat(JobMetrics.writerMappings("pages: apply + write")).containsExactly("pages");
        assertThat(JobMetrics.writerMappings(
                        "Source: postgres cdc -> pages: route -> pages: lookup -> pages: apply" + " + write"))
                .containsExactly("pages");
        assertThat(JobMetrics.writerMappings("Source: postgres cdc -> (pages_v2: route -> pages_v2: lookup ->"
                        + " pages_v2: apply + write, orgs: route -> orgs: lookup -> orgs: apply + write)"))
                .containsExactly("pages_v2", "orgs");
        assertThat(JobMetrics.writerMappings("dlq: postgres")).isEmpty();
        assertThat(JobMetrics.writerMappings("pages: lookup")).isEmpty();
    }

    @Test
    void findsEveryLookupStageInAVertexName() {
        assertThat(JobMetrics.operatorMappings(
                        "Source: postgres cdc -> (a: route -> a: lookup, b: route -> b: lookup)",
                        WriterMetric.LOOKUP_SUFFIX))
                .containsExactly("a", "b");
    }

    private static JobMetrics.Snapshot snapshot(Map<WriterMetric, Double> values, Optional<Instant> checkpointSince) {
        return new JobMetrics.Snapshot(
                "RUNNING",
                List.of(new JobMetrics.Mapping("pages", values)),
                List.of(),
                new JobMetrics.Checkpoints(1, 0, 1, Optional.of(1L), Optional.empty(), checkpointSince),
                JobMetrics.Restarts.NONE);
    }

    @Test
    void aStalledLookupStageOrWriterSaysWhatIsPending() {
        Instant now = Instant.ofEpochMilli(1_700_000_000_000L);
        JobMetrics.Snapshot s = snapshot(
                Map.of(
                        WriterMetric.LOOKUP_STALLED_MS, 185_000.0,
                        WriterMetric.LOOKUPS_RUNNING, 1.0,
                        WriterMetric.CHANGES_HELD, 256.0,
                        WriterMetric.STALLED_MS, 90_000.0,
                        WriterMetric.WRITES_IN_FLIGHT, 3.0,
                        WriterMetric.PENDING_ROWS, 40.0,
                        WriterMetric.RETRIES, 14.0),
                Optional.of(now.minusSeconds(200)));
        assertThat(s.stalled(Duration.ofMinutes(1), now))
                .contains("mapping pages: lookups have not moved for 3 min 5 s (1 unanswered by Postgres, 256"
                        + " change(s) held behind them); mapping pages: writes have not moved for 1 min 30 s (3"
                        + " unacknowledged by turbopuffer, 40 row(s) buffered, 14 retries); a checkpoint has been in"
                        + " progress for 3 min 20 s");
    }

    @Test
    void aCheckpointInProgressPastTheThresholdWithNothingPendingIsTheSource() {
        Instant now = Instant.ofEpochMilli(1_700_000_000_000L);
        assertThat(snapshot(Map.of(), Optional.of(now.minusSeconds(59))).stalled(Duration.ofMinutes(1), now))
                .isEmpty();
        assertThat(snapshot(Map.of(), Optional.of(now.minusSeconds(61))).stalled(Duration.ofMinutes(1), now))
                .hasValueSatisfying(why -> assertThat(why)
                        .startsWith("a checkpoint has been in progress for 1 min 1 s with nothing pending")
                        .contains("the source is not moving"));
        assertThat(snapshot(Map.of(), Optional.empty()).stalled(Duration.ofMinutes(1), now))
                .isEmpty();
    }

    @Test
    void theLastFailureIsTheNewestEntryOfTheExceptionHistoryWithItsTellingCause() throws Exception {
        JsonNode exceptions = new ObjectMapper().readTree("""
                {"exceptionHistory": {"truncated": false, "entries": [
                  {"exceptionName": "org.apache.flink.util.FlinkRuntimeException", "timestamp": 1700000020000,
                   "taskName": "Source: postgres cdc (1/1)",
                   "stacktrace": "org.apache.flink.util.FlinkRuntimeException: Read split failed\\n\\tat a.B.c(B.java:1)\\nCaused by: org.postgresql.util.PSQLException: FATAL: role \\"puff\\" is not permitted to log in\\n\\tat d.E.f(E.java:2)\\n"},
                  {"exceptionName": "java.lang.IllegalStateException", "timestamp": 1700000010000,
                   "stacktrace": "java.lang.IllegalStateException: older\\n\\tat a.B.c(B.java:1)\\n"}
                ]}}
                """);
        assertThat(JobMetrics.lastFailure(exceptions))
                .contains(new JobMetrics.Failure(
                        Instant.ofEpochMilli(1700000020000L), "FATAL: role \"puff\" is not permitted to log in"));
        assertThat(JobMetrics.lastFailure(new ObjectMapper().readTree("{\"exceptionHistory\": {\"entries\": []}}")))
                .isEmpty();
    }
}
