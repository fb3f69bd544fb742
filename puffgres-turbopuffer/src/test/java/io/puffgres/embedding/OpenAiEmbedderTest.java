package io.puffgres.embedding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.puffgres.config.ProjectConfig;
import io.puffgres.config.Secret;
import io.puffgres.transform.EmbeddingException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Drives the embedder against a scripted local HTTP server. */
class OpenAiEmbedderTest {

    record Scripted(int status, String body, String retryAfter) {}

    private HttpServer server;
    private final Deque<Scripted> script = new ArrayDeque<>();
    private final List<String> requests = new ArrayList<>();
    private final List<String> authHeaders = new ArrayList<>();
    private final List<Long> sleeps = new ArrayList<>();

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/v1/embeddings", exchange -> {
            requests.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            authHeaders.add(exchange.getRequestHeaders().getFirst("Authorization"));
            Scripted s = script.isEmpty() ? new Scripted(500, "{}", null) : script.poll();
            if (s.retryAfter() != null) {
                exchange.getResponseHeaders().add("Retry-After", s.retryAfter());
            }
            byte[] body = s.body().getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(s.status(), body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private OpenAiEmbedder embedder() {
        return new OpenAiEmbedder(
                "http://127.0.0.1:" + server.getAddress().getPort() + "/v1/",
                "text-embedding-3-small",
                Optional.of(Secret.of("EMBED_KEY", "sk-test-secret")),
                2,
                Duration.ofSeconds(5),
                sleeps::add);
    }

    private static final String OK =
            "{\"data\":[{\"index\":1,\"embedding\":[0.5,0.25]},{\"index\":0,\"embedding\":[1,2]}]}";

    @Test
    void sendsTheOpenAiRequestAndOrdersVectorsByIndex() {
        script.add(new Scripted(200, OK, null));
        List<float[]> vectors = embedder().embed(List.of("a", "b"));
        assertThat(vectors.get(0)).containsExactly(1f, 2f);
        assertThat(vectors.get(1)).containsExactly(0.5f, 0.25f);
        assertThat(requests)
                .containsExactly("{\"model\":\"text-embedding-3-small\",\"input\":[\"a\",\"b\"],\"dimensions\":2}");
        assertThat(authHeaders).containsExactly("Bearer sk-test-secret");
    }

    @Test
    void retriesThrottlingAndServerErrorsHonouringRetryAfter() {
        script.add(new Scripted(429, "{\"error\":{\"message\":\"slow down\"}}", "2"));
        script.add(new Scripted(503, "unavailable", null));
        script.add(new Scripted(200, OK, null));
        assertThat(embedder().embed(List.of("a", "b"))).hasSize(2);
        assertThat(requests).hasSize(3);
        assertThat(sleeps.get(0)).isEqualTo(2000L);
        assertThat(sleeps.get(1)).as("second backoff: 500 ms with jitter").isBetween(375L, 500L);
    }

    @Test
    void failsAtOnceOnAClientErrorWithoutLeakingTheKey() {
        script.add(new Scripted(401, "{\"error\":{\"message\":\"Incorrect API key provided\"}}", null));
        assertThatThrownBy(() -> embedder().embed(List.of("a")))
                .isInstanceOf(EmbeddingException.class)
                .hasMessage("embeddings provider answered 401: Incorrect API key provided (hint: check the API key in"
                        + " EMBED_KEY)")
                .hasMessageNotContaining("sk-test-secret");
        assertThat(requests).hasSize(1);
    }

    @Test
    void isConfiguredFromPuffgresToml() {
        script.add(new Scripted(200, "{\"data\":[{\"index\":0,\"embedding\":[1,2,3]}]}", null));
        OpenAiEmbedder fromConfig = OpenAiEmbedder.from(new ProjectConfig.Embeddings(
                "http://127.0.0.1:" + server.getAddress().getPort() + "/v1",
                "m",
                "EMBED_KEY",
                Optional.of(Secret.of("EMBED_KEY", "sk-config")),
                Optional.of(3),
                5000,
                16));
        assertThat(fromConfig.embed(List.of("x")).get(0)).containsExactly(1f, 2f, 3f);
        assertThat(requests).containsExactly("{\"model\":\"m\",\"input\":[\"x\"],\"dimensions\":3}");
        assertThat(authHeaders).containsExactly("Bearer sk-config");
    }

    @Test
    void givesUpAfterTheLastAttempt() {
        for (int i = 0; i < OpenAiEmbedder.MAX_ATTEMPTS; i++) {
            script.add(new Scripted(500, "{\"error\":\"boom\"}", null));
        }
        assertThatThrownBy(() -> embedder().embed(List.of("a")))
                .isInstanceOf(EmbeddingException.class)
                .hasMessage("embeddings provider answered 500: boom (gave up after 5 attempts)");
        assertThat(requests).hasSize(OpenAiEmbedder.MAX_ATTEMPTS);
        assertThat(sleeps).hasSize(OpenAiEmbedder.MAX_ATTEMPTS - 1);
    }
}
