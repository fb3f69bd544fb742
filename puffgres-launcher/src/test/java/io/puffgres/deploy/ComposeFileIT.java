package io.puffgres.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.configuration.JobManagerOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * {@code docker-compose.yml} as Docker Compose resolves it ({@code docker-compose config}, Debian's docker-compose
 * 1.29.2, installed by {@code dev/install-prereqs}): no Docker engine runs here, so the stack is validated, not
 * started. The checks read the resolved YAML, so anchors, merges and interpolation are Compose's, not ours.
 */
class ComposeFileIT {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    /** A stand-in for the password the file requires from the environment; nothing connects with it. */
    private static final Map<String, String> ENV = Map.of("POSTGRES_PASSWORD", "compose-config-check");

    private static Map<String, Object> services;

    @BeforeAll
    static void resolveTheFile() throws Exception {
        Run quiet = compose(ENV, "config", "-q");
        assertThat(quiet.exitCode()).as(quiet.output()).isZero();
        Run resolved = compose(ENV, "config");
        assertThat(resolved.exitCode()).as(resolved.output()).isZero();
        Map<String, Object> file = map(new Load(LoadSettings.builder().build()).loadFromString(resolved.output()));
        services = map(file.get("services"));
    }

    @Test
    void definesTheWholeStack() {
        assertThat(services).containsOnlyKeys("postgres", "jobmanager", "taskmanager", "emulator", "prometheus");
    }

    @Test
    void postgresDecodesLogicallyWithWal2json() throws IOException {
        Map<String, Object> postgres = map(services.get("postgres"));
        assertThat(list(postgres.get("command"))).containsSubsequence("-c", "wal_level=logical");
        Map<String, Object> build = map(postgres.get("build"));
        Path dockerfile = Path.of((String) build.get("context")).resolve((String) build.get("dockerfile"));
        assertThat(Files.readString(dockerfile)).contains("FROM postgres:15").contains("postgresql-15-wal2json");
    }

    @Test
    void requiresThePostgresPasswordFromTheEnvironment() throws Exception {
        Run withoutPassword = compose(Map.of(), "config", "-q");
        assertThat(withoutPassword.exitCode()).isNotZero();
        assertThat(withoutPassword.output()).contains("set POSTGRES_PASSWORD in the environment");
    }

    @Test
    void flinkServicesRunTheOfficialImageOnTheRepositorysConfigAndMetricsPlugin() {
        for (String name : List.of("jobmanager", "taskmanager")) {
            Map<String, Object> flink = map(services.get(name));
            assertThat((String) flink.get("image"))
                    .as(name)
                    .startsWith("flink:1.20")
                    .contains("java17");
            assertThat(list(flink.get("volumes")))
                    .as(name)
                    .contains(ROOT.resolve("flink-conf") + ":/puffgres/flink-conf:ro")
                    .contains(ROOT.resolve("dev/compose/flink-entrypoint.sh") + ":/puffgres/flink-entrypoint.sh:ro")
                    .contains(ROOT.resolve("puffgres-metrics/target/puffgres-metrics-plugin.jar")
                            + ":/opt/flink/plugins/puffgres-metrics/puffgres-metrics-plugin.jar:ro");
            assertThat(list(flink.get("entrypoint"))).as(name).containsExactly("/puffgres/flink-entrypoint.sh");
        }
        assertThat(map(services.get("jobmanager")).get("command")).isEqualTo("jobmanager");
        assertThat(map(services.get("taskmanager")).get("command")).isEqualTo("taskmanager");
    }

    /**
     * The settings each Flink container ends with: flink-conf/config.yaml plus its FLINK_PROPERTIES, loaded the way the
     * image's entrypoint merges them (Flink's loader with the properties as dynamic options).
     */
    @Test
    void flinkServicesListenOnTheComposeNetworkWhereTheFileSaysLoopback() {
        Configuration jobManager = flinkSettings("jobmanager");
        assertThat(jobManager.get(JobManagerOptions.ADDRESS)).isEqualTo("jobmanager");
        assertThat(jobManager.get(JobManagerOptions.BIND_HOST)).isEqualTo("0.0.0.0");
        assertThat(jobManager.get(RestOptions.BIND_ADDRESS)).isEqualTo("0.0.0.0");
        assertThat(jobManager.get(FlinkConfigFileTest.reporterKey("host"))).isEqualTo("0.0.0.0");

        Configuration taskManager = flinkSettings("taskmanager");
        assertThat(taskManager.get(JobManagerOptions.ADDRESS)).isEqualTo("jobmanager");
        assertThat(taskManager.get(TaskManagerOptions.HOST)).isEqualTo("taskmanager");
        assertThat(taskManager.get(TaskManagerOptions.BIND_HOST)).isEqualTo("0.0.0.0");
        assertThat(taskManager.get(FlinkConfigFileTest.reporterKey("host"))).isEqualTo("0.0.0.0");
        // still the repository's file underneath
        assertThat(taskManager.get(FlinkConfigFileTest.reporterKey("factory.class")))
                .isEqualTo("io.puffgres.metrics.PrometheusReporterFactory");
    }

    @Test
    void prometheusScrapesTheReporterOfBothFlinkProcesses() throws Exception {
        Path config = ROOT.resolve("dev/compose/prometheus.yml");
        assertThat(list(map(services.get("prometheus")).get("volumes")))
                .contains(config + ":/etc/prometheus/prometheus.yml:ro");
        Run check = run(List.of("promtool", "check", "config", config.toString()), Map.of());
        assertThat(check.exitCode()).as(check.output()).isZero();

        Map<String, Object> scrape =
                map(list(map(new Load(LoadSettings.builder().build()).loadFromString(Files.readString(config)))
                                .get("scrape_configs"))
                        .get(0));
        List<Object> targets =
                list(map(list(scrape.get("static_configs")).get(0)).get("targets"));
        String port = flinkSettings("jobmanager").get(FlinkConfigFileTest.reporterKey("port"));
        assertThat(flinkSettings("taskmanager").get(FlinkConfigFileTest.reporterKey("port")))
                .isEqualTo(port);
        assertThat(targets).containsExactlyInAnyOrder("jobmanager:" + port, "taskmanager:" + port);
    }

    @Test
    void flinkServicesGiveAPuffgresJobTheClustersAddressesAndThePasswordFromTheEnvironment() {
        for (String service : List.of("jobmanager", "taskmanager")) {
            assertThat(map(map(services.get(service)).get("environment")))
                    .as(service)
                    .containsEntry("PUFFGRES_POSTGRES_URL", "jdbc:postgresql://postgres:5432/puffgres")
                    .containsEntry("PUFFGRES_TURBOPUFFER_BASE_URL", "http://emulator:7474")
                    .containsEntry("PUFFGRES_PG_PASSWORD", ENV.get("POSTGRES_PASSWORD"));
        }
    }

    @Test
    void emulatorListensOnTheComposeNetworkFromTheBuiltLauncher() {
        Map<String, Object> emulator = map(services.get("emulator"));
        assertThat(list(emulator.get("command")))
                .containsSubsequence("-jar", "/opt/puffgres/puffgres-launcher.jar", "emulator")
                .containsSubsequence("--bind", "0.0.0.0");
        assertThat(list(emulator.get("volumes")))
                .contains(ROOT.resolve("puffgres-launcher/target/puffgres-launcher.jar")
                        + ":/opt/puffgres/puffgres-launcher.jar:ro")
                .contains(ROOT.resolve("puffgres-launcher/target/lib") + ":/opt/puffgres/lib:ro");
    }

    @Test
    void publishesEveryPortOnLoopbackOnly() {
        Map<String, Object> published = new LinkedHashMap<>();
        services.forEach((name, service) -> {
            for (Object port : list(map(service).getOrDefault("ports", List.of()))) {
                published.put(String.valueOf(port), name);
            }
        });
        assertThat(published)
                .containsOnlyKeys(
                        "127.0.0.1:5432:5432/tcp",
                        "127.0.0.1:8081:8081/tcp",
                        "127.0.0.1:7474:7474/tcp",
                        "127.0.0.1:9090:9090/tcp");
    }

    /** flink-conf/config.yaml with the service's FLINK_PROPERTIES on top, as Flink loads them. */
    private static Configuration flinkSettings(String service) {
        String properties =
                (String) map(map(services.get(service)).get("environment")).get("FLINK_PROPERTIES");
        Configuration dynamic = new Configuration();
        for (String line : properties.strip().split("\n")) {
            String[] keyValue = line.split(":", 2); // as the entrypoint splits them: at the first colon
            dynamic.setString(keyValue[0].strip(), keyValue[1].strip());
        }
        return GlobalConfiguration.loadConfiguration(FlinkConfigFileTest.FLINK_CONF.toString(), dynamic);
    }

    private record Run(int exitCode, String output) {}

    private static Run compose(Map<String, String> env, String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("docker-compose", "--file", "docker-compose.yml"));
        command.addAll(List.of(args));
        return run(command, env);
    }

    /** Runs a command in the repository root with {@code env} in place of this process's POSTGRES_PASSWORD. */
    private static Run run(List<String> command, Map<String, String> env) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).directory(ROOT.toFile());
        builder.environment().remove("POSTGRES_PASSWORD");
        builder.environment().putAll(env);
        builder.redirectErrorStream(true);
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS))
                .as(String.join(" ", command))
                .isTrue();
        return new Run(process.exitValue(), output);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object yaml) {
        return (Map<String, Object>) yaml;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object yaml) {
        return (List<Object>) yaml;
    }
}
