package io.puffgres.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.puffgres.cli.ExitCode;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class EmulatorCommandTest {

    /**
     * Runs {@code puffgres emulator} with {@code args} and {@code --port} set to a free port in a background thread
     * (the command runs until the JVM ends); returns the port.
     */
    private static int startEmulator(String... args) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        List<String> command = new ArrayList<>(List.of("emulator", "--port", Integer.toString(port)));
        command.addAll(List.of(args));
        Thread running = new Thread(() -> ValidateCommandTest.run(command.toArray(String[]::new)));
        running.setDaemon(true);
        running.start();
        return port;
    }

    @Test
    void servesTheTurbopufferApiOnTheGivenPort() throws Exception {
        int free = startEmulator();
        HttpClient http = HttpClient.newHttpClient();
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            HttpResponse<String> r = http.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + free + "/v2/namespaces/cli"))
                            .POST(HttpRequest.BodyPublishers.ofString("{\"upsert_rows\":[{\"id\":1}]}"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).contains("\"rows_affected\":1");
        });
    }

    @Test
    void listensOnEveryInterfaceWhenBoundToTheWildcard() throws Exception {
        int free = startEmulator("--bind", "0.0.0.0");
        HttpClient http = HttpClient.newHttpClient();
        await().atMost(Duration.ofSeconds(20))
                .ignoreExceptions()
                .untilAsserted(() -> assertThat(http.send(
                                        HttpRequest.newBuilder(
                                                        URI.create("http://127.0.0.1:" + free + "/v1/namespaces"))
                                                .build(),
                                        HttpResponse.BodyHandlers.ofString())
                                .statusCode())
                        .isEqualTo(200));
        InetAddress other = nonLoopbackAddress();
        try (Socket socket = new Socket()) {
            // bound to 127.0.0.1 it would refuse a connection to the machine's other address
            socket.connect(new InetSocketAddress(other, free), 5_000);
            assertThat(socket.isConnected()).isTrue();
        }
    }

    /** An address of this machine other than loopback; the test is skipped on a machine without one. */
    private static InetAddress nonLoopbackAddress() throws Exception {
        Optional<InetAddress> found = NetworkInterface.networkInterfaces()
                .flatMap(NetworkInterface::inetAddresses)
                .filter(a -> a instanceof Inet4Address && !a.isLoopbackAddress())
                .findFirst();
        assumeTrue(found.isPresent(), "this machine has no IPv4 address besides loopback");
        return found.get();
    }

    @Test
    void refusesABindAddressThatIsNotThisMachines() {
        ValidateCommandTest.Result r = ValidateCommandTest.run("emulator", "--bind", "198.51.100.7", "--port", "0");
        assertThat(r.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(r.err())
                .isEqualTo("error: --bind 198.51.100.7 is not an address of this machine\nhint: use 127.0.0.1 (the"
                        + " default), 0.0.0.0 (every interface) or one of the machine's addresses\n");
    }

    @Test
    void reportsABusyPortInOneLinePlusAHint() throws Exception {
        try (ServerSocket busy = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            ValidateCommandTest.Result r =
                    ValidateCommandTest.run("emulator", "--port", Integer.toString(busy.getLocalPort()));
            assertThat(r.exitCode()).isEqualTo(ExitCode.RUNTIME);
            assertThat(r.err())
                    .isEqualTo(
                            "error: port " + busy.getLocalPort() + " is already in use\nhint: stop the other process or"
                                    + " pass --port with a free port\n");
        }
    }

    @Test
    void injectsFaultsGivenAtStart() throws Exception {
        int free = startEmulator("--faults", "{\"queue\":[{\"status\":503}]}");
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest list = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + free + "/v1/namespaces"))
                .build();
        await().atMost(Duration.ofSeconds(20))
                .ignoreExceptions()
                .untilAsserted(() -> assertThat(http.send(list, HttpResponse.BodyHandlers.ofString())
                                .statusCode())
                        .isEqualTo(503));
        assertThat(http.send(list, HttpResponse.BodyHandlers.ofString()).statusCode())
                .isEqualTo(200);
    }

    @Test
    void rejectsFaultsThatAreNotJson() {
        ValidateCommandTest.Result r = ValidateCommandTest.run("emulator", "--port", "0", "--faults", "{nope");
        assertThat(r.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(r.err())
                .startsWith("error: --faults is not valid JSON: ")
                .endsWith("hint: see docs/emulator.md for the fault format\n");
    }

    @Test
    void helpShowsExamples() {
        assertThat(ValidateCommandTest.run("emulator", "--help").out())
                .contains("puffgres emulator --port 7575 --data-dir")
                .contains("Exit codes:");
    }
}
