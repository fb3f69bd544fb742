package io.puffgres.cli.status;

import com.fasterxml.jackson.databind.JsonNode;
import io.puffgres.cli.FlinkRest;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Reads the poll source's metrics (docs/job.md, "Poll mode") from the Flink REST API: the gauges and counters its
 * reader registers ({@code io.puffgres.poll.PollSource}), the largest over the vertex's subtasks (one subtask reads
 * the slot). Flink prefixes a metric's id with its operator's scope, so a metric is found by the name its id ends
 * with. Stateless.
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
        Map<String, Long> v = values(rest, "/vertices/" + vertexId + "/subtasks/metrics");
        return new JobMetrics.Poll(
                v.getOrDefault(LAST_TIME, 0L),
                v.getOrDefault(ROWS, 0L),
                v.getOrDefault(POLLS, 0L),
                v.getOrDefault(EMPTY, 0L),
                v.getOrDefault(WAIT_MS, 0L),
                v.getOrDefault(READ_LSN, 0L),
                v.getOrDefault(CONFIRMED_LSN, 0L));
    }

    private static Map<String, Long> values(FlinkRest rest, String path) throws IOException {
        Map<String, String> ids = new LinkedHashMap<>(); // metric id -> name
        for (JsonNode available : rest.get(path)) {
            String id = available.path("id").asText();
            ALL.stream()
                    .filter(name -> id.equals(name) || id.endsWith("." + name))
                    .findFirst()
                    .ifPresent(name -> ids.put(id, name));
        }
        Map<String, Long> values = new HashMap<>();
        if (ids.isEmpty()) {
            return values;
        }
        String get = ids.keySet().stream()
                .map(id -> URLEncoder.encode(id, StandardCharsets.UTF_8))
                .collect(Collectors.joining(","));
        for (JsonNode metric : rest.get(path + "?agg=max&get=" + get)) {
            String name = ids.get(metric.path("id").asText());
            // the REST API aggregates as doubles: exact for WAL positions below 2^53 (8 PiB of WAL)
            if (name != null && metric.has("max")) {
                values.put(name, (long) metric.path("max").asDouble());
            }
        }
        return values;
    }
}
