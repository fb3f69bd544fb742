package io.puffgres.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.puffgres.emulator.EmulatorExtension;
import io.puffgres.source.ReplicationSetup.SetupException;
import io.puffgres.testkit.PostgresDatabase;
import java.io.IOException;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.flink.runtime.client.JobCancellationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The embedded MiniCluster's REST API: served on 127.0.0.1 unless {@code [flink] web_ui_bind} widens it, without jar
 * upload or submission, and still able to cancel the job (as {@code puffgres stop} does after its timeout).
 */
class EmbeddedRestIT {

    @RegisterExtension
    static final PostgresDatabase db = new PostgresDatabase();

    @RegisterExtension
    static final EmulatorExtension tpuf = new EmulatorExtension();

    private static final Duration WAIT = Duration.ofSeconds(90);

    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** A listening TCP socket of this machine, from {@code /proc/net/tcp} and {@code /proc/net/tcp6}. */
    private record Listening(InetAddress address, int port, long inode) {}

    private static List<Listening> listening() throws IOException {
        List<Listening> out = new ArrayList<>();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            List<String> lines = Files.readAllLines(Path.of(table));
            for (String line : lines.subList(1, lines.size())) {
                String[] f = line.strip().split("\\s+");
                if (!f[3].equals("0A")) {
                    continue; // not LISTEN
                }
                String[] local = f[1].split(":");
                out.add(new Listening(address(local[0]), Integer.parseInt(local[1], 16), Long.parseLong(f[9])));
            }
        }
        return out;
    }

    /** The kernel's hex form of an address: 32-bit words in host (little-endian) byte order. */
    private static InetAddress address(String hex) throws IOException {
        byte[] bytes = new byte[hex.length() / 2];
        for (int word = 0; word < bytes.length / 4; word++) {
            for (int i = 0; i < 4; i++) {
                int at = word * 8 + (3 - i) * 2;
                bytes[word * 4 + i] = (byte) Integer.parseInt(hex.substring(at, at + 2), 16);
            }
        }
        return InetAddress.getByAddress(bytes);
    }

    /** The inodes of the sockets this JVM holds open. */
    private static Set<Long> ownSockets() throws IOException {
        Set<Long> inodes = new HashSet<>();
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) {
                        inodes.add(Long.parseLong(target.substring(8, target.length() - 1)));
                    }
                } catch (IOException e) {
                    // closed meanwhile
                }
            }
        }
        return inodes;
    }

    /** Where this JVM listens on {@code port}. */
    private static List<InetAddress> boundTo(int port) throws IOException {
        Set<Long> own = ownSockets();
        return listening().stream()
                .filter(l -> l.port() == port && own.contains(l.inode()))
                .map(Listening::address)
                .toList();
    }

    /** An IPv4 address of this machine other than loopback: another host reaches the machine there. */
    private static InetAddress otherAddress() throws IOException {
        for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (nic.isUp() && !nic.isLoopback()) {
                for (InetAddress a : Collections.list(nic.getInetAddresses())) {
                    if (a instanceof Inet4Address) {
                        return a;
                    }
                }
            }
        }
        throw new IllegalStateException("this machine has no non-loopback IPv4 address to test exposure with");
    }

    private static boolean reachable(InetAddress address, int port) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(address, port), 2000);
            return true;
        } catch (ConnectException e) {
            return false;
        }
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return HTTP.send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JobHarness harness(String name) throws IOException {
        db.execute(
                "CREATE TABLE " + name + " (id bigint PRIMARY KEY, title text)",
                "INSERT INTO " + name + " VALUES (1, 'one')");
        return JobHarness.titles(db, tpuf.baseUrl(), name);
    }

    private static void bind(JobHarness h, String address) throws IOException {
        Path toml = h.dir.resolve("puffgres.toml");
        Files.writeString(
                toml, Files.readString(toml).replace("[flink]\n", "[flink]\nweb_ui_bind = \"" + address + "\"\n"));
    }

    private static JobRunner.Options webUiOnAFreePort() {
        return new JobRunner.Options(Optional.empty(), true, Optional.empty(), false, "pgoutput", 0);
    }

    @Test
    void servesTheRestApiOnLoopbackOnlyWithoutJarSubmissionAndStillCancelsThroughIt() throws Exception {
        try (JobHarness h = harness("restlocal")) {
            JobRunner.Started job = h.start(webUiOnAFreePort());
            String url = job.restUrl().orElseThrow();
            assertThat(url).startsWith("http://127.0.0.1:");
            int port = URI.create(url).getPort();
            await().atMost(WAIT)
                    .untilAsserted(() -> assertThat(h.documents("restlocal")).containsOnlyKeys(1L));

            assertThat(boundTo(port)).containsExactly(InetAddress.getByName("127.0.0.1"));
            InetAddress other = otherAddress();
            assertThat(reachable(other, port)).as("port %d on %s", port, other).isFalse();

            JsonNode features = JobHarness.rest(url + "/config").path("features");
            assertThat(features.path("web-submit").asBoolean(true)).isFalse();
            assertThat(features.path("web-cancel").asBoolean(true)).isFalse();
            HttpResponse<String> upload = send(HttpRequest.newBuilder(URI.create(url + "/jars/upload"))
                    .header("Content-Type", "multipart/form-data; boundary=x")
                    .POST(HttpRequest.BodyPublishers.ofString(
                            "--x\r\nContent-Disposition: form-data; name=\"jarfile\"; filename=\"a.jar\"\r\n"
                                    + "Content-Type: application/x-java-archive\r\n\r\nPK\r\n--x--\r\n")));
            // no handler takes the upload: only the web UI's static files answer, and they take no POST
            assertThat(upload.statusCode()).as(upload.body()).isEqualTo(400);
            assertThat(upload.body()).isEqualTo("{\"errors\":[\"POST request not allowed\"]}");
            assertThat(send(HttpRequest.newBuilder(URI.create(url + "/jars"))).statusCode())
                    .isEqualTo(404);

            // puffgres stop cancels through this endpoint after its timeout: web.cancel.enable does not close it
            HttpResponse<String> cancel =
                    send(HttpRequest.newBuilder(URI.create(JobHarness.jobUrl(job) + "?mode=cancel"))
                            .method("PATCH", HttpRequest.BodyPublishers.noBody()));
            assertThat(cancel.statusCode()).as(cancel.body()).isEqualTo(202);
            Throwable ended = JobHarness.waitTerminal(job);
            assertThat(Stream.iterate(ended, t -> t != null, Throwable::getCause))
                    .as("how the job ended: %s", ended)
                    .anyMatch(t -> t instanceof JobCancellationException);
        }
    }

    @Test
    void webUiBindWidensTheRestApiToEveryInterface() throws Exception {
        try (JobHarness h = harness("restwide")) {
            bind(h, "0.0.0.0");
            JobRunner.Started job = h.start(webUiOnAFreePort());
            String url = job.restUrl().orElseThrow();
            assertThat(url).startsWith("http://localhost:");
            int port = URI.create(url).getPort();
            InetAddress other = otherAddress();
            await().atMost(WAIT).untilAsserted(() -> {
                HttpResponse<String> overview = send(
                        HttpRequest.newBuilder(URI.create("http://" + other.getHostAddress() + ":" + port + "/jobs")));
                assertThat(overview.statusCode()).isEqualTo(200);
                assertThat(overview.body()).contains(job.client().getJobID().toHexString());
            });
            assertThat(boundTo(port)).allMatch(InetAddress::isAnyLocalAddress).isNotEmpty();
            h.cancel(job);
        }
    }

    @Test
    void withoutWebUiNoRestServerOfTheJobListensBeyondLoopback() throws Exception {
        try (JobHarness h = harness("restnone")) {
            Set<Long> before = ownSockets();
            JobRunner.Started job = h.start(JobRunner.Options.defaults().withCreateSlot(true));
            assertThat(job.restUrl()).isEmpty();
            await().atMost(WAIT)
                    .untilAsserted(() -> assertThat(h.documents("restnone")).containsOnlyKeys(1L));
            Set<Long> own = ownSockets();
            List<Listening> opened = listening().stream()
                    .filter(l -> own.contains(l.inode()) && !before.contains(l.inode()))
                    .toList();
            // the MiniCluster starts a REST server on a random port even without web UI: find it by asking
            List<Listening> rest = new ArrayList<>();
            for (Listening l : opened) {
                try {
                    HttpResponse<String> r =
                            send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + l.port() + "/config")));
                    if (r.body().contains("flink-version")) {
                        rest.add(l);
                    }
                } catch (IOException e) {
                    // not HTTP, or not on 127.0.0.1
                }
            }
            assertThat(rest)
                    .as("REST servers among %s", opened)
                    .singleElement()
                    .matches(l -> l.address().isLoopbackAddress());
            h.cancel(job);
        }
    }

    /** config.yaml's {@code rest.port: 8081} is for a web UI; a run without one listens on no fixed port. */
    @Test
    void twoRunsWithoutWebUiRunSideBySideWhile8081IsTaken() throws Exception {
        ServerSocket held = null;
        try {
            held = new ServerSocket(8081, 1, InetAddress.getLoopbackAddress());
        } catch (IOException taken) {
            // something else holds it: the same situation
        }
        try (JobHarness one = harness("norestone");
                JobHarness two = harness("noresttwo")) {
            JobRunner.Options noWebUi =
                    new JobRunner.Options(Optional.empty(), true, Optional.empty(), false, "pgoutput", -1);
            JobRunner.Started first = one.start(noWebUi);
            JobRunner.Started second = two.start(noWebUi);
            assertThat(first.restUrl()).isEmpty();
            assertThat(second.restUrl()).isEmpty();
            await().atMost(WAIT).untilAsserted(() -> {
                assertThat(one.documents("norestone")).containsOnlyKeys(1L);
                assertThat(two.documents("noresttwo")).containsOnlyKeys(1L);
            });
        } finally {
            if (held != null) {
                held.close();
            }
        }
    }

    @Test
    void aBindAddressThatIsNotThisMachinesIsRefusedBeforeAnythingIsWritten() throws Exception {
        try (JobHarness h = harness("restforeign")) {
            bind(h, "192.0.2.1"); // TEST-NET-1: documentation only, never assigned
            assertThatThrownBy(() -> h.start(webUiOnAFreePort()))
                    .isInstanceOf(SetupException.class)
                    .hasMessage("[flink] web_ui_bind 192.0.2.1 is not an address of this machine; use 127.0.0.1 (the"
                            + " default), 0.0.0.0 (every interface) or one of the machine's addresses");
            assertThat(db.query("SELECT 1 FROM pg_replication_slots WHERE slot_name = 'restforeign_slot'"))
                    .as("no slot created")
                    .isEmpty();
        }
    }
}
