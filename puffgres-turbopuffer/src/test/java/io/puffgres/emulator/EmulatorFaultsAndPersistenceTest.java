package io.puffgres.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmulatorFaultsAndPersistenceTest {

    private static String body(Emulator e, String method, String path, String json) throws IOException {
        OkHttpClient http =
                new OkHttpClient.Builder().retryOnConnectionFailure(false).build();
        Request.Builder r = new Request.Builder().url(e.baseUrl() + path);
        r.method(
                method,
                json == null ? null : okhttp3.RequestBody.create(json, okhttp3.MediaType.get("application/json")));
        try (Response response = http.newCall(r.build()).execute()) {
            return response.code() + " " + response.header("Retry-After") + " " + response.header("retry-after-ms")
                    + " " + response.header("x-should-retry") + " "
                    + response.body().string();
        }
    }

    @Test
    void injectsQueuedFaultsInOrderThenServesNormally() throws Exception {
        try (Emulator e = Emulator.start(0, null)) {
            e.faults()
                    .enqueue(Faults.Fault.throttle(2), Faults.Fault.status(503))
                    .enqueue(new Faults.Fault(500, 250L, null, false, false, 0));
            String w = "{\"upsert_rows\":[{\"id\":1}]}";
            assertThat(body(e, "POST", "/v2/namespaces/f", w)).startsWith("429 2 null null {\"status\":\"error\"");
            assertThat(body(e, "POST", "/v2/namespaces/f", w)).startsWith("503 null null null");
            assertThat(body(e, "POST", "/v2/namespaces/f", w)).startsWith("500 null 250 false");
            assertThat(body(e, "POST", "/v2/namespaces/f", w)).startsWith("200 ");
            assertThat(e.stats())
                    .containsEntry("faults", Map.of("429", 1L, "500", 1L, "503", 1L))
                    .containsEntry("documents_written", 1L);
        }
    }

    @Test
    void dropsTheConnectionWithoutAnAnswer() throws Exception {
        try (Emulator e = Emulator.start(0, null)) {
            e.faults().enqueue(Faults.Fault.dropConnection());
            assertThatThrownBy(() -> body(e, "POST", "/v2/namespaces/d", "{\"upsert_rows\":[{\"id\":1}]}"))
                    .isInstanceOf(IOException.class);
            assertThat(body(e, "GET", "/v1/namespaces", null)).startsWith("200 ");
            assertThat(e.faults().injected()).containsEntry("drop", 1L);
        }
    }

    @Test
    void isControlledOverHttp() throws Exception {
        try (Emulator e = Emulator.start(0, null)) {
            String configured =
                    body(e, "POST", "/_emulator/faults", "{\"queue\":[{\"status\":409},{\"latency_ms\":50}]}");
            assertThat(configured).startsWith("200 ");
            assertThat(body(e, "GET", "/v1/namespaces", null)).startsWith("409 ");
            long start = System.nanoTime();
            assertThat(body(e, "GET", "/v1/namespaces", null)).startsWith("200 ");
            assertThat((System.nanoTime() - start) / 1_000_000).isGreaterThanOrEqualTo(50);
            assertThat(body(e, "GET", "/_emulator/stats", null))
                    .contains("\"faults\":{\"409\":1,\"latency\":1}")
                    .contains("\"list\":1");
            assertThat(body(e, "POST", "/_emulator/reset", "{}")).startsWith("200 ");
            assertThat(e.stats()).containsEntry("faults", Map.of());
        }
    }

    @Test
    void keepsNamespacesAcrossARestartWithADataDir(@TempDir Path dir) throws Exception {
        try (Emulator e = Emulator.start(0, dir)) {
            body(
                    e,
                    "POST",
                    "/v2/namespaces/p",
                    "{\"schema\":{\"t\":{\"type\":\"string\",\"full_text_search\":true}},"
                            + "\"upsert_rows\":[{\"id\":1,\"t\":\"a\"},{\"id\":2,\"t\":\"b\"}]}");
            body(e, "POST", "/v2/namespaces/p", "{\"deletes\":[1],\"patch_rows\":[{\"id\":2,\"n\":7}]}");
            body(e, "POST", "/v2/namespaces/gone", "{\"upsert_rows\":[{\"id\":1}]}");
            body(e, "DELETE", "/v2/namespaces/gone", null);
        }
        try (Emulator e = Emulator.start(0, dir)) {
            assertThat(body(
                            e,
                            "POST",
                            "/v2/namespaces/p/query",
                            "{\"rank_by\":[\"id\",\"asc\"],\"top_k\":10,\"include_attributes\":true}"))
                    .contains("\"rows\":[{\"id\":2,\"t\":\"b\",\"n\":7}]");
            assertThat(body(e, "GET", "/v1/namespaces/p/schema", null)).contains("\"full_text_search\":true");
            assertThat(body(e, "GET", "/v1/namespaces", null))
                    .contains("\"id\":\"p\"")
                    .doesNotContain("gone");
        }
    }

    @Test
    void aRejectedWriteChangesNothing() throws Exception {
        try (Emulator e = Emulator.start(0, null)) {
            body(e, "POST", "/v2/namespaces/a", "{\"upsert_rows\":[{\"id\":1,\"t\":\"x\"}]}");
            String rejected = body(
                    e,
                    "POST",
                    "/v2/namespaces/a",
                    "{\"upsert_rows\":[{\"id\":2,\"t\":\"y\",\"new_attr\":1},{\"id\":3,\"t\":5}]}");
            assertThat(rejected).startsWith("400 ");
            assertThat(body(e, "GET", "/v1/namespaces/a/schema", null)).doesNotContain("new_attr");
            assertThat(body(e, "POST", "/v2/namespaces/a/query", "{\"aggregate_by\":{\"n\":[\"Count\"]}}"))
                    .contains("\"aggregations\":{\"n\":1}");
            assertThat(body(e, "POST", "/v2/namespaces/never", "{\"upsert_rows\":[{\"id\":1,\"vector\":[1]}]}"))
                    .startsWith("400 ");
            assertThat(body(e, "GET", "/v1/namespaces/never/metadata", null)).startsWith("404 ");
        }
    }
}
