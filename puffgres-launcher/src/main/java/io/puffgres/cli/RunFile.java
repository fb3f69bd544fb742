package io.puffgres.cli;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.puffgres.config.ProjectConfig;
import io.puffgres.migration.Project;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/**
 * What a running {@code puffgres run} tells the other commands ({@code status}, {@code stop}, {@code dlq}) about
 * itself: {@code puffgres/state/run.json} in the project, written once the job is submitted and removed when the
 * process ends. Its keys are snake_case, like {@code puffgres status --json}; every reader goes through {@link
 * #live}.
 *
 * @param pid the {@code puffgres run} process; 0 for a job submitted to a cluster (no local process runs it)
 * @param jobId the Flink job id
 * @param restUrl the Flink web UI and REST API, e.g. {@code http://localhost:8081}; empty without web UI
 * @param slot the replication slot the job reads
 * @param startedAt when the job was submitted (ISO-8601)
 * @param target {@code embedded} (a MiniCluster in the run's process) or {@code remote} (a Flink cluster); null in
 *     files of earlier builds, which ran embedded
 */
public record RunFile(
        long pid,
        @JsonProperty("job_id") String jobId,
        @JsonProperty("rest_url") String restUrl,
        String slot,
        @JsonProperty("started_at") String startedAt,
        String target) {

    /** {@link #target} of a job submitted to a Flink cluster. */
    public static final String REMOTE = "remote";

    /** {@link #target} of a job on a MiniCluster inside the {@code puffgres run} process. */
    public static final String EMBEDDED = "embedded";

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Whether the job runs on a Flink cluster rather than inside a local process. */
    public boolean remote() {
        return REMOTE.equals(target);
    }

    /** {@code <project>/puffgres/state/run.json}. */
    public static Path path(Project project) {
        return project.puffgresDir().resolve("state").resolve("run.json");
    }

    /** Writes the file atomically (a reader never sees half of it). */
    public void write(Path file) {
        try {
            Files.createDirectories(file.getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            JSON.writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), this);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /**
     * The live run of {@code project}: its run file's ({@link #live(Path)}), else, for {@code [flink] mode =
     * "remote"}, the puffgres job the cluster runs on the project's slot (e.g. one submitted by hand from a jar of
     * {@code puffgres package}); a cluster that does not answer has none to show.
     */
    public static Optional<RunFile> live(Project project) {
        Optional<RunFile> file = live(path(project));
        if (file.isPresent() || project.config().flink().mode() != ProjectConfig.Flink.Mode.REMOTE) {
            return file;
        }
        String restUrl = project.config().flink().restUrl().orElseThrow();
        String slot = project.config().postgres().slot();
        try {
            return RemoteJobs.running(restUrl, slot).stream()
                    .findFirst()
                    .map(job -> new RunFile(0, job.id(), restUrl.replaceAll("/+$", ""), slot, job.startedAt(), REMOTE));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /**
     * The run file of a {@code puffgres run} that is still alive; a file left by a dead process counts as none, and
     * so does one this version cannot read (e.g. the camelCase keys earlier builds wrote). A job on a cluster is alive
     * until its cluster says it ended; one whose cluster does not answer counts as alive (nothing shows it ended).
     */
    public static Optional<RunFile> live(Path file) {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        RunFile run;
        try {
            run = JSON.readValue(file.toFile(), RunFile.class);
        } catch (IOException e) {
            return Optional.empty(); // being replaced, or not ours: nothing to report on
        }
        if (run.remote()) {
            return RemoteJobs.ended(run.restUrl(), run.jobId()) ? Optional.empty() : Optional.of(run);
        }
        return ProcessHandle.of(run.pid()).filter(ProcessHandle::isAlive).map(p -> run);
    }
}
