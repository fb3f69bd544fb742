package io.puffgres.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.puffgres.job.PuffgresJob;
import io.puffgres.sink.WriterMetric;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Reads a running puffgres job from the Flink REST API ({@code /jobs/:id}, {@code /jobs/:id/vertices/:vid/subtasks/
 * metrics}, {@code /jobs/:id/checkpoints}): its state, each mapping's writer metrics summed over subtasks (the
 * latest of the time gauges) and its checkpoints. Flink refreshes these metrics every second (see JobRunner), so a
 * read may lag that much. Thread-safe; each {@link #read()} makes a few HTTP calls.
 */
final class JobMetrics {

    /** How long one REST call may take: the REST server is local, a slow answer means a struggling process. */
    static final Duration TIMEOUT = Duration.ofSeconds(5);

    /** Time gauges, of which the latest subtask counts; everything else is summed. */
    private static final List<WriterMetric> LATEST = List.of(WriterMetric.LAST_FLUSH_EPOCH_MS, WriterMetric.LAG_MS);

    /** The histogram has no single value; the REST API shows it as several. */
    private static final List<WriterMetric> READ = List.of(WriterMetric.values()).stream()
            .filter(m -> m != WriterMetric.WRITE_LATENCY_MS)
            .toList();

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One read of the job. */
    record Snapshot(String state, List<Mapping> mappings, Checkpoints checkpoints) {

        /** The sum of {@code metric} over the mappings. */
        double total(WriterMetric metric) {
            return mappings.stream().mapToDouble(m -> m.value(metric)).sum();
        }

        /** The largest {@code metric} over the mappings (0 without mappings). */
        double max(WriterMetric metric) {
            return mappings.stream().mapToDouble(m -> m.value(metric)).max().orElse(0);
        }
    }

    /** One mapping's writer metrics; a metric not reported yet reads 0. */
    record Mapping(String name, Map<WriterMetric, Double> values) {
        double value(WriterMetric metric) {
            return values.getOrDefault(metric, 0.0);
        }

        long count(WriterMetric metric) {
            return (long) value(metric);
        }
    }

    /** Checkpoint counts and the last completed one, if any. */
    record Checkpoints(long completed, long failed, long inProgress, Optional<Long> lastId, Optional<Instant> lastAt) {}

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    private final String jobUrl;

    /** @param restUrl e.g. {@code http://localhost:8081} (the run file's restUrl) */
    JobMetrics(String restUrl, String jobId) {
        this.jobUrl = restUrl.replaceAll("/+$", "") + "/jobs/" + jobId;
    }

    Snapshot read() throws IOException {
        JsonNode job = get(jobUrl);
        List<Mapping> mappings = new ArrayList<>();
        for (JsonNode vertex : job.path("vertices")) {
            String name = vertex.path("name").asText();
            int at = name.indexOf(PuffgresJob.WRITE_SUFFIX);
            if (at > 0) {
                int start = name.lastIndexOf(" -> ", at); // a chained vertex names every operator
                String mapping = name.substring(start < 0 ? 0 : start + " -> ".length(), at);
                mappings.add(new Mapping(mapping, metrics(vertex.path("id").asText())));
            }
        }
        return new Snapshot(job.path("state").asText(), mappings, checkpoints());
    }

    private Map<WriterMetric, Double> metrics(String vertexId) throws IOException {
        String base = jobUrl + "/vertices/" + vertexId + "/subtasks/metrics";
        Map<String, WriterMetric> ids = new LinkedHashMap<>();
        for (JsonNode available : get(base)) {
            // "<operator>.<metric>", the operator name made safe ("pages: apply + write" -> "pages__apply_+_write");
            // in the writer's vertex only the writer registers these names
            String id = available.path("id").asText();
            for (WriterMetric m : READ) {
                if (id.endsWith("." + m.id())) {
                    ids.put(id, m);
                }
            }
        }
        Map<WriterMetric, Double> values = new EnumMap<>(WriterMetric.class);
        if (ids.isEmpty()) {
            return values; // the operator has not registered its metrics yet
        }
        String query = ids.keySet().stream()
                .map(id -> URLEncoder.encode(id, StandardCharsets.UTF_8))
                .collect(Collectors.joining(","));
        for (JsonNode metric : get(base + "?agg=sum,max&get=" + query)) {
            WriterMetric m = ids.get(metric.path("id").asText());
            if (m != null) {
                values.put(m, metric.path(LATEST.contains(m) ? "max" : "sum").asDouble());
            }
        }
        return values;
    }

    private Checkpoints checkpoints() throws IOException {
        JsonNode c = get(jobUrl + "/checkpoints");
        JsonNode counts = c.path("counts");
        JsonNode last = c.path("latest").path("completed");
        boolean any = last.isObject();
        return new Checkpoints(
                counts.path("completed").asLong(),
                counts.path("failed").asLong(),
                counts.path("in_progress").asLong(),
                any ? Optional.of(last.path("id").asLong()) : Optional.empty(),
                any
                        ? Optional.of(Instant.ofEpochMilli(
                                last.path("latest_ack_timestamp").asLong()))
                        : Optional.empty());
    }

    private JsonNode get(String url) throws IOException {
        HttpRequest request =
                HttpRequest.newBuilder(URI.create(url)).timeout(TIMEOUT).GET().build();
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while reading " + url, e);
        }
        if (response.statusCode() != 200) {
            throw new IOException("Flink REST API: GET " + url + " returned " + response.statusCode() + ": "
                    + response.body().strip());
        }
        return JSON.readTree(response.body());
    }
}
