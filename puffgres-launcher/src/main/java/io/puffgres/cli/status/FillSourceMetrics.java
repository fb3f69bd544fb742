package io.puffgres.cli.status;

import io.puffgres.cli.FlinkRest;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads a running fill source's metrics (docs/job.md, "The fill source") from the Flink REST API: its readers', summed
 * over the vertex's subtasks ({@code /jobs/:id/vertices/:vid/subtasks/metrics}), and its enumerator's, which the
 * JobManager holds ({@code /jobs/:id/vertices/:vid/jm-operator-metrics}). Flink prefixes a metric's id with its
 * operator's scope, so a metric is found by the name its id ends with. Stateless.
 */
final class FillSourceMetrics {

    /** A fill source's operator is named {@code <mapping>: fill} ({@code io.puffgres.fill.FillSource#name}). */
    static final String NAME_SUFFIX = ": fill";

    /** The readers' metrics ({@code FillSource#createReader}): counts since the task started, the rate per second. */
    private static final String ROWS_READ = "fillRowsRead";

    private static final String ROWS_PER_SECOND = "fillRowsPerSecond";
    private static final String DLQ = "fillDlq";

    /** The enumerator's gauges ({@code FillEnumerator#start}); totals not known yet read -1. */
    private static final String CHUNKS_DONE = "fillChunksDone";

    private static final String ROWS_DONE = "fillRowsDone";
    private static final String CHUNKS_TOTAL = "fillChunksTotal";
    private static final String ROWS_ESTIMATE = "fillRowsEstimate";

    private FillSourceMetrics() {}

    /**
     * The fill source of {@code mapping} running in vertex {@code vertexId}; empty when neither its readers nor its
     * enumerator report (the source has finished, or its tasks are not running yet).
     */
    static Optional<JobMetrics.Fill> read(FlinkRest rest, String vertexId, String mapping) throws IOException {
        String vertex = "/vertices/" + vertexId;
        Map<String, Double> readers = OperatorMetrics.read(
                rest, vertex + "/subtasks/metrics", List.of(ROWS_READ, ROWS_PER_SECOND, DLQ), "sum");
        Map<String, Double> enumerator = OperatorMetrics.read(
                rest,
                vertex + "/jm-operator-metrics",
                List.of(CHUNKS_DONE, ROWS_DONE, CHUNKS_TOTAL, ROWS_ESTIMATE),
                null);
        if (readers.isEmpty() && enumerator.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new JobMetrics.Fill(
                mapping,
                readers.getOrDefault(ROWS_READ, 0.0).longValue(),
                readers.getOrDefault(ROWS_PER_SECOND, 0.0),
                readers.getOrDefault(DLQ, 0.0).longValue(),
                enumerator.getOrDefault(ROWS_DONE, 0.0).longValue(),
                enumerator.getOrDefault(CHUNKS_DONE, 0.0).longValue(),
                enumerator.getOrDefault(CHUNKS_TOTAL, -1.0).longValue(),
                enumerator.getOrDefault(ROWS_ESTIMATE, -1.0).longValue()));
    }
}
