package io.puffgres.cli.run;

import static io.puffgres.cli.TextTable.duration;

import com.fasterxml.jackson.databind.JsonNode;
import io.puffgres.cli.CliException;
import io.puffgres.cli.ExitCode;
import io.puffgres.cli.FlinkRest;
import io.puffgres.cli.OptionValues;
import io.puffgres.cli.ProjectOption;
import io.puffgres.cli.RemoteJobs;
import io.puffgres.cli.RunFile;
import io.puffgres.cli.TextTable;
import io.puffgres.job.JobRunner;
import io.puffgres.migration.Project;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code puffgres stop}: asks the project's running {@code puffgres run} to stop with a savepoint and waits, saying
 * so every {@link #PROGRESS_EVERY}; after {@code --timeout} it says what the stop waited for, cancels the job through
 * the Flink REST API (the retained checkpoints stay), waits at most {@link #CANCEL_WAIT} for the process to end and
 * exits 1. It never waits longer than {@code --timeout} plus {@link #CANCEL_WAIT} and a few REST calls.
 */
@Command(
        name = "stop",
        description = {
            "Stop the project's running puffgres run (e.g. one started with --detach) with a savepoint.",
            "After --timeout it cancels the job instead (the next run resumes from the newest retained checkpoint)"
                    + " and exits 1."
        },
        mixinStandardHelpOptions = true,
        footer = {
            "%nExamples:",
            "  puffgres stop",
            "  puffgres stop --project examples/pages --timeout 600",
            ExitCode.HELP_FOOTER
        })
public final class StopCommand implements Callable<Integer> {

    /**
     * Default {@code --timeout}: a savepoint takes seconds; two minutes cover a slow turbopuffer, and cancelling after
     * them loses nothing (the next run replays from the newest retained checkpoint).
     */
    static final String DEFAULT_TIMEOUT_SECONDS = "120";

    /** How often a waiting stop says it still waits: often enough that a wait is never silent. */
    static final Duration PROGRESS_EVERY = Duration.ofSeconds(10);

    /** How long the run may take to end once its job is cancelled: cancelling the tasks takes seconds. */
    public static final Duration CANCEL_WAIT = Duration.ofSeconds(30);

    /** Job states after which Flink does nothing more; the process should end at once. */
    private static final List<String> ENDED = List.of("FINISHED", "CANCELED", "FAILED");

    @Spec
    CommandSpec spec;

    @Mixin
    ProjectOption project;

    @Option(
            names = "--timeout",
            paramLabel = "SECONDS",
            defaultValue = DEFAULT_TIMEOUT_SECONDS,
            converter = OptionValues.Count.class,
            description = "How long to wait for the savepoint and the process to end before cancelling the job"
                    + " (default: ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Project loaded = project.load();
        RunFile run = RunFile.live(loaded)
                .orElseThrow(() -> new CliException(
                        ExitCode.RUNTIME,
                        "no puffgres run is running for " + loaded.dir(),
                        "start one with puffgres run (or puffgres run --detach)"));
        if (run.remote()) {
            return stopRemote(loaded, run, out);
        }
        ProcessHandle process = ProcessHandle.of(run.pid()).orElseThrow();
        String who = "puffgres run (pid " + run.pid() + ")";
        out.println("stopping " + who + " with a savepoint …");
        Instant since = Instant.now();
        process.destroy(); // SIGTERM: the run takes a savepoint, then exits
        if (ended(process, Duration.ofSeconds(timeoutSeconds), out, "waiting for the savepoint")) {
            out.println("stopped");
            return ExitCode.OK;
        }
        String waited = duration(Duration.between(since, Instant.now()));
        String kill = "kill it (kill " + run.pid() + "); the next run resumes from the newest retained checkpoint";
        if (run.restUrl().isEmpty()) {
            throw new CliException(
                    ExitCode.RUNTIME,
                    who + " has not stopped after " + waited
                            + ", and has no REST API to cancel its job through (--web-ui-port -1)",
                    kill);
        }
        FlinkRest rest = new FlinkRest(run.restUrl(), run.jobId());
        out.println(who + " has not stopped after " + waited + ": " + waitingFor(rest, since, Instant.now()));
        out.println("cancelling the job (its retained checkpoints stay) …");
        try {
            rest.cancel();
        } catch (IOException e) {
            if (process.isAlive()) {
                throw new CliException(ExitCode.RUNTIME, "cannot cancel the job: " + e.getMessage(), kill);
            }
        }
        boolean gone = ended(process, CANCEL_WAIT, out, "waiting for the cancelled run to end");
        String resume = JobRunner.latestCheckpoint(JobRunner.checkpointDir(loaded))
                .map(p -> "the next run resumes from checkpoint " + p)
                .orElse("no checkpoint was completed: the next run starts with a snapshot");
        if (!gone) {
            throw new CliException(
                    ExitCode.RUNTIME,
                    who + " has not ended " + duration(CANCEL_WAIT) + " after its job was cancelled",
                    "kill it (kill " + run.pid() + ", then kill -9 " + run.pid() + " if it stays); " + resume);
        }
        out.println("cancelled; " + resume);
        throw new CliException(
                ExitCode.RUNTIME,
                "the savepoint did not complete within " + waited + ", so the job was cancelled instead",
                "the run's output (puffgres/state/run.log for a detached run) tells what held it up; puffgres run"
                        + " resumes from the checkpoint above");
    }

    /**
     * Stops a job on a Flink cluster with a savepoint into the checkpoint directory's {@code savepoints}; cancels it
     * when the savepoint does not complete within the timeout (exit 1; its retained checkpoints stay).
     */
    private int stopRemote(Project loaded, RunFile run, PrintWriter out) throws Exception {
        FlinkRest rest = new FlinkRest(run.restUrl(), run.jobId());
        String who = "job " + run.jobId() + " on the Flink cluster at " + run.restUrl();
        out.println("stopping " + who + " with a savepoint …");
        Instant since = Instant.now();
        try {
            String savepoint = RemoteJobs.stopWithSavepoint(
                    rest, JobRunner.savepointUri(loaded, true), Duration.ofSeconds(timeoutSeconds), out);
            Files.deleteIfExists(RunFile.path(loaded));
            out.println("stopped with savepoint " + savepoint + " (puffgres run resumes from it)");
            return ExitCode.OK;
        } catch (TimeoutException e) {
            out.println(who + " has not stopped after " + duration(Duration.between(since, Instant.now())) + ": "
                    + waitingFor(rest, since, Instant.now()));
            out.println("cancelling the job (its retained checkpoints stay) …");
            rest.cancel();
            Files.deleteIfExists(RunFile.path(loaded));
            throw new CliException(
                    ExitCode.RUNTIME,
                    "the savepoint did not complete within " + timeoutSeconds + " s, so the job was cancelled instead",
                    "the job's exceptions in the Flink web UI tell what held it up; puffgres run resumes from the"
                            + " newest retained checkpoint");
        } catch (IOException e) {
            throw new CliException(
                    ExitCode.RUNTIME,
                    "cannot stop " + who + ": " + e.getMessage(),
                    "check the cluster (its web UI shows the job); puffgres stop again, or cancel it in the web UI");
        }
    }

    /** Waits up to {@code timeout} for {@code process} to end, printing {@code label (12 s) …} meanwhile. */
    private static boolean ended(ProcessHandle process, Duration timeout, PrintWriter out, String label)
            throws InterruptedException {
        Instant start = Instant.now();
        Instant deadline = start.plus(timeout);
        while (true) {
            Duration left = Duration.between(Instant.now(), deadline);
            if (left.isNegative() || left.isZero()) {
                return !process.isAlive();
            }
            try {
                process.onExit().get(Math.min(left.toMillis(), PROGRESS_EVERY.toMillis()), TimeUnit.MILLISECONDS);
                return true;
            } catch (TimeoutException e) {
                if (Instant.now().isBefore(deadline)) {
                    out.println(label + " (" + duration(Duration.between(start, Instant.now())) + ") …");
                    out.flush();
                }
            } catch (ExecutionException e) {
                return !process.isAlive();
            }
        }
    }

    /** What a stop that began at {@code since} waits for, from the REST API; says so when that does not answer. */
    static String waitingFor(FlinkRest rest, Instant since, Instant now) {
        try {
            return waitingFor(rest.get(""), rest.get("/checkpoints"), since, now);
        } catch (IOException e) {
            return "the Flink REST API does not answer (" + e.getMessage() + ")";
        }
    }

    /**
     * What a stop that began at {@code since} waits for, from {@code /jobs/:id} and {@code /jobs/:id/checkpoints}:
     * the savepoint it triggered ({@code the savepoint #7 is still IN_PROGRESS after 3 min (1 of 2 subtasks
     * acknowledged)}), else a checkpoint in progress, else the job's state.
     */
    static String waitingFor(JsonNode job, JsonNode checkpoints, Instant since, Instant now) {
        String state = job.path("state").asText("unknown");
        if (ENDED.contains(state)) {
            return "the job is " + state + ", but the process has not ended";
        }
        JsonNode savepoint = null;
        JsonNode pending = null;
        // a second of slack: the stop's clock read and Flink's trigger time are not one instant
        long from = since.minusSeconds(1).toEpochMilli();
        for (JsonNode c : checkpoints.path("history")) {
            if (c.path("is_savepoint").asBoolean()
                    && c.path("trigger_timestamp").asLong() >= from) {
                savepoint = newer(savepoint, c);
            } else if (c.path("status").asText().equals("IN_PROGRESS")) {
                pending = newer(pending, c);
            }
        }
        if (savepoint != null) {
            return describe("the savepoint", savepoint, state, now);
        }
        if (pending != null) {
            return "no savepoint has started; " + describe("checkpoint", pending, state, now);
        }
        return "no savepoint has started; the job is " + state;
    }

    private static JsonNode newer(JsonNode a, JsonNode b) {
        return a == null || b.path("id").asLong() > a.path("id").asLong() ? b : a;
    }

    private static String describe(String what, JsonNode c, String state, Instant now) {
        String name = what + " #" + c.path("id").asLong();
        String status = c.path("status").asText("unknown");
        return switch (status) {
            case "IN_PROGRESS" ->
                name + " is still IN_PROGRESS after "
                        + duration(Duration.between(
                                Instant.ofEpochMilli(c.path("trigger_timestamp").asLong()), now))
                        + " (" + c.path("num_acknowledged_subtasks").asLong() + " of "
                        + c.path("num_subtasks").asLong() + " subtasks acknowledged)";
            case "FAILED" ->
                name + " FAILED: " + TextTable.oneLine(c.path("failure_message").asText("no message"), 200);
            default -> name + " is " + status + ", but the job is still " + state;
        };
    }
}
