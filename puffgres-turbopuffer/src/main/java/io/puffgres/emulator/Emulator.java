package io.puffgres.emulator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

/**
 * A local turbopuffer: the HTTP API of turbopuffer-api.md served from memory (optionally persisted), for offline
 * development, CI and tests. Built on the JDK's own {@code com.sun.net.httpserver} (no dependency, ships with every
 * JDK, plenty for a development server). Fault injection ({@link #faults()}) and counters ({@link #stats()}) make
 * it a test double for reliability tests. Thread-safe; requests to one namespace are serialised.
 */
public final class Emulator implements AutoCloseable {

    /** Handler threads; the emulator serves one developer's job or a test suite. */
    static final int THREADS = 8;

    /** Request bodies parse floats with Jackson's fast parser (the same doubles as {@code Double.parseDouble}). */
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
            .enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER)
            .build();

    private static final Pattern NAMESPACE_PATH =
            Pattern.compile("/v([12])/namespaces/([^/]+)(?:/(query|explain_query|schema|metadata|hint_cache_warm))?");
    private static final Pattern NAMESPACE_NAME = Pattern.compile("[A-Za-z0-9_.-]+");
    private static final int MAX_NAMESPACE_LENGTH = 128;
    /**
     * turbopuffer's answer to a missing or wrong key has the documented error shape; its exact text is not published
     * (turbopuffer-api.md §1 marks it unverified), so this one only says what happened.
     */
    static final String UNAUTHORIZED = "unauthorized: missing or invalid API key";

    private final HttpServer server;
    private final ExecutorService executor;
    private final NamespaceStore store;
    private final Faults faults = new Faults();
    private final Map<String, LongAdder> requests = new ConcurrentHashMap<>();
    private final LongAdder documentsWritten = new LongAdder();
    private final Clock clock;
    private volatile String requiredApiKey;

    private Emulator(HttpServer server, NamespaceStore store, Clock clock) {
        this.server = server;
        this.store = store;
        this.clock = clock;
        this.executor = Executors.newFixedThreadPool(THREADS, r -> {
            Thread t = new Thread(r, "tpuf-emulator");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", this::handle);
    }

    /** The address the emulator listens on unless told otherwise: loopback, so nothing else can reach it. */
    public static final String LOOPBACK = "127.0.0.1";

    /**
     * Starts an emulator on {@code 127.0.0.1:port} (0 = a free port).
     *
     * @param dataDir where namespaces are persisted, or null to keep them in memory only
     */
    public static Emulator start(int port, Path dataDir) throws IOException {
        return start(LOOPBACK, port, dataDir);
    }

    /**
     * Starts an emulator on {@code bind:port} (0 = a free port). A wider address than loopback is for a container,
     * where the other services reach it over the container network (e.g. {@code 0.0.0.0} in docker-compose.yml).
     *
     * @param bind an IP literal of this machine, or {@code 0.0.0.0} for every interface
     * @param dataDir where namespaces are persisted, or null to keep them in memory only
     */
    public static Emulator start(String bind, int port, Path dataDir) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(bind, port), 0);
        Emulator emulator = new Emulator(server, new NamespaceStore(dataDir), Clock.systemUTC());
        server.start();
        return emulator;
    }

    /**
     * Where a client on this machine reaches it: {@code http://127.0.0.1:PORT}, or the bound address when the emulator
     * listens on one address other than the wildcard.
     */
    public String baseUrl() {
        InetAddress bound = server.getAddress().getAddress();
        String host = bound.isAnyLocalAddress() ? LOOPBACK : bound.getHostAddress();
        host = host.contains(":") ? "[" + host + "]" : host;
        return "http://" + host + ":" + server.getAddress().getPort();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** Fault injection; applies to API requests, not to the {@code /_emulator} control endpoints. */
    public Faults faults() {
        return faults;
    }

    /**
     * Requires {@code Authorization: Bearer <apiKey>} on API requests from now on, answering others with 401 as
     * turbopuffer does; {@code null} accepts any key again (the default). The control endpoints stay open.
     */
    public Emulator requireApiKey(String apiKey) {
        this.requiredApiKey = apiKey;
        return this;
    }

    /** Counters: requests per route, faults injected, documents written. */
    public Map<String, Object> stats() {
        Map<String, Object> out = new TreeMap<>();
        Map<String, Long> byRoute = new TreeMap<>();
        requests.forEach((k, v) -> byRoute.put(k, v.sum()));
        out.put("requests", byRoute);
        out.put("faults", faults.injected());
        out.put("documents_written", documentsWritten.sum());
        return out;
    }

    /** Deletes every namespace and fault and zeroes the counters. */
    public void reset() {
        store.clear();
        faults.clear();
        faults.resetCounters();
        requests.clear();
        documentsWritten.reset();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void handle(HttpExchange ex) throws IOException {
        try {
            String path = ex.getRequestURI().getRawPath();
            if (path.startsWith("/_emulator/")) {
                control(ex, path);
                return;
            }
            String key = requiredApiKey;
            if (key != null && !("Bearer " + key).equals(ex.getRequestHeaders().getFirst("Authorization"))) {
                count("unauthorized");
                ex.getRequestBody().readAllBytes();
                throw new TpufError(401, UNAUTHORIZED);
            }
            Faults.Fault fault = faults.next();
            if (fault != null && inject(ex, fault)) {
                return;
            }
            route(ex, path);
        } catch (TpufError e) {
            error(ex, e);
        } catch (RuntimeException e) {
            error(ex, new TpufError(500, "🐡 Unknown error, if this persists, please contact support!! (" + e + ")"));
        } finally {
            ex.close();
        }
    }

    /** Applies a fault; true when the request is answered (or dropped) by it. */
    private boolean inject(HttpExchange ex, Faults.Fault fault) throws IOException {
        if (fault.latencyMs() > 0) {
            try {
                Thread.sleep(fault.latencyMs());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (fault.drop()) {
            count("fault:drop");
            ex.getRequestBody().readAllBytes();
            // closing before any response header is sent makes the server close the TCP connection
            return true;
        }
        if (fault.status() == 0) {
            return false;
        }
        if (fault.retryAfterMs() != null) {
            ex.getResponseHeaders().add("retry-after-ms", fault.retryAfterMs().toString());
        }
        if (fault.retryAfterSeconds() != null) {
            ex.getResponseHeaders().add("Retry-After", fault.retryAfterSeconds().toString());
        }
        if (fault.shouldRetry() != null) {
            ex.getResponseHeaders().add("x-should-retry", fault.shouldRetry().toString());
        }
        ex.getRequestBody().readAllBytes();
        error(ex, new TpufError(fault.status(), "injected fault " + fault.status()));
        return true;
    }

    private void route(HttpExchange ex, String path) throws IOException {
        String method = ex.getRequestMethod();
        if (path.equals("/v1/namespaces") && method.equals("GET")) {
            count("list");
            send(ex, 200, list(query(ex)));
            return;
        }
        Matcher m = NAMESPACE_PATH.matcher(path);
        if (!m.matches()) {
            throw new TpufError(404, "🤷 no such route: " + method + " " + path);
        }
        String version = m.group(1);
        String name = checkName(URLDecoder.decode(m.group(2), StandardCharsets.UTF_8));
        String action = m.group(3) == null ? "" : m.group(3);
        Instant now = clock.instant();
        switch (method + " " + action) {
            case "POST " -> {
                count("write");
                ObjectNode body = objectBody(ex);
                ObjectNode result = store.write(name, body, now);
                documentsWritten.add(result.path("rows_affected").asLong());
                send(ex, 200, result);
            }
            case "DELETE " -> {
                count("delete_namespace");
                store.delete(name);
                send(ex, 200, Values.JSON.objectNode().put("status", "OK"));
            }
            case "POST query" -> {
                count("query");
                send(ex, 200, QueryOp.run(store.get(name), objectBody(ex)));
            }
            case "POST explain_query" -> {
                count("explain_query");
                objectBody(ex);
                store.get(name);
                send(ex, 200, Values.JSON.objectNode().put("plan_text", "exhaustive scan (emulator)"));
            }
            case "GET schema" -> {
                count("schema");
                send(ex, 200, store.get(name).schemaJson());
            }
            case "POST schema" -> {
                count("update_schema");
                send(ex, 200, store.updateSchema(name, body(ex), now));
            }
            case "GET metadata", "PATCH metadata" -> {
                count("metadata");
                if (method.equals("PATCH")) {
                    body(ex);
                }
                send(ex, 200, store.get(name).metadata());
            }
            case "GET hint_cache_warm" -> {
                count("hint_cache_warm");
                store.get(name);
                send(
                        ex,
                        202,
                        Values.JSON.objectNode().put("status", "ACCEPTED").put("message", "cache warm hint accepted"));
            }
            default ->
                throw new TpufError(405, "💔 method " + method + " not allowed on " + path + " (v" + version + ")");
        }
    }

    private ObjectNode list(Map<String, String> params) {
        int pageSize = 1000;
        if (params.containsKey("page_size")) {
            try {
                pageSize = Integer.parseInt(params.get("page_size"));
            } catch (NumberFormatException e) {
                pageSize = -1;
            }
            if (pageSize < 1 || pageSize > 1000) {
                throw TpufError.badRequest("💔 Page size must be in range 1..=1000, was " + params.get("page_size"));
            }
        }
        String after = null;
        if (params.containsKey("cursor") && !params.get("cursor").isEmpty()) {
            try {
                after = new String(Base64.getUrlDecoder().decode(params.get("cursor")), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw new TpufError(
                        500, "🐡 Unknown error, if this persists, please contact support!! We'll be happy to help :)");
            }
        }
        String prefix = params.getOrDefault("prefix", "");
        List<String> names = store.names();
        ObjectNode out = Values.JSON.objectNode();
        ArrayNode page = out.putArray("namespaces");
        String last = null;
        boolean more = false;
        for (String n : names) {
            if (!n.startsWith(prefix) || (after != null && n.compareTo(after) <= 0)) {
                continue;
            }
            if (page.size() == pageSize) {
                more = true;
                break;
            }
            page.addObject().put("id", n);
            last = n;
        }
        if (more) {
            out.put(
                    "next_cursor",
                    Base64.getUrlEncoder().withoutPadding().encodeToString(last.getBytes(StandardCharsets.UTF_8)));
        } else {
            out.putNull("next_cursor");
        }
        return out;
    }

    private static String checkName(String name) {
        if (name.length() > MAX_NAMESPACE_LENGTH) {
            throw new TpufError(
                    400,
                    "Invalid URL: Namespace `" + name + "` is too long, limit is currently " + MAX_NAMESPACE_LENGTH
                            + " characters",
                    true,
                    null);
        }
        if (!NAMESPACE_NAME.matcher(name).matches()) {
            throw new TpufError(
                    400, "Invalid URL: Namespace contains invalid characters, must be [A-Za-z0-9-_.]", true, null);
        }
        return name;
    }

    private void control(HttpExchange ex, String path) throws IOException {
        switch (ex.getRequestMethod() + " " + path) {
            case "POST /_emulator/faults" -> {
                faults.configure(body(ex));
                send(ex, 200, JSON.valueToTree(stats()));
            }
            case "GET /_emulator/stats" -> send(ex, 200, JSON.valueToTree(stats()));
            case "POST /_emulator/reset" -> {
                reset();
                send(ex, 200, Values.JSON.objectNode().put("status", "OK"));
            }
            default -> throw new TpufError(404, "🤷 no such control endpoint: " + path);
        }
    }

    private void count(String route) {
        requests.computeIfAbsent(route, k -> new LongAdder()).increment();
    }

    private static Map<String, String> query(HttpExchange ex) {
        Map<String, String> params = new TreeMap<>();
        String q = ex.getRequestURI().getRawQuery();
        if (q != null) {
            for (String pair : q.split("&")) {
                int eq = pair.indexOf('=');
                String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                params.put(k, v);
            }
        }
        return params;
    }

    private static JsonNode body(HttpExchange ex) throws IOException {
        InputStream in = ex.getRequestBody();
        if ("gzip".equalsIgnoreCase(ex.getRequestHeaders().getFirst("Content-Encoding"))) {
            in = new GZIPInputStream(in);
        }
        byte[] bytes = in.readAllBytes();
        try {
            JsonNode node = JSON.readTree(bytes);
            if (node == null) {
                throw TpufError.badRequest("Failed to parse the request body as JSON: EOF while parsing a value");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw TpufError.badRequest("Failed to parse the request body as JSON: " + e.getOriginalMessage());
        }
    }

    private static ObjectNode objectBody(HttpExchange ex) throws IOException {
        JsonNode body = body(ex);
        if (!body.isObject()) {
            throw TpufError.unprocessable("", "invalid type: " + Values.kind(body) + ", expected a map");
        }
        return (ObjectNode) body;
    }

    private static void send(HttpExchange ex, int status, JsonNode body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
    }

    private static void error(HttpExchange ex, TpufError e) throws IOException {
        byte[] bytes;
        if (e.plainText) {
            bytes = e.getMessage().getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        } else {
            ObjectNode body = Values.JSON.objectNode().put("status", "error").put("error", e.getMessage());
            if (e.attribute != null) {
                body.put("attribute", e.attribute);
            }
            bytes = JSON.writeValueAsBytes(body);
            ex.getResponseHeaders().set("Content-Type", "application/json");
        }
        ex.sendResponseHeaders(e.status, bytes.length);
        ex.getResponseBody().write(bytes);
    }
}
