package io.puffgres.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.puffgres.cluster.ClusterRest;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FlinkClusterIT {

    private static final Duration RECOVERY = Duration.ofSeconds(90);

    @TempDir
    Path workDir;

    @Test
    void jobSurvivesKillOfItsTaskManagerByRestoringACheckpointOnANewOne() throws Exception {
        try (FlinkCluster cluster =
                FlinkCluster.start(workDir.resolve("cluster"), 1, Map.of("PUFFGRES_KIT_MARK", "m1"))) {
            assertThat(cluster.rest().taskManagerIds())
                    .hasValueSatisfying(ids -> assertThat(ids).containsExactly("taskmanager-0"));
            assertThat(environmentOf(cluster.taskManager(0))).contains("PUFFGRES_KIT_MARK=m1");

            String job = submitCountingJob(cluster);
            ClusterRest rest = cluster.rest();
            await().atMost(RECOVERY).until(() -> state(rest, job).equals("RUNNING") && completed(rest, job) >= 2);
            assertThat(Files.list(Path.of(cluster.checkpointDir()).resolve(job)))
                    .isNotEmpty();

            ProcessHandle killed = cluster.taskManager(0);
            cluster.killTaskManager(0);
            assertThat(killed.isAlive()).isFalse();
            assertThat(ProcessHandle.of(killed.pid()).filter(ProcessHandle::isAlive))
                    .isEmpty();

            int replacement = cluster.startTaskManager();
            assertThat(rest.taskManagerIds())
                    .hasValueSatisfying(ids -> assertThat(ids).contains("taskmanager-1"));

            // restored from a checkpoint of the first TaskManager, running on the new one and checkpointing again
            await().atMost(RECOVERY).untilAsserted(() -> {
                JsonNode checkpoints = rest.get("/jobs/" + job + "/checkpoints");
                assertThat(state(rest, job)).isEqualTo("RUNNING");
                assertThat(checkpoints.path("counts").path("restored").asInt()).isGreaterThanOrEqualTo(1);
                JsonNode restored = checkpoints.path("latest").path("restored");
                assertThat(restored.path("is_savepoint").asBoolean(true)).isFalse();
                assertThat(checkpoints
                                .path("latest")
                                .path("completed")
                                .path("id")
                                .asLong())
                        .isGreaterThan(restored.path("id").asLong());
            });
            assertThat(replacement).isEqualTo(1);
            // the REST API may still show the restored subtask "(unassigned)" for a moment after its checkpoint
            await().atMost(RECOVERY)
                    .untilAsserted(() -> assertThat(taskManagerOfJob(rest, job)).isEqualTo("taskmanager-1"));
        }
    }

    @Test
    void jobManagerRestartsOnItsPortsAndServesTheWebUi() throws Exception {
        try (FlinkCluster cluster = FlinkCluster.start(workDir.resolve("cluster"), 1)) {
            URI url = cluster.restUrl();
            assertThat(url.getPort()).isNotEqualTo(8081);
            ProcessHandle first = cluster.jobManager();

            cluster.killJobManager();
            assertThat(first.isAlive()).isFalse();
            assertThat(cluster.rest().overview()).isEmpty();

            cluster.startJobManager();
            assertThat(cluster.jobManager().pid()).isNotEqualTo(first.pid());
            assertThat(cluster.restUrl()).isEqualTo(url);
            assertThat(cluster.rest().overview()).hasValueSatisfying(o -> {
                assertThat(o.taskManagers()).isEqualTo(1);
                assertThat(o.flinkVersion()).isEqualTo("1.20.5");
            });

            HttpClient http = HttpClient.newHttpClient();
            // the dashboard is a single-page app: /#/overview is the same page, its route is in the fragment
            for (String page : new String[] {"/", "/#/overview"}) {
                HttpResponse<String> html = http.send(
                        HttpRequest.newBuilder(url.resolve(page)).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(html.statusCode()).isEqualTo(200);
                assertThat(html.body()).contains("<title>Apache Flink Web Dashboard</title>");
            }
            String index = http.send(
                            HttpRequest.newBuilder(url.resolve("/")).build(), HttpResponse.BodyHandlers.ofString())
                    .body();
            Matcher script = Pattern.compile("src=\"(main\\.[0-9a-f]+\\.js)\"").matcher(index);
            assertThat(script.find())
                    .as("the dashboard's main script in %s", index)
                    .isTrue();
            HttpResponse<String> js = http.send(
                    HttpRequest.newBuilder(url.resolve("/" + script.group(1))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(js.statusCode()).isEqualTo(200);
            assertThat(js.body()).hasSizeGreaterThan(10_000);
        }
    }

    private String submitCountingJob(FlinkCluster cluster) throws Exception {
        Configuration conf = new Configuration();
        conf.setString("execution.checkpointing.interval", "1s");
        conf.setString("restart-strategy.type", "fixed-delay");
        conf.setString("restart-strategy.fixed-delay.attempts", "100");
        conf.setString("restart-strategy.fixed-delay.delay", "1s");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createRemoteEnvironment(
                cluster.restUrl().getHost(),
                cluster.restUrl().getPort(),
                conf,
                CountingJob.jar(workDir).toString());
        env.setParallelism(1);
        CountingJob.build(env);
        JobClient client = env.executeAsync(CountingJob.NAME);
        return client.getJobID().toHexString();
    }

    private static String state(ClusterRest rest, String job) throws IOException {
        return rest.get("/jobs/" + job).path("state").asText();
    }

    private static int completed(ClusterRest rest, String job) throws IOException {
        return rest.get("/jobs/" + job + "/checkpoints")
                .path("counts")
                .path("completed")
                .asInt();
    }

    /** The resource id of the TaskManager running the job's first vertex. */
    private static String taskManagerOfJob(ClusterRest rest, String job) throws IOException {
        String vertex =
                rest.get("/jobs/" + job).path("vertices").get(0).path("id").asText();
        return rest.get("/jobs/" + job + "/vertices/" + vertex + "/taskmanagers")
                .path("taskmanagers")
                .get(0)
                .path("taskmanager-id")
                .asText();
    }

    /** The environment a process started with, as Linux shows it. */
    private static String environmentOf(ProcessHandle process) throws IOException {
        byte[] environ = Files.readAllBytes(Path.of("/proc", Long.toString(process.pid()), "environ"));
        return new String(environ, StandardCharsets.UTF_8).replace('\0', '\n');
    }
}
