package io.puffgres.embedding;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.puffgres.config.ProjectConfig;
import io.puffgres.config.Secret;
import io.puffgres.transform.Embedder;
import io.puffgres.transform.EmbeddingException;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongConsumer;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * Embeddings from an OpenAI-compatible endpoint: {@code POST {baseUrl}/embeddings} with {@code {"model", "input",
 * "dimensions"?}}, vectors from {@code data[i].embedding}. Retries connection errors, 408, 409, 429 and 5xx with
 * exponential backoff and jitter, honouring {@code Retry-After}; other statuses fail at once. The API key is sent
 * as a bearer token and never appears in messages. Thread-safe.
 *
 * <p>It lives beside the turbopuffer client, not with {@link Embedder} in puffgres-mapping, because that module does
 * no network I/O; this module owns the HTTP clients.
 */
public final class OpenAiEmbedder implements Embedder {

    /** Attempts per request before giving up; transient provider trouble rarely lasts longer. */
    static final int MAX_ATTEMPTS = 5;
    /** First retry delay; doubled per attempt up to {@link #MAX_DELAY}. */
    static final Duration BASE_DELAY = Duration.ofMillis(250);

    static final Duration MAX_DELAY = Duration.ofSeconds(8);

    private static final MediaType JSON_TYPE = MediaType.get("application/json");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String url;
    private final String model;
    private final Optional<Secret> apiKey;
    private final Integer dimensions;
    private final OkHttpClient http;
    private final LongConsumer sleeper;

    /** The embedder described by the {@code [embeddings]} table of puffgres.toml. */
    public static OpenAiEmbedder from(ProjectConfig.Embeddings config) {
        return new OpenAiEmbedder(
                config.baseUrl(),
                config.model(),
                config.apiKey(),
                config.dimensions().orElse(null),
                Duration.ofMillis(config.timeoutMs()));
    }

    public OpenAiEmbedder(String baseUrl, String model, Optional<Secret> apiKey, Integer dimensions, Duration timeout) {
        this(baseUrl, model, apiKey, dimensions, timeout, OpenAiEmbedder::sleep);
    }

    OpenAiEmbedder(
            String baseUrl,
            String model,
            Optional<Secret> apiKey,
            Integer dimensions,
            Duration timeout,
            LongConsumer sleeper) {
        this.url = baseUrl.replaceAll("/+$", "") + "/embeddings";
        this.model = model;
        this.apiKey = apiKey;
        this.dimensions = dimensions;
        this.http = new OkHttpClient.Builder().callTimeout(timeout).build();
        this.sleeper = sleeper;
    }

    @Override
    public List<float[]> embed(List<String> texts) {
        ObjectNode body = JSON.createObjectNode().put("model", model);
        ArrayNode input = body.putArray("input");
        texts.forEach(input::add);
        if (dimensions != null) {
            body.put("dimensions", dimensions);
        }
        Request.Builder request = new Request.Builder().url(url).post(RequestBody.create(body.toString(), JSON_TYPE));
        apiKey.ifPresent(k -> request.header("Authorization", "Bearer " + k.reveal()));
        String lastProblem = "";
        for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
            long retryAfterMs = -1;
            try (Response response = http.newCall(request.build()).execute()) {
                String text = response.body() == null ? "" : response.body().string();
                if (response.isSuccessful()) {
                    return parse(text, texts.size());
                }
                lastProblem = "embeddings provider answered " + response.code() + ": " + errorMessage(text);
                int code = response.code();
                if (code != 408 && code != 409 && code != 429 && code < 500) {
                    throw new EmbeddingException(lastProblem + hint(code));
                }
                retryAfterMs = retryAfterMs(response.header("Retry-After"));
            } catch (IOException e) {
                lastProblem = "embeddings provider unreachable at " + url + ": " + e.getMessage();
            }
            if (attempt < MAX_ATTEMPTS) {
                sleeper.accept(retryAfterMs >= 0 ? retryAfterMs : backoffMs(attempt));
            }
        }
        throw new EmbeddingException(lastProblem + " (gave up after " + MAX_ATTEMPTS + " attempts)");
    }

    private List<float[]> parse(String text, int expected) {
        try {
            JsonNode data = JSON.readTree(text).path("data");
            if (!data.isArray() || data.size() != expected) {
                throw new EmbeddingException(
                        "embeddings provider returned " + data.size() + " vectors for " + expected + " inputs");
            }
            List<float[]> vectors = new ArrayList<>(expected);
            for (int i = 0; i < expected; i++) {
                vectors.add(null);
            }
            for (JsonNode item : data) {
                int index = item.path("index").asInt(vectors.indexOf(null));
                JsonNode embedding = item.path("embedding");
                float[] v = new float[embedding.size()];
                for (int j = 0; j < v.length; j++) {
                    v[j] = (float) embedding.get(j).asDouble();
                }
                vectors.set(index, v);
            }
            return vectors;
        } catch (JsonProcessingException | IndexOutOfBoundsException e) {
            throw new EmbeddingException("embeddings provider returned a malformed body: " + e.getMessage(), e);
        }
    }

    private static String errorMessage(String body) {
        try {
            JsonNode error = JSON.readTree(body).path("error");
            String message = error.isObject() ? error.path("message").asText() : error.asText();
            if (!message.isEmpty()) {
                return message;
            }
        } catch (JsonProcessingException e) {
            // not JSON: show the start of the text below
        }
        return body.length() > 200 ? body.substring(0, 200) + "..." : body;
    }

    private String hint(int code) {
        if (code == 401 || code == 403) {
            return " (hint: check the API key in " + apiKey.map(Secret::envVar).orElse("embeddings.api_key_env") + ")";
        }
        return "";
    }

    static long backoffMs(int attempt) {
        long base = Math.min(MAX_DELAY.toMillis(), BASE_DELAY.toMillis() << (attempt - 1));
        return (long) (base * ThreadLocalRandom.current().nextDouble(0.75, 1.0));
    }

    private static long retryAfterMs(String header) {
        if (header == null) {
            return -1;
        }
        try {
            return Math.min(MAX_DELAY.toMillis() * 4, (long) (Double.parseDouble(header.strip()) * 1000));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EmbeddingException("interrupted while waiting to retry the embeddings request", e);
        }
    }
}
