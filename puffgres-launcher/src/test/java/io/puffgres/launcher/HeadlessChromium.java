package io.puffgres.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;
import org.awaitility.Awaitility;

/**
 * Debian's {@code chromium}, headless, driven over the Chrome DevTools Protocol (a WebSocket, OkHttp's client): enough
 * to open a page, run JavaScript in it and take a screenshot. One browser, one page; not thread-safe.
 *
 * <p>Started with a fresh profile and {@code --remote-debugging-port=0}: Chromium picks the port and writes it into
 * {@code DevToolsActivePort} in the profile, so two browsers never collide. The other flags keep it from reaching
 * out to the network on its own and let it run as root without a GPU.
 */
final class HeadlessChromium implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** How long one DevTools command may take (a navigation or a screenshot of a busy page included). */
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(30);

    private final Process process;
    private final Path profile;
    private final OkHttpClient http;
    private final WebSocket page;
    private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final AtomicInteger ids = new AtomicInteger();

    private HeadlessChromium(Process process, Path profile, OkHttpClient http, String pageSocket) {
        this.process = process;
        this.profile = profile;
        this.http = http;
        this.page = http.newWebSocket(new Request.Builder().url(pageSocket).build(), new Replies());
    }

    /** Starts a browser with a window of {@code width} × {@code height} CSS pixels showing a blank page. */
    static HeadlessChromium start(int width, int height) throws IOException {
        Path profile = Files.createTempDirectory("puffgres-chromium-");
        List<String> command = new ArrayList<>(List.of(
                "chromium",
                "--headless",
                "--no-sandbox", // as root the sandbox refuses to start
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--hide-scrollbars",
                "--window-size=" + width + "," + height,
                "--user-data-dir=" + profile,
                "--remote-debugging-address=127.0.0.1",
                "--remote-debugging-port=0",
                "about:blank"));
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(
                        profile.resolveSibling(profile.getFileName() + ".log").toFile())
                .start();
        OkHttpClient http =
                new OkHttpClient.Builder().readTimeout(COMMAND_TIMEOUT).build();
        try {
            Path activePort = profile.resolve("DevToolsActivePort");
            Awaitility.await("chromium writes " + activePort)
                    .atMost(Duration.ofSeconds(30))
                    .until(() -> !process.isAlive() || Files.exists(activePort) && Files.size(activePort) > 0);
            if (!process.isAlive()) {
                throw new IOException("chromium exited with " + process.exitValue() + "; see " + profile + ".log");
            }
            int port = Integer.parseInt(Files.readAllLines(activePort).get(0).strip());
            return new HeadlessChromium(process, profile, http, pageSocket(http, port));
        } catch (IOException | RuntimeException e) {
            process.destroyForcibly();
            throw e;
        }
    }

    /** The DevTools WebSocket of the browser's first page (the about:blank it started with). */
    private static String pageSocket(OkHttpClient http, int port) throws IOException {
        Request list = new Request.Builder()
                .url("http://127.0.0.1:" + port + "/json/list")
                .build();
        try (Response r = http.newCall(list).execute()) {
            for (JsonNode target : JSON.readTree(r.body().string())) {
                if (target.path("type").asText().equals("page")) {
                    return target.path("webSocketDebuggerUrl").asText();
                }
            }
        }
        throw new IOException("chromium on port " + port + " lists no page");
    }

    /** Opens {@code url} in the page (returns once the navigation is committed, not when the page is drawn). */
    void open(String url) {
        ObjectNode params = JSON.createObjectNode().put("url", url);
        JsonNode result = send("Page.navigate", params);
        if (result.hasNonNull("errorText")) {
            throw new IllegalStateException("chromium could not open " + url + ": " + result.get("errorText"));
        }
    }

    /**
     * The value of a JavaScript expression evaluated in the page (promises awaited), as JSON; a thrown exception
     * becomes an {@link IllegalStateException} with its description.
     */
    JsonNode evaluate(String expression) {
        ObjectNode params = JSON.createObjectNode()
                .put("expression", expression)
                .put("returnByValue", true)
                .put("awaitPromise", true);
        JsonNode result = send("Runtime.evaluate", params);
        if (result.has("exceptionDetails")) {
            throw new IllegalStateException("in the page, " + expression + " threw: "
                    + result.path("exceptionDetails")
                            .path("exception")
                            .path("description")
                            .asText());
        }
        return result.path("result").path("value");
    }

    /** The text of the page as a reader sees it ({@code innerText} of the body: hidden elements left out). */
    String text() {
        return evaluate("document.body ? document.body.innerText : ''").asText();
    }

    /**
     * Clicks the first element matching the CSS {@code selector} whose text or title contains {@code text}, as a user's
     * click would reach the page's handlers (a bubbling click event).
     *
     * @return whether such an element was there to click
     */
    boolean click(String selector, String text) {
        return evaluate("(() => { const e = Array.from(document.querySelectorAll(" + quote(selector) + "))"
                        + ".find(e => (e.textContent + ' ' + (e.getAttribute('title') || '')).includes(" + quote(text)
                        + ")); if (!e) return false; e.scrollIntoView({block: 'center'});"
                        + " e.dispatchEvent(new MouseEvent('click', {bubbles: true, cancelable: true, view: window}));"
                        + " return true; })()")
                .asBoolean();
    }

    /** Types {@code text} into the first input matching {@code selector}, replacing what it held. */
    void type(String selector, String text) {
        boolean typed = evaluate("(() => { const e = document.querySelector(" + quote(selector) + "); if (!e) return"
                        + " false; e.focus(); e.value = " + quote(text) + "; e.dispatchEvent(new Event('input',"
                        + " {bubbles: true})); return true; })()")
                .asBoolean();
        if (!typed) {
            throw new IllegalStateException("no input matches " + selector + " to type into");
        }
    }

    /** The texts of the elements matching {@code selector}, in document order. */
    List<String> texts(String selector) {
        List<String> texts = new ArrayList<>();
        evaluate("Array.from(document.querySelectorAll(" + quote(selector) + ")).map(e => e.textContent.trim())")
                .forEach(t -> texts.add(t.asText()));
        return texts;
    }

    /** {@code value} as a JavaScript string literal. */
    private static String quote(String value) {
        return JSON.getNodeFactory().textNode(value).toString();
    }

    /** Saves what the page shows now as a PNG file. */
    void screenshot(Path file) throws IOException {
        JsonNode shot = send("Page.captureScreenshot", JSON.createObjectNode().put("format", "png"));
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.write(file, Base64.getDecoder().decode(shot.path("data").asText()));
    }

    /** Sends one DevTools command to the page and waits for its result. */
    private JsonNode send(String method, ObjectNode params) {
        int id = ids.incrementAndGet();
        CompletableFuture<JsonNode> reply = new CompletableFuture<>();
        pending.put(id, reply);
        ObjectNode message =
                JSON.createObjectNode().put("id", id).put("method", method).set("params", params);
        if (!page.send(message.toString())) {
            throw new IllegalStateException("the DevTools connection to chromium is closed (sending " + method + ")");
        }
        try {
            JsonNode answer = reply.get(COMMAND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            if (answer.has("error")) {
                throw new IllegalStateException(method + " failed: " + answer.get("error"));
            }
            return answer.path("result");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(method + " interrupted", e);
        } catch (Exception e) {
            throw new IllegalStateException(method + " got no answer from chromium: " + e, e);
        } finally {
            pending.remove(id);
        }
    }

    /** Matches the answers on the WebSocket to the commands waiting for them; events are ignored. */
    private final class Replies extends WebSocketListener {
        @Override
        public void onMessage(WebSocket socket, String text) {
            try {
                JsonNode message = JSON.readTree(text);
                CompletableFuture<JsonNode> waiting =
                        pending.get(message.path("id").asInt(-1));
                if (waiting != null) {
                    waiting.complete(message);
                }
            } catch (IOException e) {
                pending.values().forEach(f -> f.completeExceptionally(e));
            }
        }

        @Override
        public void onFailure(WebSocket socket, Throwable t, Response response) {
            pending.values().forEach(f -> f.completeExceptionally(t));
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** Closes the browser and removes its profile. */
    @Override
    public void close() throws IOException {
        page.close(1000, "done");
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        http.dispatcher().executorService().shutdown();
        http.connectionPool().evictAll();
        // the browser's helper processes may still write into the profile for a moment after it exits
        Awaitility.await("removing " + profile)
                .atMost(Duration.ofSeconds(10))
                .ignoreExceptions()
                .until(() -> {
                    deleteTree(profile);
                    return !Files.exists(profile);
                });
        Files.deleteIfExists(profile.resolveSibling(profile.getFileName() + ".log"));
    }
}
