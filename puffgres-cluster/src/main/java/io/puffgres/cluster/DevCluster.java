package io.puffgres.cluster;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * The commands of {@code dev/cluster}: {@code start [--taskmanagers N] [--rest-port P] [--rpc-port P]}, {@code
 * start-taskmanager}, {@code status} and {@code stop}, each with {@code [--home DIR]} (default {@code
 * /tmp/puffgres-cluster}, or {@code $PUFFGRES_CLUSTER_HOME}). The processes run detached from the shell and are found
 * again through their pid files; the Flink settings a {@code start} chose are kept in the home's {@code
 * cluster.properties} so that a later {@code start-taskmanager} joins the same JobManager.
 *
 * <p>Exit codes: 0 done, 1 failed (one line and where to look on stderr), 2 bad usage, 3 ({@code status}) not running.
 */
public final class DevCluster {

    static final Path DEFAULT_HOME = Path.of("/tmp/puffgres-cluster");
    private static final String SETTINGS_FILE = "cluster.properties";
    /** JVM start, RPC and registration of a few processes on a busy 2-core machine take well under this. */
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
    /** Flink shuts down cleanly on SIGTERM in a few seconds; past this the process is killed. */
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

    private final ClusterHome home;
    private final PidFiles pids;

    private DevCluster(ClusterHome home) {
        this.home = home;
        this.pids = new PidFiles(home);
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String[] args) {
        ClusterCommandLine line;
        try {
            line = ClusterCommandLine.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.println(ClusterCommandLine.USAGE);
            return 2;
        }
        DevCluster cluster = new DevCluster(new ClusterHome(line.home()));
        try {
            return switch (line.command()) {
                case "start" -> cluster.start(line);
                case "start-taskmanager" -> cluster.startTaskManager();
                case "status" -> cluster.status();
                case "stop" -> cluster.stop();
                default -> throw new IllegalStateException("unreachable: " + line.command());
            };
        } catch (IOException | RuntimeException e) {
            System.err.println("dev/cluster " + line.command() + ": " + e.getMessage());
            return 1;
        }
    }

    private int start(ClusterCommandLine line) throws IOException {
        Optional<ProcessHandle> running = pids.running(PidFiles.JOB_MANAGER);
        if (running.isPresent()) {
            throw new IllegalStateException("a cluster already runs from " + home.dir() + " (jobmanager pid "
                    + running.get().pid() + "); dev/cluster stop first");
        }
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("execution.checkpointing.dir", home.checkpointDir().toUri().toString());
        settings.put(
                "execution.checkpointing.savepoint-dir",
                home.savepointDir().toUri().toString());
        line.restPort().ifPresent(port -> settings.put("rest.port", Integer.toString(port)));
        line.rpcPort().ifPresent(port -> settings.put("jobmanager.rpc.port", Integer.toString(port)));
        ClusterRest rest = new ClusterRest(restUrl(line.restPort().orElse(8081)));
        if (rest.overview().isPresent()) {
            throw new IllegalStateException("something already answers on " + rest.url()
                    + " (another Flink cluster?); stop it or use --rest-port");
        }
        ClusterFiles files = ClusterFiles.locate();
        boolean metrics = home.prepare(files);
        writeSettings(settings);
        FlinkLauncher launcher = new FlinkLauncher(files, home, Map.of(), true);
        List<StartupWait.Watched> watched = new ArrayList<>();
        watched.add(launch(launcher, PidFiles.JOB_MANAGER, settings));
        List<String> names = new ArrayList<>();
        for (int i = 0; i < line.taskManagers(); i++) {
            String name = pids.nextTaskManager();
            names.add(name);
            watched.add(launch(launcher, name, taskManagerSettings(settings, name)));
        }
        try {
            StartupWait.until(
                    names.size() + " TaskManager(s) to register at " + rest.url(),
                    START_TIMEOUT,
                    () -> rest.taskManagerIds()
                            .map(ids -> ids.containsAll(names))
                            .orElse(false),
                    watched);
        } catch (IllegalStateException e) {
            // half a cluster is of no use and would block the next start; the logs stay
            stop();
            throw e;
        }
        ClusterRest.Overview overview = rest.overview().orElseThrow();
        System.out.printf(
                "Flink %s session cluster: 1 JobManager, %d TaskManager(s)%n",
                overview.flinkVersion(), overview.taskManagers());
        System.out.println("  web UI        " + rest.url());
        System.out.println("  submit        puffgres run --target remote (rest URL " + rest.url()
                + "), or the job jar through the web UI's Submit New Job; see docs/cluster.md");
        System.out.println("  checkpoints   " + home.checkpointDir());
        System.out.println("  logs          " + home.logDir());
        System.out.println("  metrics       "
                + (metrics ? "puffgres Prometheus reporter installed" : "no reporter (puffgres-metrics not built)"));
        System.out.println("  stop          dev/cluster stop");
        return 0;
    }

    private int startTaskManager() throws IOException {
        if (pids.running(PidFiles.JOB_MANAGER).isEmpty()) {
            throw new IllegalStateException("no cluster runs from " + home.dir() + "; dev/cluster start first");
        }
        Map<String, String> settings = readSettings();
        String name = pids.nextTaskManager();
        FlinkLauncher launcher = new FlinkLauncher(ClusterFiles.locate(), home, Map.of(), true);
        StartupWait.Watched watched = launch(launcher, name, taskManagerSettings(settings, name));
        ClusterRest rest = new ClusterRest(restUrl(settings));
        StartupWait.until(
                name + " to register at " + rest.url(),
                START_TIMEOUT,
                () -> rest.taskManagerIds().map(ids -> ids.contains(name)).orElse(false),
                List.of(watched));
        System.out.println(name + " registered (pid " + watched.process().pid() + ", log " + watched.log() + ")");
        return 0;
    }

    private int status() throws IOException {
        List<String> names = new ArrayList<>(List.of(PidFiles.JOB_MANAGER));
        names.addAll(pids.taskManagers());
        boolean jobManager = false;
        for (String name : names) {
            Optional<ProcessHandle> process = pids.running(name);
            jobManager |= name.equals(PidFiles.JOB_MANAGER) && process.isPresent();
            System.out.printf(
                    "%-16s %s%n",
                    name, process.map(p -> "running, pid " + p.pid()).orElse("not running"));
        }
        if (!jobManager) {
            System.out.println("no cluster runs from " + home.dir() + "; dev/cluster start");
            return 3;
        }
        ClusterRest rest = new ClusterRest(restUrl(readSettings()));
        Optional<ClusterRest.Overview> overview = rest.overview();
        if (overview.isEmpty()) {
            System.out.println("the REST API at " + rest.url() + " does not answer; see " + home.logDir());
            return 3;
        }
        ClusterRest.Overview o = overview.get();
        System.out.printf(
                "%s: %d TaskManager(s) registered, %d of %d slots free, %d job(s) running%n",
                rest.url(), o.taskManagers(), o.slotsAvailable(), o.slotsTotal(), o.jobsRunning());
        return 0;
    }

    private int stop() throws IOException {
        List<String> names = new ArrayList<>(pids.taskManagers());
        // the TaskManagers first: stopped after the JobManager they would retry registering until their timeout
        names.add(PidFiles.JOB_MANAGER);
        int stopped = 0;
        for (String name : names) {
            Optional<ProcessHandle> process = pids.running(name);
            if (process.isPresent()) {
                terminate(process.get());
                stopped++;
            }
            pids.delete(name);
        }
        System.out.println(stopped == 0 ? "no cluster process was running" : "stopped " + stopped + " process(es)");
        return 0;
    }

    private StartupWait.Watched launch(FlinkLauncher launcher, String name, Map<String, String> settings)
            throws IOException {
        Process process = launcher.start(PidFiles.roleOf(name), name, settings);
        pids.write(name, process);
        return new StartupWait.Watched(name, process.toHandle(), home.logFile(name));
    }

    private static Map<String, String> taskManagerSettings(Map<String, String> settings, String name) {
        Map<String, String> tm = new LinkedHashMap<>(settings);
        // a known id, so that a start can wait for exactly this TaskManager in /taskmanagers
        tm.put("taskmanager.resource-id", name);
        return tm;
    }

    private static void terminate(ProcessHandle process) {
        process.destroy();
        try {
            process.onExit().get(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (Exception stillRunning) {
            process.destroyForcibly();
        }
    }

    private void writeSettings(Map<String, String> settings) throws IOException {
        Properties properties = new Properties();
        properties.putAll(settings);
        try (Writer out = Files.newBufferedWriter(home.dir().resolve(SETTINGS_FILE))) {
            properties.store(out, "Flink settings of the cluster dev/cluster started here (passed as -D)");
        }
    }

    private Map<String, String> readSettings() throws IOException {
        Properties properties = new Properties();
        Path file = home.dir().resolve(SETTINGS_FILE);
        if (Files.isRegularFile(file)) {
            try (Reader in = Files.newBufferedReader(file)) {
                properties.load(in);
            }
        }
        Map<String, String> settings = new TreeMap<>();
        properties.forEach((k, v) -> settings.put((String) k, (String) v));
        return settings;
    }

    private static URI restUrl(Map<String, String> settings) {
        return restUrl(Integer.parseInt(settings.getOrDefault("rest.port", "8081")));
    }

    private static URI restUrl(int port) {
        return URI.create("http://localhost:" + port);
    }
}
