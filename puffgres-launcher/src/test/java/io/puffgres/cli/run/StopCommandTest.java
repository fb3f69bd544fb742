package io.puffgres.cli.run;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** What {@code puffgres stop} says it waited for, from the Flink REST API's answers. */
class StopCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant SINCE = Instant.parse("2025-01-01T12:00:00Z");
    private static final Instant NOW = SINCE.plusSeconds(180);

    private static JsonNode json(String text) throws Exception {
        return JSON.readTree(text);
    }

    private static String checkpoint(long id, String status, boolean savepoint, Instant trigger) {
        return String.format(
                "{\"id\": %d, \"status\": \"%s\", \"is_savepoint\": %b, \"trigger_timestamp\": %d,"
                        + " \"num_subtasks\": 3, \"num_acknowledged_subtasks\": 1, \"failure_message\": \"Checkpoint"
                        + " Coordinator is suspending.\"}",
                id, status, savepoint, trigger.toEpochMilli());
    }

    @Test
    void namesTheSavepointTheStopTriggeredAndHowLongItHasBeenInProgress() throws Exception {
        JsonNode checkpoints = json("{\"history\": [" + checkpoint(9, "IN_PROGRESS", true, SINCE.plusMillis(200))
                + ", " + checkpoint(8, "IN_PROGRESS", false, SINCE.minusSeconds(20)) + ", "
                + checkpoint(4, "COMPLETED", true, SINCE.minusSeconds(3600)) + "]}");
        assertThat(StopCommand.waitingFor(json("{\"state\": \"RUNNING\"}"), checkpoints, SINCE, NOW))
                .isEqualTo("the savepoint #9 is still IN_PROGRESS after 2 min 59 s (1 of 3 subtasks acknowledged)");
    }

    @Test
    void saysWhySavepointFailed() throws Exception {
        JsonNode checkpoints = json("{\"history\": [" + checkpoint(9, "FAILED", true, SINCE.plusSeconds(1)) + "]}");
        assertThat(StopCommand.waitingFor(json("{\"state\": \"RUNNING\"}"), checkpoints, SINCE, NOW))
                .isEqualTo("the savepoint #9 FAILED: Checkpoint Coordinator is suspending.");
    }

    @Test
    void withoutASavepointNamesTheCheckpointInProgressOrTheJobState() throws Exception {
        JsonNode older = json("{\"history\": [" + checkpoint(8, "IN_PROGRESS", false, SINCE.minusSeconds(60)) + ", "
                + checkpoint(4, "COMPLETED", true, SINCE.minusSeconds(3600)) + "]}");
        assertThat(StopCommand.waitingFor(json("{\"state\": \"RUNNING\"}"), older, SINCE, NOW))
                .isEqualTo("no savepoint has started; checkpoint #8 is still IN_PROGRESS after 4 min (1 of 3"
                        + " subtasks acknowledged)");
        assertThat(StopCommand.waitingFor(json("{\"state\": \"RESTARTING\"}"), json("{\"history\": []}"), SINCE, NOW))
                .isEqualTo("no savepoint has started; the job is RESTARTING");
        assertThat(StopCommand.waitingFor(json("{\"state\": \"CANCELED\"}"), json("{}"), SINCE, NOW))
                .isEqualTo("the job is CANCELED, but the process has not ended");
    }
}
