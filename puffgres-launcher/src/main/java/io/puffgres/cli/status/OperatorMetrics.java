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
 * An operator's metrics from the Flink REST API, by name: Flink prefixes a metric's id with its operator's scope, so a
 * metric is found by the name its id ends with. Stateless.
 */
final class OperatorMetrics {

    private OperatorMetrics() {}

    /**
     * The metrics of {@code names} that {@code path} lists, by name; one not reported is absent.
     *
     * @param aggregate over the subtasks ({@code "sum"}, {@code "max"}) for {@code …/subtasks/metrics}; null for a path
     *     whose metrics have one value each ({@code …/jm-operator-metrics})
     */
    static Map<String, Double> read(FlinkRest rest, String path, List<String> names, String aggregate)
            throws IOException {
        Map<String, String> ids = new LinkedHashMap<>(); // metric id -> name
        for (JsonNode available : rest.get(path)) {
            String id = available.path("id").asText();
            names.stream()
                    .filter(name -> id.equals(name) || id.endsWith("." + name))
                    .findFirst()
                    .ifPresent(name -> ids.put(id, name));
        }
        Map<String, Double> values = new HashMap<>();
        if (ids.isEmpty()) {
            return values;
        }
        String get = ids.keySet().stream()
                .map(id -> URLEncoder.encode(id, StandardCharsets.UTF_8))
                .collect(Collectors.joining(","));
        String field = aggregate == null ? "value" : aggregate;
        String query = aggregate == null ? "?get=" : "?agg=" + aggregate + "&get=";
        for (JsonNode metric : rest.get(path + query + get)) {
            String name = ids.get(metric.path("id").asText());
            if (name != null && metric.has(field)) {
                values.put(name, metric.path(field).asDouble());
            }
        }
        return values;
    }
}
