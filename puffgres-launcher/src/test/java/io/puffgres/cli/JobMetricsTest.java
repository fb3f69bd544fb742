package io.puffgres.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
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
