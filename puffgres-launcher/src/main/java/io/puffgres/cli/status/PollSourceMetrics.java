package io.puffgres.cli.status;

import io.puffgres.cli.FlinkRest;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * Reads the poll source's metrics (docs/job.md, "Poll mode") from the Flink REST API: the gauges and counters its
 * reader registers ({@code io.puffgres.poll.PollSource}), the largest over the vertex's subtasks (one subtask reads
 * the slot). Stateless.
 */
final class PollSourceMetrics {

    /** The poll source's operator is named {@code postgres poll}; a vertex that runs it carries the name. */
    static final String NAME = "postgres poll";

    static final String LAST_TIME = "pollLastTime";
    static final String ROWS = "pollRows";
    static final String POLLS = "polls";
    static final String EMPTY = "pollsEmpty";
    static final String WAIT_MS = "pollWaitMs";
    static final String READ_LSN = "pollReadLsn";
    static final String CONFIRMED_LSN = "pollConfirmedLsn";

    private static final List<String> ALL = List.of(LAST_TIME, ROWS, POLLS, EMPTY, WAIT_MS, READ_LSN, CONFIRMED_LSN);

    private PollSourceMetrics() {}

    /** Whether a vertex, by its name, runs the poll source (chained with what follows it, or alone). */
    static boolean runs(String vertexName) {
        return vertexName.contains(NAME);
    }

    /** The poll source's figures in vertex {@code vertexId}; each one not reported yet reads 0. */
    static JobMetrics.Poll read(FlinkRest rest, String vertexId) throws IOException {
        // the REST API aggregates as doubles: exact for WAL positions below 2^53 (8 PiB of WAL)
        Map<String, Double> v = OperatorMetrics.read(rest, "/vertices/" + vertexId + "/subtasks/metrics", ALL, "max");
        return new JobMetrics.Poll(
                v.getOrDefault(LAST_TIME, 0.0).longValue(),
                v.getOrDefault(ROWS, 0.0).longValue(),
                v.getOrDefault(POLLS, 0.0).longValue(),
                v.getOrDefault(EMPTY, 0.0).longValue(),
                v.getOrDefault(WAIT_MS, 0.0).longValue(),
                v.getOrDefault(READ_LSN, 0.0).longValue(),
                v.getOrDefault(CONFIRMED_LSN, 0.0).longValue());
    }
}
