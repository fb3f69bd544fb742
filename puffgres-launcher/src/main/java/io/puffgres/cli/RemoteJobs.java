package io.puffgres.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * puffgres's jobs on a Flink cluster, through its REST API: whether the cluster answers, which puffgres jobs run on
 * it, whether one ended, and a stop with a savepoint. A job is puffgres's when its name starts with {@code puffgres
 * [<slot>]} (the name {@code JobRunner} gives it).
 */
public final class RemoteJobs {

    /** Job states after which Flink does nothing more with a job. */
    static final List<String> ENDED = List.of("FINISHED", "CANCELED", "FAILED");

    /** How often a stop asks whether its savepoint is done. */
    private static final Duration POLL = Duration.ofMillis(500);

    private RemoteJobs() {}

    /**
     * Fails with exit 1 and the URL it tried when no Flink REST API answers at {@code restUrl}: nothing is prepared or
     * submitted then.
     */
    public static void checkReachable(String restUrl) {
        try {
            FlinkRest.cluster(restUrl, "/config");
        } catch (IOException e) {
            throw new CliException(
                    ExitCode.RUNTIME,
                    "cannot reach the Flink cluster at " + restUrl + ": " + e.getMessage(),
                    "start the cluster (dev/cluster start runs one on this machine) or fix [flink] rest_url;"
                            + " puffgres run --target embedded runs the job inside puffgres instead");
        }
    }

    /** A job on the cluster: its id and when it started (ISO-8601). */
    public record Job(String id, String startedAt) {}

    /** The jobs reading {@code slot} that the cluster at {@code restUrl} has not ended. */
    public static List<Job> running(String restUrl, String slot) throws IOException {
        List<Job> jobs = new ArrayList<>();
        for (JsonNode job : FlinkRest.cluster(restUrl, "/jobs/overview").path("jobs")) {
            if (job.path("name").asText().startsWith("puffgres [" + slot + "]")
                    && !ENDED.contains(job.path("state").asText())) {
                jobs.add(new Job(
                        job.path("jid").asText(),
                        Instant.ofEpochMilli(job.path("start-time").asLong()).toString()));
            }
        }
        return jobs;
    }

    /**
     * Whether the cluster says the job ended, or no longer knows it (a JobManager restarted without high
     * availability forgets its jobs; their retained checkpoints stay). A cluster that does not answer tells nothing:
     * false.
     */
    public static boolean ended(String restUrl, String jobId) {
        try {
            return ENDED.contains(
                    new FlinkRest(restUrl, jobId).get("").path("state").asText());
        } catch (FlinkRest.NotOk e) {
            return e.status() == 404;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Stops the job with a savepoint into {@code savepointDir} ({@code POST /jobs/:id/stop}) and waits up to
     * {@code timeout} for it, printing progress every few seconds.
     *
     * @return where the savepoint is, once the job has ended (or the timeout is over)
     * @throws IOException when the stop fails or the REST API does not answer
     * @throws java.util.concurrent.TimeoutException when the savepoint is not done within {@code timeout}
     */
    public static String stopWithSavepoint(FlinkRest job, String savepointDir, Duration timeout, PrintWriter out)
            throws IOException, java.util.concurrent.TimeoutException, InterruptedException {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.put("targetDirectory", savepointDir);
        body.put("drain", false);
        String trigger = job.post("/stop", body).path("request-id").asText();
        Instant start = Instant.now();
        Instant deadline = start.plus(timeout);
        Instant nextNote = start.plusSeconds(5);
        while (Instant.now().isBefore(deadline)) {
            JsonNode status = job.get("/savepoints/" + trigger);
            if (status.path("status").path("id").asText().equals("COMPLETED")) {
                JsonNode operation = status.path("operation");
                Optional<String> location = Optional.ofNullable(operation.get("location"))
                        .map(JsonNode::asText)
                        .filter(s -> !s.isEmpty());
                if (location.isPresent()) {
                    // the savepoint is done a moment before the job's state says it ended
                    while (!ENDED.contains(job.get("").path("state").asText())
                            && Instant.now().isBefore(deadline)) {
                        Thread.sleep(POLL.toMillis());
                    }
                    return location.get();
                }
                throw new IOException("the savepoint failed: "
                        + TextTable.oneLine(
                                operation
                                        .path("failure-cause")
                                        .path("stack-trace")
                                        .asText("no cause given"),
                                300));
            }
            if (Instant.now().isAfter(nextNote)) {
                out.println("waiting for the savepoint ("
                        + Duration.between(start, Instant.now()).toSeconds() + " s) …");
                out.flush();
                nextNote = Instant.now().plusSeconds(5);
            }
            Thread.sleep(POLL.toMillis()); // polling Flink's asynchronous operation, not waiting for a result blindly
        }
        throw new java.util.concurrent.TimeoutException(
                "the savepoint did not complete within " + timeout.toSeconds() + " s");
    }
}
