package io.puffgres.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;

/**
 * One job of the Flink REST API of a {@code puffgres run} (its run file's REST URL and job id): JSON reads of
 * {@code /jobs/:id…}, the stop with a savepoint and the cancel, and reads of the cluster ({@link #cluster}). Every call
 * gives up after {@link #TIMEOUT}. Thread-safe.
 */
public final class FlinkRest {

    /** How long one REST call may take: the REST server is local, a slow answer means a struggling process. */
    public static final Duration TIMEOUT = Duration.ofSeconds(5);

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    private final String baseUrl;
    private final String jobUrl;

    /** @param restUrl e.g. {@code http://localhost:8081} (the run file's restUrl) */
    public FlinkRest(String restUrl, String jobId) {
        this.baseUrl = restUrl.replaceAll("/+$", "");
        this.jobUrl = baseUrl + "/jobs/" + jobId;
    }

    /** {@code GET <restUrl><path>} of the cluster, e.g. {@code /jobs/overview}. */
    public static JsonNode cluster(String restUrl, String path) throws IOException {
        return new FlinkRest(restUrl, "").read(restUrl.replaceAll("/+$", "") + path);
    }

    /**
     * {@code POST /jobs/:id<path>} with a JSON body, e.g. {@code /stop}: Flink's answer (200 or 202), e.g. the
     * trigger id of an asynchronous operation.
     */
    public JsonNode post(String path, JsonNode body) throws IOException {
        HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(jobUrl + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))));
        if (response.statusCode() != 200 && response.statusCode() != 202) {
            throw new IOException("Flink REST API: POST " + jobUrl + path + " returned " + response.statusCode() + ": "
                    + response.body().strip());
        }
        return JSON.readTree(response.body());
    }

    /**
     * {@code GET /jobs/:id<path>}, e.g. {@code ""} (the job), {@code "/checkpoints"}. A call that fails without an
     * answer is made once more: the REST server may close a kept-alive connection just as it is reused ("header
     * parser received no bytes"), and a GET is safe to repeat.
     */
    public JsonNode get(String path) throws IOException {
        return read(jobUrl + path);
    }

    private JsonNode read(String url) throws IOException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).GET();
        HttpResponse<String> response;
        try {
            response = send(request);
        } catch (ConnectException | HttpTimeoutException e) {
            throw e; // nobody listens, or nobody answers: once more would not tell more
        } catch (IOException e) {
            response = send(request);
        }
        if (response.statusCode() != 200) {
            throw new NotOk(
                    response.statusCode(),
                    "Flink REST API: GET " + url + " returned " + response.statusCode() + ": "
                            + response.body().strip());
        }
        return JSON.readTree(response.body());
    }

    /**
     * {@code PATCH /jobs/:id?mode=cancel}: asks Flink to cancel the job (retained checkpoints stay); returns once
     * the request is accepted, not once the job is cancelled. A job Flink no longer knows counts as cancelled.
     */
    public void cancel() throws IOException {
        HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(jobUrl + "?mode=cancel"))
                .method("PATCH", HttpRequest.BodyPublishers.noBody()));
        if (response.statusCode() != 202 && response.statusCode() != 200 && response.statusCode() != 404) {
            throw new IOException("Flink REST API: PATCH " + jobUrl + "?mode=cancel returned " + response.statusCode()
                    + ": " + response.body().strip());
        }
    }

    /** An answer other than 200 OK, e.g. 404 for a job the cluster does not know (any more). */
    public static final class NotOk extends IOException {
        private final int status;

        NotOk(int status, String message) {
            super(message);
            this.status = status;
        }

        public int status() {
            return status;
        }
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws IOException {
        try {
            return http.send(request.timeout(TIMEOUT).build(), HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while calling the Flink REST API at " + baseUrl, e);
        }
    }
}
