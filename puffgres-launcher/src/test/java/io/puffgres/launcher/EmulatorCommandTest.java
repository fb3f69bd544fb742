package io.puffgres.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.puffgres.cli.ExitCode;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class EmulatorCommandTest {

    @Test
    void servesTheTurbopufferApiOnTheGivenPort() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        int free = port;
        Thread running = new Thread(() -> ValidateCommandTest.run("emulator", "--port", Integer.toString(free)));
        running.setDaemon(true);
        running.start();
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
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        int free = port;
        Thread running = new Thread(() -> ValidateCommandTest.run(
                "emulator", "--port", Integer.toString(free), "--faults", "{\"queue\":[{\"status\":503}]}"));
        running.setDaemon(true);
        running.start();
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
