package io.puffgres.cli.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.junit.jupiter.api.Test;

/** What Ctrl-C (SIGINT) and SIGTERM ask of the job, against a job client that records the calls. */
class GracefulStopTest {

    /** A job client that records stop-with-savepoint and cancel; the savepoint completes when the test says so. */
    private static final class RecordingJob implements JobClient {
        final List<String> calls = new ArrayList<>();
        final List<CompletableFuture<String>> savepoints = new ArrayList<>(List.of(new CompletableFuture<>()));
        final CompletableFuture<String> savepoint = savepoints.get(0);
        JobStatus status = JobStatus.RUNNING;

        @Override
        public JobID getJobID() {
            return new JobID();
        }

        @Override
        public CompletableFuture<JobStatus> getJobStatus() {
            calls.add("status " + status);
            return CompletableFuture.completedFuture(status);
        }

        @Override
        public CompletableFuture<Void> cancel() {
            calls.add("cancel");
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletableFuture<String> stopWithSavepoint(
                boolean advanceToEndOfEventTime, String directory, SavepointFormatType format) {
            CompletableFuture<String> next = savepoints.get(savepoints.size() - 1);
            if (next.isDone()) {
                next = new CompletableFuture<>();
                savepoints.add(next);
            }
            calls.add("stop with savepoint into " + directory);
            return next;
        }

        @Override
        public CompletableFuture<String> triggerSavepoint(String directory, SavepointFormatType format) {
            throw new UnsupportedOperationException();
        }

        @Override
        public CompletableFuture<Map<String, Object>> getAccumulators() {
            throw new UnsupportedOperationException();
        }

        @Override
        public CompletableFuture<JobExecutionResult> getJobExecutionResult() {
            throw new UnsupportedOperationException();
        }
    }

    private final RecordingJob job = new RecordingJob();
    private final StringWriter printed = new StringWriter();
    private final String savepoints = "file:/tmp/project/puffgres/state/checkpoints/savepoints";
    private final List<Duration> pauses = new ArrayList<>();
    private final List<Runnable> delayed = new ArrayList<>();
    private final GracefulStop stop =
            new GracefulStop(job, savepoints, new PrintWriter(printed, true), (pause, task) -> {
                pauses.add(pause);
                delayed.add(task);
            });

    /** Runs the tasks waiting for their pause to end, as the clock would. */
    private void pausesEnd() {
        List<Runnable> due = new ArrayList<>(delayed);
        delayed.clear();
        due.forEach(Runnable::run);
    }

    @Test
    void sigtermTwiceTakesOneSavepointAndNeverCancels() {
        stop.terminate();
        stop.terminate();
        stop.terminate();
        job.savepoint.complete("file:/tmp/project/puffgres/state/checkpoints/savepoints/savepoint-1");

        assertThat(job.calls).containsExactly("stop with savepoint into " + savepoints);
        assertThat(stop.requested()).isTrue();
        assertThat(stop.savepoint()).isEqualTo("file:/tmp/project/puffgres/state/checkpoints/savepoints/savepoint-1");
        assertThat(printed.toString().lines().filter(l -> !l.isEmpty()))
                .containsExactly(
                        "stopping: flushing and taking a savepoint (Ctrl-C or kill -INT cancels at once)",
                        "SIGTERM again: still stopping with a savepoint (Ctrl-C or kill -INT cancels at once)",
                        "SIGTERM again: still stopping with a savepoint (Ctrl-C or kill -INT cancels at once)");
    }

    @Test
    void aSecondCtrlCCancels() {
        stop.interrupt();
        stop.interrupt();

        assertThat(job.calls).containsExactly("stop with savepoint into " + savepoints, "cancel");
        assertThat(printed.toString())
                .contains("stopping: flushing and taking a savepoint (Ctrl-C again to cancel at once)")
                .contains("cancelling (the retained checkpoints stay; the next run resumes from the newest)");
    }

    @Test
    void ctrlCAfterSigtermCancelsAndSigtermAfterCtrlCDoesNot() {
        stop.terminate();
        stop.interrupt();
        assertThat(job.calls).containsExactly("stop with savepoint into " + savepoints, "cancel");

        RecordingJob other = new RecordingJob();
        GracefulStop interrupted = new GracefulStop(other, savepoints, new PrintWriter(new StringWriter(), true));
        interrupted.interrupt();
        interrupted.terminate();
        assertThat(other.calls).containsExactly("stop with savepoint into " + savepoints);
    }

    @Test
    void aFailedSavepointIsAskedAgainOnceTheJobRunsAgain() {
        stop.terminate();
        job.savepoints.get(0).completeExceptionally(new IllegalStateException("Task local checkpoint failure."));
        job.status = JobStatus.RESTARTING;
        pausesEnd();
        job.status = JobStatus.RUNNING;
        pausesEnd();
        job.savepoints.get(1).complete("file:/tmp/project/puffgres/state/checkpoints/savepoints/savepoint-2");

        String into = "stop with savepoint into " + savepoints;
        assertThat(job.calls).containsExactly(into, "status RESTARTING", "status RUNNING", into);
        assertThat(pauses).containsExactly(Duration.ofSeconds(1), Duration.ofMillis(200));
        assertThat(stop.savepoint()).isEqualTo("file:/tmp/project/puffgres/state/checkpoints/savepoints/savepoint-2");
        assertThat(printed.toString())
                .contains(
                        "the savepoint failed (Task local checkpoint failure.); asking again once the job runs (2 of 5)")
                .doesNotContain("cancelling");
    }

    @Test
    void aSavepointThatKeepsFailingCancels() {
        stop.terminate();
        for (int n = 0; n < GracefulStop.ATTEMPTS; n++) {
            job.savepoints
                    .get(n)
                    .completeExceptionally(new IllegalStateException("Checkpoint Coordinator is suspending"));
            pausesEnd();
        }

        assertThat(pauses)
                .containsExactly(
                        Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4), Duration.ofSeconds(8));
        assertThat(job.calls.stream().filter(c -> c.startsWith("stop with savepoint")))
                .hasSize(GracefulStop.ATTEMPTS);
        assertThat(job.calls).endsWith("cancel");
        assertThat(stop.savepoint()).isNull();
        assertThat(printed.toString())
                .contains("the savepoint failed 5 times (Checkpoint Coordinator is suspending); cancelling");
    }

    @Test
    void noSavepointIsAskedAgainOnceCancelledOrEnded() {
        stop.interrupt();
        job.savepoints.get(0).completeExceptionally(new IllegalStateException("Task local checkpoint failure."));
        stop.interrupt();
        pausesEnd();
        assertThat(job.calls).containsExactly("stop with savepoint into " + savepoints, "cancel", "status RUNNING");

        RecordingJob ended = new RecordingJob();
        List<Runnable> later = new ArrayList<>();
        GracefulStop stopping = new GracefulStop(
                ended, savepoints, new PrintWriter(new StringWriter(), true), (pause, task) -> later.add(task));
        stopping.terminate();
        ended.savepoints.get(0).completeExceptionally(new IllegalStateException("Task local checkpoint failure."));
        ended.status = JobStatus.FAILED;
        later.forEach(Runnable::run);
        assertThat(ended.calls).containsExactly("stop with savepoint into " + savepoints, "status FAILED");
    }

    /**
     * A remote job's end can be seen before its savepoint's answer (each is polled on its own): the answer given only
     * once the run asks for it, after the end, is still the one reported.
     */
    @Test
    void aSavepointAnsweredAfterTheJobIsSeenToEndIsReported() throws Exception {
        stop.terminate();
        Thread asking = Thread.currentThread();
        Thread answer = new Thread(() -> {
            await().atMost(Duration.ofSeconds(20)).until(() -> asking.getState() == Thread.State.TIMED_WAITING);
            job.savepoint.complete("file:/tmp/project/puffgres/state/checkpoints/savepoints/savepoint-late");
        });
        answer.start();
        assertThat(stop.savepoint())
                .isEqualTo("file:/tmp/project/puffgres/state/checkpoints/savepoints/savepoint-late");
        answer.join();
    }
}
