package io.puffgres.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;

/**
 * The few calls of Flink's REST API a local cluster's start-up and status need: {@code /overview} and {@code
 * /taskmanagers}, plus a plain GET for the rest. Thread-safe.
 */
public final class ClusterRest {

    /** A local cluster answers in milliseconds; a JobManager busy starting may take a few seconds. */
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);

    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI url;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(REQUEST_TIMEOUT).build();

    /** @param url the REST endpoint, e.g. {@code http://localhost:8081} */
    public ClusterRest(URI url) {
        this.url = url;
    }

    public URI url() {
        return url;
    }

    /**
     * The cluster's overview.
     *
     * @param taskManagers TaskManagers registered with the ResourceManager
     * @param slotsTotal their task slots
     * @param slotsAvailable the slots no job uses
     * @param jobsRunning jobs in state RUNNING
     * @param flinkVersion the JobManager's Flink version
     */
    public record Overview(
            int taskManagers, int slotsTotal, int slotsAvailable, int jobsRunning, String flinkVersion) {}

    /** The overview, or empty while the REST API does not answer (not started yet, or stopped). */
    public Optional<Overview> overview() {
        return answer("/overview")
                .map(o -> new Overview(
                        o.path("taskmanagers").asInt(),
                        o.path("slots-total").asInt(),
                        o.path("slots-available").asInt(),
                        o.path("jobs-running").asInt(),
                        o.path("flink-version").asText()));
    }

    /** The resource ids of the registered TaskManagers, or empty while the REST API does not answer. */
    public Optional<Set<String>> taskManagerIds() {
        return answer("/taskmanagers").map(body -> {
            Set<String> ids = new LinkedHashSet<>();
            body.path("taskmanagers").forEach(tm -> ids.add(tm.path("id").asText()));
            return ids;
        });
    }

    /**
     * GETs {@code path} (e.g. {@code /jobs/<id>/checkpoints}) and parses the JSON answer.
     *
     * @throws IOException when the cluster does not answer, or answers with a status other than 200
     */
    public JsonNode get(String path) throws IOException {
        HttpRequest request = HttpRequest.newBuilder(url.resolve(path))
                .timeout(REQUEST_TIMEOUT)
                .GET()
                .build();
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while calling " + request.uri(), e);
        }
        if (response.statusCode() != 200) {
            throw new IOException(
                    "GET " + request.uri() + " answered " + response.statusCode() + ": " + response.body());
        }
        return JSON.readTree(response.body());
    }

    private Optional<JsonNode> answer(String path) {
        try {
            return Optional.of(get(path));
        } catch (IOException notAnswering) {
            return Optional.empty();
        }
    }
}
