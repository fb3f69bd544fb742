package io.puffgres.job;

import io.puffgres.migration.Project;
import io.puffgres.source.ReplicationSetup.SetupException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.Optional;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.streaming.api.environment.ExecutionCheckpointingOptions;

/**
 * The Flink configuration of a run. An embedded run reads {@code flink-conf/config.yaml} (the copy puffgres carries,
 * or the one in {@code [flink] conf_dir}) as a cluster would; on top of it, and of a cluster's own configuration for
 * a remote run, go the settings every puffgres job needs whatever the cluster says: the project's checkpoint interval
 * and directory, checkpoints retained on cancel (the next run resumes from them), checkpoint failures tolerated (a
 * turbopuffer outage makes checkpoints wait; that must not fail the job), and restarts.
 */
final class FlinkSettings {

    /** The classpath copy of the repository's {@code flink-conf/config.yaml}. */
    static final String BUNDLED_CONFIG = "/flink-conf/config.yaml";

    private FlinkSettings() {}

    /** The configuration file of an embedded run, with the job's settings on top. */
    static Configuration embedded(Project project) throws SetupException {
        Configuration conf =
                GlobalConfiguration.loadConfiguration(confDir(project).toString());
        job(conf, project, checkpointUri(project, false));
        return conf;
    }

    /** A remote run's job settings (the cluster's configuration holds the rest). */
    static Configuration remote(Project project) throws SetupException {
        Configuration conf = new Configuration();
        job(conf, project, checkpointUri(project, true));
        return conf;
    }

    private static void job(Configuration conf, Project project, String checkpoints) {
        conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpoints);
        long interval = project.config().flink().checkpointIntervalMs();
        conf.set(ExecutionCheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofMillis(interval));
        // Flink triggers the first checkpoint at a random time between the minimum pause and the interval after the
        // job is running; one triggered before every task has started counts as failed. Half the interval (5 s by
        // default) leaves the tasks the time they take to start, and keeps a busy job making progress between
        // checkpoints.
        conf.set(ExecutionCheckpointingOptions.MIN_PAUSE_BETWEEN_CHECKPOINTS, Duration.ofMillis(interval / 2));
        conf.set(
                ExecutionCheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
                ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        conf.set(ExecutionCheckpointingOptions.TOLERABLE_FAILURE_NUMBER, Integer.MAX_VALUE);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "exponential-delay");
    }

    /**
     * The directory holding the embedded run's {@code config.yaml}: {@code [flink] conf_dir} (relative to the
     * project), else a copy of the one puffgres carries, unpacked into a temporary directory (Flink's loader reads
     * directories only).
     */
    static Path confDir(Project project) throws SetupException {
        Optional<String> configured = project.config().flink().confDir();
        if (configured.isPresent()) {
            Path dir = project.dir().resolve(configured.get()).normalize();
            if (!Files.isRegularFile(dir.resolve(GlobalConfiguration.FLINK_CONF_FILENAME))) {
                throw new SetupException("[flink] conf_dir " + dir + " holds no "
                        + GlobalConfiguration.FLINK_CONF_FILENAME + "; point it at a directory like the repository's"
                        + " flink-conf/, or remove it to use the configuration puffgres carries");
            }
            return dir;
        }
        try (InputStream in = FlinkSettings.class.getResourceAsStream(BUNDLED_CONFIG)) {
            if (in == null) {
                throw new IllegalStateException(BUNDLED_CONFIG + " is missing from the classpath: a broken build");
            }
            Path dir = Files.createTempDirectory("puffgres-flink-conf");
            Files.copy(in, dir.resolve(GlobalConfiguration.FLINK_CONF_FILENAME), StandardCopyOption.REPLACE_EXISTING);
            dir.toFile().deleteOnExit();
            dir.resolve(GlobalConfiguration.FLINK_CONF_FILENAME).toFile().deleteOnExit();
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot unpack " + BUNDLED_CONFIG, e);
        }
    }

    /**
     * {@code [flink] checkpoint_dir} as a URI. An embedded run resolves a relative path against the project; a cluster
     * needs a place every one of its machines reaches, so there a relative path is refused.
     */
    static String checkpointUri(Project project, boolean remote) throws SetupException {
        String dir = project.config().flink().checkpointDir();
        if (dir.matches("[a-zA-Z][a-zA-Z0-9+.-]*:.*")) {
            return dir;
        }
        Path path = Path.of(dir);
        if (remote && !path.isAbsolute()) {
            throw new SetupException("[flink] checkpoint_dir \"" + dir + "\" is relative, and a Flink cluster needs a"
                    + " directory all its machines share: set an absolute shared path or a URI such as"
                    + " s3://bucket/puffgres/checkpoints");
        }
        return project.dir().resolve(path).normalize().toUri().toString();
    }

    /**
     * The newest completed checkpoint or savepoint under {@code dir} ({@code <job>/chk-N/_metadata},
     * {@code savepoints/savepoint-…/_metadata}), read through Flink's file systems (a shared path, or s3://… where the
     * file system is installed), if any.
     */
    static Optional<String> latestCheckpoint(URI dir) throws IOException {
        FileSystem fs = FileSystem.get(dir);
        org.apache.flink.core.fs.Path root = new org.apache.flink.core.fs.Path(dir);
        if (!fs.exists(root)) {
            return Optional.empty();
        }
        FileStatus newest = null;
        for (FileStatus job : list(fs, root)) {
            for (FileStatus point : list(fs, job.getPath())) {
                org.apache.flink.core.fs.Path metadata =
                        new org.apache.flink.core.fs.Path(point.getPath(), "_metadata");
                if (point.isDir() && fs.exists(metadata)) {
                    FileStatus status = fs.getFileStatus(metadata);
                    if (newest == null
                            || Comparator.comparingLong(FileStatus::getModificationTime)
                                            .compare(status, newest)
                                    > 0) {
                        newest = status;
                    }
                }
            }
        }
        return Optional.ofNullable(newest)
                .map(s -> s.getPath().getParent().toUri().toString());
    }

    private static FileStatus[] list(FileSystem fs, org.apache.flink.core.fs.Path dir) throws IOException {
        FileStatus[] entries = fs.listStatus(dir);
        return entries == null ? new FileStatus[0] : entries;
    }
}
