package io.puffgres.testkit;

import io.puffgres.cluster.ClusterFiles;
import io.puffgres.cluster.ClusterHome;
import io.puffgres.cluster.ClusterRest;
import io.puffgres.cluster.FlinkLauncher;
import io.puffgres.cluster.FlinkRole;
import io.puffgres.cluster.StartupWait;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real standalone Flink session cluster for tests: a JobManager and TaskManagers, each a JVM of its own started from
 * Flink's jars by the launcher {@code dev/cluster} uses, so a job reaches it as it would a production cluster (a jar
 * uploaded through the REST API). It listens on loopback on free ports (REST, JobManager RPC; blob server and
 * TaskManager ports are chosen by Flink), never on a developer's 8081.
 *
 * <p>Every process reads the repository's {@code flink-conf/config.yaml}, with on top: the ports, checkpoint and
 * savepoint directories under the work directory (shared by all processes, as a real cluster's shared path would be),
 * its temporary files there, and heartbeats of 2 s / 10 s so that a killed process is noticed in seconds instead of
 * Flink's 50 s. Every process gets the environment map given to {@link #start(Path, int, Map)}.
 *
 * <p>The methods that start a process return once the REST API shows it. Thread-safe. {@link #close()} (or the JVM's
 * exit) kills every process; the work directory is the caller's to delete.
 */
public final class FlinkCluster implements AutoCloseable {

    /** A JobManager or TaskManager JVM starts and registers in a few seconds; a busy 2-core machine needs more. */
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);

    private static final Duration KILL_TIMEOUT = Duration.ofSeconds(30);

    private static final String JOB_MANAGER = "jobmanager";

    private final ClusterHome home;
    private final FlinkLauncher launcher;
    private final Map<String, String> settings;
    private final ClusterRest rest;
    private final Thread shutdownHook = new Thread(this::killAll, "flink-cluster-kill");

    private Process jobManager;
    /** Every TaskManager started, by index; a killed one stays in its place. */
    private final List<Process> taskManagers = new ArrayList<>();

    private FlinkCluster(ClusterHome home, FlinkLauncher launcher, Map<String, String> settings, int restPort) {
        this.home = home;
        this.launcher = launcher;
        this.settings = settings;
        this.rest = new ClusterRest(URI.create("http://localhost:" + restPort));
    }

    /** A cluster of one JobManager and {@code taskManagers} TaskManagers working in {@code workDir}. */
    public static FlinkCluster start(Path workDir, int taskManagers) {
        return start(workDir, taskManagers, Map.of());
    }

    /**
     * A cluster whose processes all get {@code environment} on top of this JVM's (e.g. the secrets a job reads on its
     * TaskManagers).
     */
    public static FlinkCluster start(Path workDir, int taskManagers, Map<String, String> environment) {
        return start(workDir, taskManagers, environment, Map.of());
    }

    /**
     * A cluster with Flink settings of the caller's on top of the test defaults (they win).
     *
     * @throws IllegalStateException with the log to read when a process does not come up
     */
    public static FlinkCluster start(
            Path workDir, int taskManagers, Map<String, String> environment, Map<String, String> flinkSettings) {
        ClusterHome home = new ClusterHome(workDir);
        ClusterFiles files = ClusterFiles.locate();
        int restPort = LoopbackPorts.free();
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("rest.port", Integer.toString(restPort));
        settings.put("jobmanager.rpc.port", Integer.toString(LoopbackPorts.free()));
        settings.put("execution.checkpointing.dir", home.checkpointDir().toUri().toString());
        settings.put(
                "execution.checkpointing.savepoint-dir",
                home.savepointDir().toUri().toString());
        settings.put("io.tmp.dirs", home.dir().resolve("tmp").toString());
        settings.put("heartbeat.interval", "2000");
        settings.put("heartbeat.timeout", "10000");
        settings.putAll(flinkSettings);
        FlinkCluster cluster;
        try {
            home.prepare(files);
            Files.createDirectories(home.dir().resolve("tmp"));
            cluster = new FlinkCluster(home, new FlinkLauncher(files, home, environment, false), settings, restPort);
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "could not prepare a Flink cluster in " + workDir + ": " + e.getMessage(), e);
        }
        Runtime.getRuntime().addShutdownHook(cluster.shutdownHook);
        try {
            cluster.startJobManager();
            for (int i = 0; i < taskManagers; i++) {
                cluster.startTaskManager();
            }
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    /** The REST endpoint (and web UI), {@code http://localhost:PORT}. */
    public URI restUrl() {
        return rest.url();
    }

    /** A client of the REST API. */
    public ClusterRest rest() {
        return rest;
    }

    /** Where jobs checkpoint unless they say otherwise ({@code file:} URI under the work directory). */
    public URI checkpointDir() {
        return home.checkpointDir().toUri();
    }

    /** Where savepoints go unless a stop names a directory ({@code file:} URI under the work directory). */
    public URI savepointDir() {
        return home.savepointDir().toUri();
    }

    /** The processes' log files ({@code jobmanager.log}, {@code taskmanager-<i>.log} and their {@code .out}). */
    public Path logDir() {
        return home.logDir();
    }

    /** The process of the {@code index}-th TaskManager started (0-based), alive or killed. */
    public synchronized ProcessHandle taskManager(int index) {
        return taskManagers.get(index).toHandle();
    }

    /** The JobManager's process, alive or killed. */
    public synchronized ProcessHandle jobManager() {
        return jobManager.toHandle();
    }

    /**
     * Starts one more TaskManager and returns once it has registered.
     *
     * @return its index, for {@link #killTaskManager(int)}
     */
    public synchronized int startTaskManager() {
        int index = taskManagers.size();
        String name = taskManagerName(index);
        Map<String, String> tm = new LinkedHashMap<>(settings);
        // a known id, so that this start waits for exactly this TaskManager in /taskmanagers
        tm.put("taskmanager.resource-id", name);
        Process process = launch(FlinkRole.TASK_MANAGER, name, tm);
        taskManagers.add(process);
        StartupWait.until(
                name + " to register at " + rest.url(),
                START_TIMEOUT,
                () -> rest.taskManagerIds().map(ids -> ids.contains(name)).orElse(false),
                List.of(watched(name, process), watched(JOB_MANAGER, jobManager)));
        return index;
    }

    /**
     * Kills the {@code index}-th TaskManager with SIGKILL ({@code kill -9}) and returns once the process is gone. The
     * JobManager notices it by its missed heartbeats.
     *
     * @throws IllegalStateException when the process is still alive after the timeout
     */
    public synchronized void killTaskManager(int index) {
        kill(taskManagers.get(index), taskManagerName(index));
    }

    /** Kills the JobManager with SIGKILL and returns once the process is gone; the TaskManagers keep running. */
    public synchronized void killJobManager() {
        kill(jobManager, JOB_MANAGER);
    }

    /**
     * Starts the JobManager, on the same ports and with the same directories as before, and returns once the REST API
     * answers and every TaskManager still alive has registered again. Without high availability the new JobManager
     * knows no jobs: a job is resumed from its retained checkpoint by submitting it again.
     *
     * @throws IllegalStateException when the previous JobManager still runs
     */
    public synchronized void startJobManager() {
        if (jobManager != null && jobManager.isAlive()) {
            throw new IllegalStateException("the JobManager still runs (pid " + jobManager.pid() + ")");
        }
        jobManager = launch(FlinkRole.JOB_MANAGER, JOB_MANAGER, settings);
        List<String> alive = new ArrayList<>();
        List<StartupWait.Watched> watched = new ArrayList<>(List.of(watched(JOB_MANAGER, jobManager)));
        for (int i = 0; i < taskManagers.size(); i++) {
            if (taskManagers.get(i).isAlive()) {
                alive.add(taskManagerName(i));
                watched.add(watched(taskManagerName(i), taskManagers.get(i)));
            }
        }
        StartupWait.until(
                "the JobManager at " + rest.url() + " with " + alive.size() + " TaskManager(s)",
                START_TIMEOUT,
                () -> rest.taskManagerIds().map(ids -> ids.containsAll(alive)).orElse(false),
                watched);
    }

    /** Kills every process (SIGKILL). */
    @Override
    public void close() {
        killAll();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs or has run: nothing left to remove
        }
    }

    private synchronized void killAll() {
        for (int i = 0; i < taskManagers.size(); i++) {
            kill(taskManagers.get(i), taskManagerName(i));
        }
        if (jobManager != null) {
            kill(jobManager, JOB_MANAGER);
        }
    }

    private Process launch(FlinkRole role, String name, Map<String, String> processSettings) {
        try {
            return launcher.start(role, name, processSettings);
        } catch (IOException e) {
            throw new UncheckedIOException("could not start " + name + ": " + e.getMessage(), e);
        }
    }

    private void kill(Process process, String name) {
        process.destroyForcibly();
        try {
            if (!process.waitFor(KILL_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                throw new IllegalStateException(name + " (pid " + process.pid() + ") still alive after SIGKILL");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while killing " + name, e);
        }
    }

    private StartupWait.Watched watched(String name, Process process) {
        return new StartupWait.Watched(name, process.toHandle(), home.logFile(name));
    }

    private static String taskManagerName(int index) {
        return "taskmanager-" + index;
    }
}
