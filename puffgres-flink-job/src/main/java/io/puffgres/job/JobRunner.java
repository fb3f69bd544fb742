package io.puffgres.job;

import io.puffgres.config.PostgresUrl;
import io.puffgres.config.ProjectConfig;
import io.puffgres.dlq.DlqTable;
import io.puffgres.event.RelationId;
import io.puffgres.fill.FillLedger;
import io.puffgres.fill.FillSource;
import io.puffgres.fill.FillTable;
import io.puffgres.fill.FillTableException;
import io.puffgres.migration.Migration;
import io.puffgres.migration.Project;
import io.puffgres.migration.ProjectBundle;
import io.puffgres.poll.PollSettings;
import io.puffgres.poll.PollSource;
import io.puffgres.source.ChunkKey;
import io.puffgres.source.PostgresCdcSources;
import io.puffgres.source.ReplicationSetup;
import io.puffgres.source.ReplicationSetup.SetupException;
import io.puffgres.stream.JobSpec;
import io.puffgres.transform.TransformLoadException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.apache.flink.cdc.connectors.base.options.StartupOptions;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.configuration.WebOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Prepares Postgres (publication, slot, DLQ table) and starts the job on an embedded Flink MiniCluster: RocksDB
 * state, checkpoints into the project's checkpoint dir retained on cancel, and a restart from the newest retained
 * checkpoint when one exists.
 */
public final class JobRunner {

    /**
     * How to run.
     *
     * @param slot the replication slot, or empty for {@code [postgres] slot}
     * @param createSlot create the slot when missing (else a missing slot is an error)
     * @param fromLsn start streaming at this LSN (Postgres text form) without a snapshot; the slot is moved there
     * @param strict stop at the first DLQ entry
     * @param plugin {@code pgoutput} or {@code wal2json}
     * @param webUiPort the Flink web UI port, 0 for any free port, -1 for no web UI
     * @param notes told what the start waits for (e.g. the transactions a slot creation waits for), as it waits
     * @param remote the Flink cluster to submit to; empty: an embedded MiniCluster
     * @param poll read changes with the wal2json poll source ({@code --poll}) even where {@code [source] mode} is
     *     {@code "stream"}
     */
    public record Options(
            Optional<String> slot,
            boolean createSlot,
            Optional<String> fromLsn,
            boolean strict,
            String plugin,
            int webUiPort,
            Consumer<String> notes,
            Optional<Remote> remote,
            boolean poll) {

        public Options(
                Optional<String> slot,
                boolean createSlot,
                Optional<String> fromLsn,
                boolean strict,
                String plugin,
                int webUiPort,
                Consumer<String> notes) {
            this(slot, createSlot, fromLsn, strict, plugin, webUiPort, notes, Optional.empty(), false);
        }

        /** Options whose notes go nowhere (tests and benchmarks). */
        public Options(
                Optional<String> slot,
                boolean createSlot,
                Optional<String> fromLsn,
                boolean strict,
                String plugin,
                int webUiPort) {
            this(slot, createSlot, fromLsn, strict, plugin, webUiPort, note -> {});
        }

        public static Options defaults() {
            return new Options(Optional.empty(), false, Optional.empty(), false, "pgoutput", -1);
        }

        public Options withCreateSlot(boolean create) {
            return new Options(slot, create, fromLsn, strict, plugin, webUiPort, notes, remote, poll);
        }

        public Options withStrict(boolean s) {
            return new Options(slot, createSlot, fromLsn, s, plugin, webUiPort, notes, remote, poll);
        }

        public Options withNotes(Consumer<String> n) {
            return new Options(slot, createSlot, fromLsn, strict, plugin, webUiPort, n, remote, poll);
        }

        public Options withRemote(Remote r) {
            return new Options(slot, createSlot, fromLsn, strict, plugin, webUiPort, notes, Optional.of(r), poll);
        }

        public Options withPoll(boolean p) {
            return new Options(slot, createSlot, fromLsn, strict, plugin, webUiPort, notes, remote, p);
        }
    }

    /**
     * A Flink cluster to submit the job to.
     *
     * @param restUrl its REST API, e.g. {@code http://flink-jobmanager:8081}
     * @param jobJar the job jar uploaded with the job (puffgres's classes and what a Flink cluster lacks)
     */
    public record Remote(String restUrl, Path jobJar) {

        /** The job is built inside the cluster ({@link ClusterMain}, run from an uploaded jar). */
        static final Remote IN_CLUSTER = new Remote("", null);

        boolean inCluster() {
            return jobJar == null;
        }
    }

    /**
     * A started job: the Flink client, the checkpoint or savepoint it was restored from (if any), its slot, the
     * address of the Flink web UI and REST API (empty without web UI), and the fills it runs.
     */
    public record Started(
            JobClient client, Optional<String> restoredFrom, String slot, Optional<String> restUrl, FillPlan fills) {}

    private JobRunner() {}

    public static Started start(Project project, Options options) throws SetupException, SQLException {
        return start(project, null, options, false);
    }

    /** Starts the job inside a Flink cluster ({@link ClusterMain}): the project comes from {@code bundle}. */
    static Started startInCluster(Project project, ProjectBundle bundle, Options options)
            throws SetupException, SQLException {
        return start(project, bundle, options.withRemote(Remote.IN_CLUSTER), false);
    }

    /**
     * The job as it was before fills existed, for {@code FillBench} to compare against (no command reaches it): Flink
     * CDC reads the initial snapshot ({@code StartupOptions.initial()}) and no fill runs; the ledger is not consulted.
     */
    public static Started startWithFlinkCdcSnapshot(Project project, Options options)
            throws SetupException, SQLException {
        if (options.fromLsn().isPresent()) {
            throw new IllegalArgumentException("Flink CDC's initial snapshot starts at the snapshot, not at a WAL"
                    + " position: start it without fromLsn");
        }
        return start(project, null, options, true);
    }

    /** @param bundle the project as packed for the tasks; null: packed here from {@code project} */
    private static Started start(Project project, ProjectBundle bundle, Options options, boolean flinkCdcSnapshot)
            throws SetupException, SQLException {
        ProjectConfig config = project.config();
        List<Migration> mappings = project.effectiveMappings();
        if (mappings.isEmpty()) {
            throw new SetupException("the project has no migrations; add one with puffgres generate");
        }
        checkBindAddress(config.flink().webUiBind());
        String slot = options.slot().orElse(config.postgres().slot());
        boolean poll = options.poll() || config.source().mode() == ProjectConfig.Source.Mode.POLL;
        if (poll && flinkCdcSnapshot) {
            throw new IllegalArgumentException("Flink CDC's initial snapshot needs the streaming source, not --poll");
        }
        if (poll && slot.length() > PollSettings.maxSlotName()) {
            throw new SetupException("slot name " + slot + " is too long for poll mode (at most "
                    + PollSettings.maxSlotName() + " characters: its reading slot " + PollSettings.readingSlot(slot)
                    + " must fit Postgres's 63); pick a shorter --slot");
        }
        String plugin = poll ? "wal2json" : options.plugin();
        Map<String, RelationId> relations = new LinkedHashMap<>();
        Map<RelationId, List<String>> idColumns = new LinkedHashMap<>();
        long snapshotLsn;
        FillPlan fillPlan;
        Optional<String> chunkKey;
        try (Connection c = config.postgres().connect()) {
            for (Migration m : mappings) {
                RelationId cdc = ReplicationSetup.cdcRelation(c, m);
                relations.put(JobSpec.key(m, true), cdc);
                idColumns.computeIfAbsent(cdc, t -> new ArrayList<>()).add(m.id().column());
            }
            List<RelationId> tables = relations.values().stream().distinct().toList();
            ReplicationSetup.checkPlugin(c, plugin, tables);
            ChunkKey.Choice chunks = ChunkKey.choose(c, idColumns);
            if (!chunks.problems().isEmpty()) {
                ChunkKey.Problem first = chunks.problems().get(0);
                throw new SetupException(first.detail() + "; fix: " + first.fix());
            }
            chunkKey = chunks.column();
            ReplicationSetup.ensurePublication(c, config.postgres().publication(), tables);
            boolean slotCreated = ReplicationSetup.ensureSlot(
                    c, slot, plugin, options.createSlot(), config.postgres(), options.notes());
            if (options.fromLsn().isPresent()) {
                ReplicationSetup.advanceSlot(c, slot, options.fromLsn().get());
            }
            new DlqTable(config.state().schema()).ensure(c);
            snapshotLsn = ReplicationSetup.currentLsn(c);
            fillPlan = flinkCdcSnapshot
                    ? new FillPlan(List.of(), List.of())
                    : FillPlan.decide(
                            c,
                            project,
                            mappings,
                            new FillLedger(config.state().schema()),
                            slotCreated,
                            options.fromLsn().isPresent());
            for (FillPlan.Fill fill : fillPlan.fills()) {
                try {
                    FillTable.resolve(c, fill.migration()); // a table a fill cannot read is refused now, not later
                } catch (FillTableException e) {
                    throw new SetupException(e.getMessage());
                }
            }
            for (Migration kept : fillPlan.kept()) {
                relations.put(JobSpec.key(kept, false), ReplicationSetup.cdcRelation(c, kept));
            }
        }
        Configuration conf =
                options.remote().isPresent() ? FlinkSettings.remote(project) : FlinkSettings.embedded(project);
        Optional<String> restore = Optional.empty();
        if (options.fromLsn().isEmpty()) {
            restore = newestRetained(conf.get(CheckpointingOptions.CHECKPOINTS_DIRECTORY));
        }
        restore.ifPresent(p -> {
            conf.set(StateRecoveryOptions.SAVEPOINT_PATH, p);
            conf.set(StateRecoveryOptions.SAVEPOINT_IGNORE_UNCLAIMED_STATE, true);
        });
        StreamExecutionEnvironment env;
        Optional<String> restUrl = Optional.empty();
        int port = -1;
        if (options.remote().filter(Remote::inCluster).isPresent()) {
            env = StreamExecutionEnvironment.getExecutionEnvironment(conf); // the one Flink gives ClusterMain
        } else if (options.remote().isPresent()) {
            Remote remote = options.remote().get();
            URI rest = URI.create(remote.restUrl());
            restUrl = Optional.of(remote.restUrl().replaceAll("/+$", ""));
            env = StreamExecutionEnvironment.createRemoteEnvironment(
                    rest.getHost(),
                    rest.getPort() < 0 ? 80 : rest.getPort(),
                    conf,
                    remote.jobJar().toString());
        } else {
            String bind = config.flink().webUiBind();
            String address = lockRestApi(conf, bind);
            port = options.webUiPort() == 0 ? freePort() : options.webUiPort();
            if (port >= 0) {
                conf.set(RestOptions.PORT, port);
                restUrl = Optional.of("http://" + (address.contains(":") ? "[" + address + "]" : address) + ":" + port);
                env = StreamExecutionEnvironment.createLocalEnvironmentWithWebUI(conf);
            } else {
                // no web UI: the REST server the MiniCluster starts anyway takes any free port, not config.yaml's 8081
                // (two runs without web UI, or one beside a cluster's JobManager, would collide there)
                conf.set(RestOptions.PORT, 0);
                env = StreamExecutionEnvironment.createLocalEnvironment(
                        config.flink().parallelism(), conf);
            }
        }
        env.setParallelism(config.flink().parallelism());

        Map<String, Integer> versions = new LinkedHashMap<>();
        mappings.forEach(m -> versions.put(JobSpec.key(m, true), m.version()));
        fillPlan.kept().forEach(m -> versions.put(JobSpec.key(m, false), m.version()));
        JobSpec spec = new JobSpec(
                project.dir().toString(),
                snapshotLsn,
                slot,
                versions,
                options.strict(),
                bundle != null ? bundle : bundle(project));
        // Flink CDC reads no snapshot: fills do (FillPlan); "committed" streams from the slot's confirmed position,
        // which for a slot created now is its consistent point, and for --from-lsn where the slot was moved
        List<RelationId> tables = relations.values().stream().distinct().toList();
        List<FillSource> fills = fillPlan.fills().stream()
                .map(f -> new FillSource(spec, f.request(config.fill().chunkRows())))
                .toList();
        if (poll) {
            ProjectConfig.Source s = config.source();
            // the run's id holds the slot's poll lease: new for each start of the job, kept by its restarts
            PollSettings settings = new PollSettings(
                    slot,
                    tables,
                    s.pollIntervalMs(),
                    s.pollMaxIntervalMs(),
                    s.pollBatchSize(),
                    java.util.UUID.randomUUID().toString());
            PuffgresJob.build(env, spec, new PollSource(spec, settings), "postgres poll", relations, fills);
        } else {
            PostgresCdcSources.Settings source = sourceSettings(
                    config,
                    tables,
                    slot,
                    options,
                    flinkCdcSnapshot ? StartupOptions.initial() : StartupOptions.committed(),
                    chunkKey);
            PuffgresJob.build(env, spec, PostgresCdcSources.build(source), "postgres cdc", relations, fills);
        }
        try {
            JobClient client = env.executeAsync(jobName(slot, relations.keySet()));
            return new Started(client, restore, slot, restUrl, fillPlan);
        } catch (Exception e) {
            if (options.remote().filter(r -> !r.inCluster()).isPresent()) {
                throw new SetupException("the Flink cluster at " + restUrl.orElseThrow() + " did not take the job: "
                        + rootMessage(e) + "; check that the cluster runs and that [flink] rest_url is its REST API");
            }
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof BindException && port >= 0) {
                    throw new SetupException("the Flink web UI port " + port + " is in use; stop what holds it, or"
                            + " pick another with --web-ui-port (0: a free port, -1: no web UI)");
                }
            }
            throw new IllegalStateException("the Flink job did not start: " + e.getMessage(), e);
        }
    }

    /**
     * Serves the MiniCluster's REST API (and web UI) on {@code bind} only, and turns off what its web UI offers beyond
     * watching: jar upload and submission ({@code web.submit.enable}: the {@code /jars} endpoints are not served) and
     * the cancel button ({@code web.cancel.enable}). In Flink 1.20 the latter only hides the button ({@code /config}
     * says {@code "web-cancel": false}); {@code PATCH /jobs/:id?mode=cancel} stays served, and {@code puffgres stop}
     * relies on it after its timeout. What keeps others from it is the bind address. The MiniCluster starts its REST
     * server even without web UI (on a random port), so this holds for every run.
     *
     * @return the address clients reach the REST API at: {@code bind}, or {@code localhost} for a wildcard
     */
    private static String lockRestApi(Configuration conf, String bind) {
        conf.set(RestOptions.BIND_ADDRESS, bind);
        String address = wildcard(bind) ? "localhost" : bind;
        conf.set(RestOptions.ADDRESS, address);
        conf.set(WebOptions.SUBMIT_ENABLE, false);
        conf.set(WebOptions.CANCEL_ENABLE, false);
        return address;
    }

    /**
     * Refuses a {@code [flink] web_ui_bind} that is not one of this machine's addresses, before anything is written
     * (Flink would report only that no port of its range was free).
     */
    public static void checkBindAddress(String bind) throws SetupException {
        try {
            InetAddress address = InetAddress.getByName(bind); // a literal: parsed, never looked up
            if (!address.isAnyLocalAddress() && NetworkInterface.getByInetAddress(address) == null) {
                throw new SetupException("[flink] web_ui_bind " + bind + " is not an address of this machine; use"
                        + " 127.0.0.1 (the default), 0.0.0.0 (every interface) or one of the machine's addresses");
            }
        } catch (IOException e) {
            throw new SetupException("[flink] web_ui_bind " + bind + ": " + e.getMessage());
        }
    }

    /** Whether {@code ip} (an IP literal, see {@code [flink] web_ui_bind}) means every interface: 0.0.0.0 or ::. */
    private static boolean wildcard(String ip) {
        try {
            return InetAddress.getByName(ip).isAnyLocalAddress(); // a literal: parsed, never looked up
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private static PostgresCdcSources.Settings sourceSettings(
            ProjectConfig config,
            List<RelationId> tables,
            String slot,
            Options options,
            StartupOptions startup,
            Optional<String> chunkKey) {
        PostgresUrl url = config.postgres().url();
        return new PostgresCdcSources.Settings(
                url.host(),
                url.port(),
                url.database(),
                config.postgres().user().orElse(System.getProperty("user.name")),
                config.postgres().password().map(p -> p.reveal()).orElse(""),
                url.parameters(),
                tables.stream().map(RelationId::toString).toList(),
                slot,
                config.postgres().publication(),
                options.plugin(),
                startup,
                chunkKey);
    }

    /** {@code [flink] checkpoint_dir}, relative to the project directory unless absolute or a URI. */
    public static Path checkpointDir(Project project) {
        String dir = project.config().flink().checkpointDir();
        if (dir.startsWith("file:")) {
            return Path.of(URI.create(dir));
        }
        return project.dir().resolve(dir).normalize();
    }

    /**
     * Where a stop puts the savepoint it takes: {@code savepoints} under the checkpoint directory, as a URI (for a
     * remote run the cluster's; a relative {@code checkpoint_dir} is refused there).
     */
    public static String savepointUri(Project project, boolean remote) throws SetupException {
        return FlinkSettings.checkpointUri(project, remote).replaceAll("/+$", "") + "/savepoints";
    }

    /** Where {@code puffgres run} puts the savepoint it takes when stopped: under the checkpoint dir. */
    public static Path savepointDir(Project project) {
        return checkpointDir(project).resolve("savepoints");
    }

    /** A port nobody listens on now (the MiniCluster's REST server needs a fixed one to be reachable). */
    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port for the Flink web UI", e);
        }
    }

    /** The newest completed checkpoint or savepoint under the local directory {@code dir}, if any. */
    public static Optional<Path> latestCheckpoint(Path dir) {
        try {
            return FlinkSettings.latestCheckpoint(dir.toUri()).map(uri -> Path.of(URI.create(uri)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The newest retained checkpoint or savepoint in the checkpoint directory {@code dir} (a URI), if any. */
    private static Optional<String> newestRetained(String dir) throws SetupException {
        try {
            return FlinkSettings.latestCheckpoint(URI.create(dir));
        } catch (IOException e) {
            throw new SetupException("cannot look for retained checkpoints in " + dir + ": " + rootMessage(e)
                    + " (this machine needs Flink's file system for it, e.g. its s3 plugin)");
        }
    }

    /** The project as the job's tasks load it: packed, so that no task reads the project directory. */
    private static ProjectBundle bundle(Project project) throws SetupException {
        try {
            return ProjectBundle.of(project, System.getenv());
        } catch (TransformLoadException e) {
            throw new SetupException("a Java transform does not compile: " + String.join("; ", e.problems())
                    + "; puffgres validate shows every problem");
        } catch (IllegalArgumentException e) {
            throw new SetupException(e.getMessage());
        }
    }

    /** The job's name: the slot and mapping keys, which is how {@code status} finds it on a cluster. */
    static String jobName(String slot, java.util.Collection<String> mappings) {
        return "puffgres [" + slot + "]: " + String.join(", ", mappings);
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + ": " + root.getMessage();
    }
}
