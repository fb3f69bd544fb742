package io.puffgres.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.puffgres.cli.ExitCode;
import io.puffgres.emulator.EmulatorExtension;
import io.puffgres.testkit.FlinkCluster;
import io.puffgres.testkit.PostgresDatabase;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code puffgres run --target remote} against a standalone Flink cluster of separate JVMs ({@link FlinkCluster}): the
 * job (with its JS transform, run by GraalJS in the job's class loader) survives {@code kill -9} of its TaskManager
 * mid-stream, with either source, and a JobManager restarted without high availability (which forgets the job) is resumed by
 * {@code run} from the retained checkpoint in the cluster's checkpoint directory; both end with the namespace equal
 * to the table ({@code verify} exit 0, and the documents read back).
 */
class RemoteClusterIT {

    @RegisterExtension
    static final PostgresDatabase db = new PostgresDatabase();

    @RegisterExtension
    static final EmulatorExtension tpuf = new EmulatorExtension();

    private static final Duration WAIT = Duration.ofMinutes(3);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    /** With the stream, and with the poll source (which then finds its reading slot held by the dead task's session). */
    @ParameterizedTest(name = "poll: {0}")
    @ValueSource(booleans = {false, true})
    void aJobWhoseTaskManagerIsKilledMidStreamRestoresOnANewOneAndEndsEqual(boolean poll, @TempDir Path work)
            throws Exception {
        String name = poll ? "rtmpoll" : "rtm";
        seed(name, 2000);
        try (FlinkCluster cluster = FlinkCluster.start(work.resolve("cluster"), 1)) {
            CliProject p = project(cluster, name);
            ValidateCommandTest.Result run =
                    poll ? p.run("run", "--create-slot", "--poll") : p.run("run", "--create-slot");
            assertThat(run.exitCode()).as(run.err()).isEqualTo(ExitCode.OK);
            assertThat(run.out()).contains("submitted job ", "to the Flink cluster at " + cluster.restUrl());
            String job = jobId(p);

            AtomicInteger done = new AtomicInteger();
            CompletableFuture<Void> workload = CompletableFuture.runAsync(() -> workload(name, 8000, 2000, 19, done));
            await().atMost(WAIT).until(() -> done.get() >= 1000 && completedCheckpoints(cluster, job) >= 2);
            assertThat(workload).as("the kill comes while the workload runs").isNotDone();
            cluster.killTaskManager(0);
            cluster.startTaskManager();
            await().atMost(WAIT).untilAsserted(() -> {
                JsonNode checkpoints = get(cluster, "/jobs/" + job + "/checkpoints");
                assertThat(checkpoints.path("latest").path("restored").isObject())
                        .as("restored from a checkpoint")
                        .isTrue();
                assertThat(get(cluster, "/jobs/" + job).path("state").asText()).isEqualTo("RUNNING");
            });
            workload.get(WAIT.toMinutes(), TimeUnit.MINUTES);
            assertEqual(p, name);

            ValidateCommandTest.Result status = p.run("status");
            assertThat(status.out()).contains("Flink cluster, job " + job + ", RUNNING");
            if (poll) {
                assertThat(status.out()).contains("source: poll");
            }
            ValidateCommandTest.Result stop = p.run("stop");
            assertThat(stop.exitCode()).as(stop.err()).isEqualTo(ExitCode.OK);
            assertThat(stop.out())
                    .contains("stopped with savepoint file:" + Path.of(cluster.checkpointDir())
                            + "/savepoints/savepoint-");
            assertThat(get(cluster, "/jobs/" + job).path("state").asText()).isEqualTo("FINISHED");
        }
    }

    @Test
    void aRestartedJobManagerForgetsTheJobAndRunResumesFromTheRetainedCheckpoint(@TempDir Path work) throws Exception {
        String name = "rjm";
        seed(name, 1000);
        try (FlinkCluster cluster = FlinkCluster.start(work.resolve("cluster"), 1)) {
            CliProject p = project(cluster, name);
            ValidateCommandTest.Result first = p.run("run", "--create-slot");
            assertThat(first.exitCode()).as(first.err()).isEqualTo(ExitCode.OK);
            String job = jobId(p);
            AtomicInteger done = new AtomicInteger();
            workload(name, 600, 1000, 20, done);
            assertEqual(p, name);
            int seen = completedCheckpoints(cluster, job);
            await().atMost(WAIT).until(() -> completedCheckpoints(cluster, job) >= seen + 1);

            cluster.killJobManager();
            ValidateCommandTest.Result refused = p.run("run");
            assertThat(refused.exitCode()).as("no cluster answers").isEqualTo(ExitCode.RUNTIME);
            assertThat(refused.err()).contains("cannot reach the Flink cluster at " + cluster.restUrl());
            cluster.startJobManager();
            // the TaskManager cancels the forgotten job's tasks once it misses the old JobManager's heartbeats; until
            // then its source holds the slot (status shows the slot active), and run refuses a second reader
            await().atMost(WAIT)
                    .until(() -> db.query("SELECT active FROM pg_replication_slots WHERE slot_name = '" + name + "'")
                            .get(0)
                            .get("active")
                            .equals(false));
            // the changes made while no job runs wait in the slot
            CompletableFuture<Void> more = CompletableFuture.runAsync(() -> workload(name, 1200, 1000, 21, done));

            ValidateCommandTest.Result again = p.run("run");
            assertThat(again.exitCode()).as(again.err()).isEqualTo(ExitCode.OK);
            assertThat(again.out())
                    .containsPattern("resuming from " + Path.of(cluster.checkpointDir()) + "/" + job + "/chk-\\d+");
            String resumed = jobId(p);
            assertThat(resumed).isNotEqualTo(job);
            more.get(WAIT.toMinutes(), TimeUnit.MINUTES);
            assertEqual(p, name);
            ValidateCommandTest.Result stop = p.run("stop");
            assertThat(stop.exitCode()).as(stop.err()).isEqualTo(ExitCode.OK);
        }
    }

    @Test
    void aPackagedJarSubmittedByHandThroughTheRestApiRunsTheProject(@TempDir Path work) throws Exception {
        String name = "rpk";
        seed(name, 500);
        try (FlinkCluster cluster = FlinkCluster.start(work.resolve("cluster"), 1)) {
            CliProject p = project(cluster, name);
            Path jar = work.resolve("puffgres-job.jar");
            ValidateCommandTest.Result packaged = p.run("package", "--output", jar.toString());
            assertThat(packaged.exitCode()).as(packaged.err()).isEqualTo(ExitCode.OK);
            assertThat(packaged.out()).contains("wrote " + jar, "entry class io.puffgres.job.ClusterMain");

            String boundary = "puffgres" + System.nanoTime();
            HttpResponse<String> upload = HTTP.send(
                    HttpRequest.newBuilder(URI.create(cluster.restUrl() + "/jars/upload"))
                            .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                            .POST(HttpRequest.BodyPublishers.concat(
                                    HttpRequest.BodyPublishers.ofString("--" + boundary + "\r\n"
                                            + "Content-Disposition: form-data; name=\"jarfile\";"
                                            + " filename=\"puffgres-job.jar\"\r\n"
                                            + "Content-Type: application/x-java-archive\r\n\r\n"),
                                    HttpRequest.BodyPublishers.ofFile(jar),
                                    HttpRequest.BodyPublishers.ofString("\r\n--" + boundary + "--\r\n")))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(upload.statusCode()).as(upload.body()).isEqualTo(200);
            String uploaded = Path.of(
                            JSON.readTree(upload.body()).path("filename").asText())
                    .getFileName()
                    .toString();
            HttpResponse<String> started = HTTP.send(
                    HttpRequest.newBuilder(URI.create(cluster.restUrl() + "/jars/" + uploaded + "/run"))
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString("{\"entryClass\":\"io.puffgres.job.ClusterMain\","
                                    + "\"programArgsList\":[\"--create-slot\"]}"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(started.statusCode()).as(started.body()).isEqualTo(200);
            String job = JSON.readTree(started.body()).path("jobid").asText();
            assertThat(get(cluster, "/jobs/" + job).path("name").asText())
                    .isEqualTo("puffgres [" + name + "]: " + name);
            AtomicInteger done = new AtomicInteger();
            workload(name, 300, 500, 22, done);
            assertEqual(p, name);
            // no run file: status and stop find the job on the cluster by its name
            assertThat(p.dir().resolve("puffgres/state/run.json")).doesNotExist();
            assertThat(p.run("status").out()).contains("Flink cluster, job " + job + ", RUNNING");
            ValidateCommandTest.Result stop = p.run("stop");
            assertThat(stop.exitCode()).as(stop.err()).isEqualTo(ExitCode.OK);
            assertThat(get(cluster, "/jobs/" + job).path("state").asText()).isEqualTo("FINISHED");

            // a backfill in remote mode: a job on the cluster, followed until its fill is done, then stopped
            ValidateCommandTest.Result backfill = p.run("backfill");
            assertThat(backfill.exitCode()).as(backfill.err()).isEqualTo(ExitCode.OK);
            assertThat(backfill.out()).contains("every fill is done: stopping the job", "stopped with savepoint");
            assertEqual(p, name);
        }
    }

    /**
     * The JS-transform project of {@link CliProject} in remote mode: the cluster's REST API, checkpoints in its
     * shared directory.
     */
    private static CliProject project(FlinkCluster cluster, String name) throws IOException {
        CliProject js = CliProject.create(db, tpuf, name);
        Path toml = js.dir().resolve("puffgres.toml");
        Files.writeString(
                toml,
                Files.readString(toml)
                        .replace(
                                "[flink]\n",
                                "[flink]\nmode = \"remote\"\nrest_url = \"" + cluster.restUrl() + "\"\n"
                                        + "checkpoint_dir = \"" + cluster.checkpointDir() + "\"\n"));
        return js;
    }

    private static void seed(String name, int rows) {
        db.execute(
                "CREATE TABLE " + name + " (id bigint PRIMARY KEY, title text)",
                "INSERT INTO " + name + " SELECT g, 'seed ' || g FROM generate_series(1, " + rows + ") g");
    }

    /** Random changes over ids 1..rows+500 ({@link CliProject#randomChanges}) until {@code total}. */
    private static void workload(String name, int total, int rows, long seed, AtomicInteger done) {
        CliProject.randomChanges(db, name, total, rows + 500, seed, done);
    }

    /** Waits until {@code verify} says the namespace equals the table, then compares every document too. */
    private static void assertEqual(CliProject p, String name) {
        await().atMost(WAIT).untilAsserted(() -> {
            ValidateCommandTest.Result verify = p.run("verify");
            assertThat(verify.exitCode()).as(verify.out() + verify.err()).isEqualTo(ExitCode.OK);
        });
        Map<Long, String> rows = new TreeMap<>();
        db.query("SELECT id, title FROM " + name)
                .forEach(r -> rows.put(((Number) r.get("id")).longValue(), (String) r.get("title")));
        assertThat(p.titles()).isEqualTo(rows);
    }

    private static String jobId(CliProject p) throws IOException {
        return JSON.readTree(p.dir().resolve("puffgres/state/run.json").toFile())
                .path("job_id")
                .asText();
    }

    private static int completedCheckpoints(FlinkCluster cluster, String job) throws Exception {
        return get(cluster, "/jobs/" + job + "/checkpoints")
                .path("counts")
                .path("completed")
                .asInt();
    }

    private static JsonNode get(FlinkCluster cluster, String path) throws Exception {
        HttpResponse<String> response = HTTP.send(
                HttpRequest.newBuilder(URI.create(cluster.restUrl() + path))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(path + ": " + response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }
}
