package io.puffgres.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.UUID;
import java.util.zip.GZIPOutputStream;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * A raw-HTTP view of a turbopuffer API (the emulator, or real turbopuffer when a key is set) for the contract
 * tests: requests by method, path and JSON text; answers as status, content type and parsed body.
 */
final class ApiTarget implements AutoCloseable {

    record Answer(int status, String contentType, String text, JsonNode json) {}

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final MediaType JSON_TYPE = MediaType.get("application/json");

    final String name;
    private final String baseUrl;
    private final String apiKey;
    private final Emulator emulator;
    private final String prefix = "ct-" + UUID.randomUUID().toString().substring(0, 8) + "-";
    private final OkHttpClient http = new OkHttpClient();

    private ApiTarget(String name, String baseUrl, String apiKey, Emulator emulator) {
        this.name = name;
        this.baseUrl = baseUrl;
        this.apiKey = apiKey;
        this.emulator = emulator;
    }

    static ApiTarget emulator() {
        try {
            Emulator e = Emulator.start(0, null);
            return new ApiTarget("emulator", e.baseUrl(), "tpuf_test", e);
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    /** Real turbopuffer, from TURBOPUFFER_API_KEY and TURBOPUFFER_BASE_URL (default gcp-us-central1). */
    static ApiTarget real(String apiKey) {
        String base = System.getenv().getOrDefault("TURBOPUFFER_BASE_URL", "https://gcp-us-central1.turbopuffer.com");
        return new ApiTarget("turbopuffer", base, apiKey, null);
    }

    boolean isEmulator() {
        return emulator != null;
    }

    /** A namespace name unique to this run, so real-turbopuffer runs never touch other data. */
    String ns(String suffix) {
        return prefix + suffix;
    }

    Answer call(String method, String path, String json) {
        return send(method, path, json == null ? null : RequestBody.create(json, JSON_TYPE), false);
    }

    Answer callGzip(String method, String path, String json) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(bytes)) {
            gzip.write(json.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return send(method, path, RequestBody.create(bytes.toByteArray(), JSON_TYPE), true);
    }

    private Answer send(String method, String path, RequestBody body, boolean gzip) {
        Request.Builder request = new Request.Builder()
                .url(baseUrl + path)
                .header("Authorization", "Bearer " + apiKey)
                .header("X-Stainless-Lang", "java")
                .header("X-Stainless-Retry-Count", "0")
                .method(method, body);
        if (gzip) {
            request.header("Content-Encoding", "gzip");
        }
        try (Response response = http.newCall(request.build()).execute()) {
            String text = response.body() == null ? "" : response.body().string();
            JsonNode json = null;
            try {
                json = text.isEmpty() ? null : JSON.readTree(text);
            } catch (IOException notJson) {
                // text/plain answers stay text
            }
            return new Answer(response.code(), String.valueOf(response.header("Content-Type")), text, json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        if (emulator != null) {
            emulator.close();
        } else {
            // remove every namespace this run created on real turbopuffer
            Answer list = call("GET", "/v1/namespaces?prefix=" + prefix, null);
            if (list.json() != null) {
                list.json()
                        .path("namespaces")
                        .forEach(n ->
                                call("DELETE", "/v2/namespaces/" + n.get("id").asText(), null));
            }
        }
        http.dispatcher().executorService().shutdown();
        http.connectionPool().evictAll();
    }

    @Override
    public String toString() {
        return name;
    }
}
