package io.puffgres.cli.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
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
        final CompletableFuture<String> savepoint = new CompletableFuture<>();

        @Override
        public JobID getJobID() {
            return new JobID();
        }

        @Override
        public CompletableFuture<JobStatus> getJobStatus() {
            return CompletableFuture.completedFuture(JobStatus.RUNNING);
        }

        @Override
        public CompletableFuture<Void> cancel() {
            calls.add("cancel");
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletableFuture<String> stopWithSavepoint(
                boolean advanceToEndOfEventTime, String directory, SavepointFormatType format) {
            calls.add("stop with savepoint into " + directory);
            return savepoint;
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
    private final Path savepoints = Path.of("/tmp/project/puffgres/state/checkpoints/savepoints");
    private final GracefulStop stop = new GracefulStop(job, savepoints, new PrintWriter(printed, true));

    @Test
    void sigtermTwiceTakesOneSavepointAndNeverCancels() {
        stop.terminate();
        stop.terminate();
        stop.terminate();
        job.savepoint.complete("file:/tmp/project/puffgres/state/checkpoints/savepoints/savepoint-1");

        assertThat(job.calls).containsExactly("stop with savepoint into " + savepoints.toUri());
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

        assertThat(job.calls).containsExactly("stop with savepoint into " + savepoints.toUri(), "cancel");
        assertThat(printed.toString())
                .contains("stopping: flushing and taking a savepoint (Ctrl-C again to cancel at once)")
                .contains("cancelling (the retained checkpoints stay; the next run resumes from the newest)");
    }

    @Test
    void ctrlCAfterSigtermCancelsAndSigtermAfterCtrlCDoesNot() {
        stop.terminate();
        stop.interrupt();
        assertThat(job.calls).containsExactly("stop with savepoint into " + savepoints.toUri(), "cancel");

        RecordingJob other = new RecordingJob();
        GracefulStop interrupted = new GracefulStop(other, savepoints, new PrintWriter(new StringWriter(), true));
        interrupted.interrupt();
        interrupted.terminate();
        assertThat(other.calls).containsExactly("stop with savepoint into " + savepoints.toUri());
    }

    @Test
    void aFailedSavepointCancels() {
        stop.terminate();
        job.savepoint.completeExceptionally(new IllegalStateException("Checkpoint Coordinator is suspending"));

        assertThat(job.calls).containsExactly("stop with savepoint into " + savepoints.toUri(), "cancel");
        assertThat(stop.savepoint()).isNull();
        assertThat(printed.toString())
                .contains("the savepoint failed (Checkpoint Coordinator is suspending); cancelling");
    }
}
