package io.puffgres.job;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.puffgres.emulator.EmulatorExtension;
import io.puffgres.fill.FillLedger;
import io.puffgres.testkit.PostgresDatabase;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A puffgres job started as {@code puffgres run} starts it ({@link JobRunner#start}), its MiniCluster configured by
 * the project's {@code [flink] conf_dir}: the repository's {@code flink-conf/config.yaml} with the Prometheus reporter
 * ({@code puffgres-metrics}) on a free port. The reporter is scraped by the real {@code prometheus} binary on loopback: the writer's metrics reach Prometheus with their {@code mapping} label,
 * and every metric the Grafana dashboard ({@code flink-conf/grafana/puffgres-dashboard.json}) queries is among what
 * Prometheus scraped. One mapping streams; the other's backfill is held by a table lock, so its fill metrics (which
 * vanish when a fill ends) stay to be scraped.
 */
class PrometheusScrapeIT {

    @RegisterExtension
    static final PostgresDatabase db = new PostgresDatabase();

    @RegisterExtension
    static final EmulatorExtension tpuf = new EmulatorExtension();

    private static final Duration WAIT = Duration.ofSeconds(120);

    private static final Path PROMETHEUS = Path.of("/usr/bin/prometheus");

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The names of Flink metrics in a PromQL expression. */
    private static final Pattern METRIC = Pattern.compile("\\bflink_[A-Za-z0-9_:]+");

    @Test
    void prometheusScrapesTheJobsMetricsWithTheirMappingAndEverythingTheDashboardQueries() throws Exception {
        db.execute(
                "CREATE TABLE scraped (id bigint PRIMARY KEY, title text)",
                "CREATE TABLE heldfill (id bigint PRIMARY KEY, title text)",
                "INSERT INTO heldfill SELECT g, 'row ' || g FROM generate_series(1, 100) g");
        int reporterPort = freePort();

        try (JobHarness h = new JobHarness(
                        db,
                        tpuf.baseUrl(),
                        "scrape",
                        JobHarness.migration(1, "scraped", "scraped", "scraped", "\"id\", \"title\"", ""),
                        JobHarness.migration(2, "heldfill", "heldfill", "heldfill", "\"id\", \"title\"", ""));
                Connection lock = db.connect()) {
            useFlinkConf(h.dir, reporterPort);
            FillLedger ledger = new FillLedger(h.project().config().state().schema());
            // The run fills both tables (its slot is new). heldfill's fill is held by a table lock, so that it stays
            // running (with its metrics) while scraped. The lock comes once the start has returned: the start reads
            // the table's catalog and alters the publication (both wait for the lock), while the fill's first read
            // comes later, from the job's fill enumerator once the job runs.
            JobRunner.Started job = h.start(JobRunner.Options.defaults().withCreateSlot(true));
            lock.setAutoCommit(false);
            lock.createStatement().execute("LOCK TABLE heldfill IN ACCESS EXCLUSIVE MODE");
            await().atMost(WAIT)
                    .alias("heldfill's fill waits for the lock")
                    .until(() -> !db.query(
                                    "SELECT 1 FROM pg_locks WHERE relation = 'heldfill'::regclass" + " AND NOT granted")
                            .isEmpty());
            assertThat(fill(ledger, "heldfill", 2))
                    .hasValueSatisfying(f -> assertThat(f.filled()).isFalse());
            try (Prometheus prometheus = Prometheus.start(reporterPort)) {
                // scraped's (empty) fill is over first: a row it read would also arrive streamed, counted twice
                await().atMost(WAIT)
                        .untilAsserted(() -> assertThat(fill(ledger, "scraped", 1))
                                .hasValueSatisfying(f -> assertThat(f.filled()).isTrue()));
                db.execute("INSERT INTO scraped SELECT g, 'row ' || g FROM generate_series(1, 25) g");
                await().atMost(WAIT)
                        .untilAsserted(() -> assertThat(h.documents("scraped")).hasSize(25));

                String events = "flink_taskmanager_job_task_operator_eventsIn{mapping=\"scraped\"}";
                await().atMost(WAIT)
                        .untilAsserted(() -> assertThat(prometheus.query(events))
                                .singleElement()
                                .satisfies(series -> {
                                    assertThat(series.path("metric")
                                                    .path("operator_name")
                                                    .asText())
                                            .isEqualTo("scraped: apply + write");
                                    assertThat(series.path("metric")
                                                    .path("job_name")
                                                    .asText())
                                            .isEqualTo("puffgres [scrape_slot]: scraped, heldfill");
                                    assertThat(series.path("value").path(1).asDouble())
                                            .isEqualTo(25);
                                }));
                await().atMost(WAIT)
                        .untilAsserted(() -> assertThat(prometheus.query(
                                        "flink_taskmanager_job_task_operator_lagMs{mapping=\"scraped\"} > 0"))
                                .hasSize(1));
                await().atMost(WAIT)
                        .untilAsserted(() -> assertThat(
                                        prometheus.query(
                                                "flink_taskmanager_job_task_operator_writeLatencyMs_count{mapping=\"scraped\"}"))
                                .singleElement()
                                .satisfies(
                                        s -> assertThat(s.path("value").path(1).asDouble())
                                                .isPositive()));

                // every per-mapping operator of the job carries its mapping, the fill's on the TaskManager and
                // JobManager
                String stages = "group by (operator_name, mapping) ({__name__=~\"flink_.+_fill.+|flink_.+_eventsIn"
                        + "|flink_.+_numRecordsIn\", mapping=~\"scraped|heldfill\"})";
                await().atMost(WAIT)
                        .untilAsserted(() -> assertThat(prometheus.query(stages))
                                .extracting(s -> s.path("metric")
                                                .path("mapping")
                                                .asText() + " / "
                                        + s.path("metric").path("operator_name").asText())
                                .contains(
                                        "scraped / scraped: route",
                                        "scraped / scraped: lookup",
                                        "scraped / scraped: apply + write",
                                        "heldfill / Source: heldfill: fill",
                                        "heldfill / heldfill: apply + write"));
                List<String> queries = dashboardQueries();
                Set<String> queried = new TreeSet<>();
                queries.forEach(q -> METRIC.matcher(q).results().forEach(m -> queried.add(m.group())));
                assertThat(queried).hasSizeGreaterThan(10);
                await().atMost(WAIT)
                        .untilAsserted(() -> assertThat(prometheus.names()).containsAll(queried));
                for (String query : queries) { // each is valid PromQL once Grafana has put the mappings in
                    JsonNode answer = prometheus.get(
                            "/api/v1/query?query=" + URLEncoder.encode(query.replace("$mapping", ".*"), UTF_8));
                    assertThat(answer.path("status").asText())
                            .as(query + ": " + answer)
                            .isEqualTo("success");
                }
            } finally {
                lock.rollback();
                job.client().cancel().get(60, TimeUnit.SECONDS);
                try { // gone before the test database is dropped: the fill's connections with it
                    job.client().getJobExecutionResult().get(60, TimeUnit.SECONDS);
                } catch (ExecutionException cancelled) {
                    assertThat(cancelled).hasStackTraceContaining("cancel");
                }
            }
        }
    }

    /**
     * Points the project's {@code [flink] conf_dir} at a copy of the configuration puffgres carries (the repository's
     * {@code flink-conf/config.yaml}) whose Prometheus reporter listens on {@code reporterPort} only.
     */
    private static void useFlinkConf(Path project, int reporterPort) throws IOException {
        String yaml;
        try (InputStream in = PrometheusScrapeIT.class.getResourceAsStream(FlinkSettings.BUNDLED_CONFIG)) {
            assertThat(in)
                    .as(FlinkSettings.BUNDLED_CONFIG + " on the classpath")
                    .isNotNull();
            yaml = new String(in.readAllBytes(), UTF_8);
        }
        String reporterPorts = "port: 9249-9269";
        assertThat(yaml).contains(reporterPorts);
        Path confDir = Files.createDirectories(project.resolve("flink-conf"));
        Files.writeString(confDir.resolve("config.yaml"), yaml.replace(reporterPorts, "port: " + reporterPort));
        // [flink] is the last table of the harness's puffgres.toml
        Files.writeString(project.resolve("puffgres.toml"), "conf_dir = \"flink-conf\"\n", StandardOpenOption.APPEND);
    }

    /** The newest fill of {@code version} of {@code mapping} in the ledger; empty while the ledger or its row is missing. */
    private static Optional<FillLedger.Fill> fill(FillLedger ledger, String mapping, int version) throws SQLException {
        try (Connection c = db.connect()) {
            return ledger.exists(c) ? ledger.latest(c, mapping, version) : Optional.empty();
        }
    }

    /** The PromQL of the dashboard: its panels' queries and its variables'. */
    private static List<String> dashboardQueries() throws IOException {
        JsonNode dashboard = JSON.readTree(repositoryRoot()
                .resolve("flink-conf/grafana/puffgres-dashboard.json")
                .toFile());
        List<String> queries = new ArrayList<>();
        for (JsonNode panel : dashboard.path("panels")) {
            panel.path("targets").forEach(t -> queries.add(t.path("expr").asText()));
        }
        for (JsonNode variable : dashboard.path("templating").path("list")) {
            String definition = variable.path("definition").asText();
            if (definition.startsWith("label_values(")) { // Grafana's own function: its metric, as a query
                queries.add(definition.substring("label_values(".length(), definition.indexOf(',')));
            }
        }
        return queries;
    }

    private static Path repositoryRoot() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve("flink-conf"))) {
                return dir;
            }
        }
        throw new IllegalStateException(
                "no flink-conf directory above " + Path.of("").toAbsolutePath());
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** The real Prometheus server, on loopback, scraping one target every second; its storage in a temp dir. */
    private record Prometheus(Process process, String url, Path dir) implements AutoCloseable {

        static Prometheus start(int targetPort) throws IOException {
            if (!Files.isExecutable(PROMETHEUS)) {
                throw new IllegalStateException(PROMETHEUS + " is missing; run dev/install-prereqs");
            }
            Path dir = Files.createTempDirectory("puffgres-prometheus-");
            Path config = dir.resolve("prometheus.yml");
            Files.writeString(
                    config,
                    String.join(
                            "\n",
                            "global:",
                            "  scrape_interval: 1s",
                            "  scrape_timeout: 1s",
                            "scrape_configs:",
                            "  - job_name: puffgres",
                            "    static_configs:",
                            "      - targets: ['127.0.0.1:" + targetPort + "']",
                            ""));
            int port = freePort();
            Process process = new ProcessBuilder(
                            PROMETHEUS.toString(),
                            "--config.file=" + config,
                            "--storage.tsdb.path=" + dir.resolve("data"),
                            "--web.listen-address=127.0.0.1:" + port)
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("prometheus.log").toFile())
                    .start();
            return new Prometheus(process, "http://127.0.0.1:" + port, dir);
        }

        /** The series of an instant query; empty while Prometheus is not up or has nothing. */
        List<JsonNode> query(String promql) throws Exception {
            JsonNode body = get("/api/v1/query?query=" + URLEncoder.encode(promql, UTF_8));
            List<JsonNode> series = new ArrayList<>();
            body.path("data").path("result").forEach(series::add);
            return series;
        }

        /** Every metric name Prometheus holds. */
        Set<String> names() throws Exception {
            Set<String> names = new TreeSet<>();
            get("/api/v1/label/__name__/values").path("data").forEach(n -> names.add(n.asText()));
            return names;
        }

        /** A GET of Prometheus's HTTP API, as JSON; an empty object while it does not listen yet. */
        JsonNode get(String path) throws Exception {
            if (!process.isAlive()) {
                throw new IllegalStateException(
                        "prometheus exited: " + Files.readString(dir.resolve("prometheus.log")));
            }
            try {
                return JSON.readTree(
                        HTTP.send(HttpRequest.newBuilder(URI.create(url + path)).build(), BodyHandlers.ofString())
                                .body());
            } catch (IOException e) {
                return JSON.createObjectNode(); // not listening yet
            }
        }

        @Override
        public void close() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }
}
