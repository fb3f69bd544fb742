package io.puffgres.cli.run;

import io.puffgres.cli.AppliedMigrations;
import io.puffgres.cli.CliException;
import io.puffgres.cli.ExitCode;
import io.puffgres.cli.FillLines;
import io.puffgres.cli.MappingSummary;
import io.puffgres.cli.OptionValues;
import io.puffgres.cli.ProjectOption;
import io.puffgres.cli.RemoteJobs;
import io.puffgres.cli.RunFile;
import io.puffgres.cli.SourceOptions;
import io.puffgres.cli.status.FailureCause;
import io.puffgres.cli.status.LiveStatus;
import io.puffgres.config.Diagnostic;
import io.puffgres.config.ProjectConfig;
import io.puffgres.fill.FillLedger;
import io.puffgres.job.FillPlan;
import io.puffgres.job.JobRunner;
import io.puffgres.migration.Migration;
import io.puffgres.migration.Project;
import io.puffgres.preflight.Check;
import io.puffgres.preflight.Preflight;
import io.puffgres.source.ReplicationSetup.SetupException;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code puffgres run}: the streaming job on an embedded Flink MiniCluster, until it fails or is stopped. */
@Command(
        name = "run",
        description = {
            "Mirror the project's mappings: snapshot, then stream changes, on an embedded Flink with its web UI.",
            "Restarts from the newest retained checkpoint or savepoint in [flink] checkpoint_dir when there is one.",
            "Ctrl-C or SIGTERM stops with a savepoint; a second Ctrl-C cancels at once (SIGTERM again, as timeout",
            "sends it, is the same stop).",
            "Refuses to start while another run of the project runs (exit 1). Before it changes anything it makes",
            "doctor's checks that apply to a run and prints every finding with its fix: exit 3 when a mapping does",
            "not match the database (a column, a predicate type, a lookup query), else 4 (replica identity, rights,",
            "the slot, ...)."
        },
        mixinStandardHelpOptions = true,
        footer = {
            "%nExamples:",
            "  puffgres run --create-slot              first run: create the slot, snapshot, stream",
            "  puffgres run                            later runs: resume from the last checkpoint",
            "  puffgres run --strict                   stop at the first change that would go to the DLQ",
            "  puffgres run --detach                   in the background; puffgres status / puffgres stop",
            "  puffgres run --slot other --from-lsn 0/1A2B3C4D",
            "  puffgres run --poll --create-slot       poll mode: read wal2json over plain SQL (no replication",
            "                                          connection; works behind a transaction-mode pooler)",
            ExitCode.HELP_FOOTER
        })
public final class RunCommand implements Callable<Integer> {

    /** Set by {@code backfill}: follow the run's fills and stop the job once they are done. */
    boolean untilFilled;

    @Spec
    CommandSpec spec;

    @Mixin
    ProjectOption project;

    @Mixin
    SourceOptions source = new SourceOptions();

    @Option(names = "--create-slot", description = "Create the replication slot when it does not exist.")
    boolean createSlot;

    @Option(
            names = "--from-lsn",
            paramLabel = "LSN",
            converter = OptionValues.Lsn.class,
            description = "Skip the snapshot and stream from this WAL position (e.g. 0/1A2B3C4D); moves the slot.")
    String fromLsn;

    @Option(
            names = "--detach",
            description = "Run in the background (log in puffgres/state/run.log); stop it with puffgres stop.")
    boolean detach;

    @Option(names = "--strict", description = "Stop the job instead of moving past a change that goes to the DLQ.")
    boolean strict;

    @Mixin
    WebUiPortOption webUi = new WebUiPortOption();

    @Option(
            names = "--target",
            paramLabel = "WHERE",
            converter = OptionValues.Target.class,
            description = "embedded (a Flink MiniCluster inside puffgres) or remote (submit to the Flink cluster at"
                    + " [flink] rest_url, then return); default: [flink] mode.")
    ProjectConfig.Flink.Mode target;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        source.checkFlags();
        Project all = project.load();
        source.resolve(all.config()); // a conflict with [source] mode is a usage error before anything starts
        if (remote(all)) {
            refuseEmbeddedOptions();
            // before the lock, which asks the cluster whether the job of an earlier run still runs
            RemoteJobs.checkReachable(restUrl(all));
            try (RunLock lock = RunLock.acquire(all)) { // the job runs on the cluster: there is nothing to detach
                return run(all, out);
            }
        }
        if (detach) {
            RunLock.checkFree(all); // the background run takes the lock itself, and refuses if it lost a race
            return Detached.start(
                    spec.root().commandLine().getParseResult().originalArgs(),
                    project.invocation(),
                    RunFile.path(all),
                    out);
        }
        try (RunLock lock = RunLock.acquire(all)) {
            return run(all, out);
        }
    }

    /** Whether the job goes to a Flink cluster: {@code --target}, else {@code [flink] mode}. */
    boolean remote(Project all) {
        return (target != null ? target : all.config().flink().mode()) == ProjectConfig.Flink.Mode.REMOTE;
    }

    /** A remote run has no web UI of its own: {@code --web-ui-port} given with it is a usage error, not ignored. */
    private void refuseEmbeddedOptions() {
        if (spec.commandLine().getParseResult().hasMatchedOption("--web-ui-port")) {
            throw new CliException(
                    ExitCode.USAGE,
                    "--web-ui-port is for embedded runs: the cluster serves its own web UI at [flink] rest_url",
                    "leave it out, or run with --target embedded");
        }
    }

    /** {@code [flink] rest_url}, which a remote run needs (exit 3 without). */
    private static String restUrl(Project all) {
        return all.config()
                .flink()
                .restUrl()
                .orElseThrow(() -> new CliException(
                        ExitCode.INVALID_CONFIG,
                        "--target remote needs [flink] rest_url, the Flink cluster's REST API",
                        "set rest_url = \"http://<jobmanager>:8081\" in puffgres.toml (or PUFFGRES_FLINK_REST_URL)"));
    }

    /** The run itself, holding the project's run lock. */
    int run(Project all, PrintWriter out) throws Exception {
        boolean remote = remote(all);
        SourceOptions.Reading reading = source.resolve(all.config());
        Optional<JobRunner.Remote> cluster = Optional.empty();
        if (remote) {
            String restUrl = all.config()
                    .flink()
                    .restUrl()
                    .orElseThrow(
                            () -> new CliException(
                                    ExitCode.INVALID_CONFIG,
                                    "--target remote needs [flink] rest_url, the Flink cluster's REST API",
                                    "set rest_url = \"http://<jobmanager>:8081\" in puffgres.toml (or PUFFGRES_FLINK_REST_URL)"));
            RemoteJobs.checkReachable(restUrl); // before anything is prepared in Postgres
            refuseRunningOn(restUrl, reading.slot());
            cluster = Optional.of(new JobRunner.Remote(restUrl, JobJar.locate()));
        }
        Project loaded = preflight(all, reading, out);
        JobRunner.Options options = new JobRunner.Options(
                Optional.of(reading.slot()),
                createSlot,
                Optional.ofNullable(fromLsn),
                strict,
                reading.plugin(),
                webUi.port,
                note -> {
                    out.println("note: " + note);
                    out.flush();
                },
                cluster,
                reading.poll());
        if (reading.poll()) {
            out.println("reading slot " + reading.slot() + " in " + reading.describe());
        }
        JobRunner.Started job;
        try {
            job = JobRunner.start(loaded, options);
        } catch (SetupException e) {
            throw new CliException(ExitCode.RUNTIME, e.getMessage(), "see puffgres run --help");
        } catch (SQLException e) {
            throw preparing(e);
        }
        for (Migration m : loaded.effectiveMappings()) {
            out.println("mapping " + MappingSummary.of(m));
        }
        out.println(job.restoredFrom()
                .map(p -> "resuming from "
                        + (p.startsWith("file:") ? Path.of(URI.create(p)).toString() : p))
                .orElse(fromLsn != null ? "streaming from " + fromLsn : "streaming from the slot's position"));
        for (FillPlan.Fill fill : job.fills().fills()) {
            out.println(FillLines.started(fill));
        }
        for (Migration kept : job.fills().kept()) {
            out.println(FillLines.kept(kept));
        }
        Path runFile = RunFile.path(loaded);
        String jobId = job.client().getJobID().toHexString();
        RunFile self = new RunFile(
                remote ? 0 : ProcessHandle.current().pid(),
                jobId,
                job.restUrl().orElse(""),
                job.slot(),
                Instant.now().toString(),
                remote ? RunFile.REMOTE : RunFile.EMBEDDED);
        self.write(runFile);
        if (remote && !untilFilled) {
            out.println("submitted job " + jobId + " to the Flink cluster at "
                    + job.restUrl().orElseThrow());
            out.println("Flink web UI: " + job.restUrl().orElseThrow() + "/#/job/running/" + jobId + "/overview");
            out.println(
                    "puffgres status shows it; puffgres stop stops it with a savepoint (puffgres run resumes from it)");
            return ExitCode.OK;
        }
        job.restUrl().ifPresent(url -> out.println("Flink web UI: " + url));
        out.println("running; Ctrl-C stops with a savepoint (the next run resumes from it)");
        boolean terminal = System.console() != null;
        String savepoints;
        try {
            savepoints = JobRunner.savepointUri(loaded, remote);
        } catch (SetupException e) {
            throw new CliException(ExitCode.INVALID_CONFIG, e.getMessage(), "see docs/configuration.md");
        }
        try (GracefulStop stop = new GracefulStop(job.client(), savepoints, out).install();
                LiveStatus live = LiveStatus.start(job.restUrl(), self.jobId(), out, terminal && !untilFilled);
                AutoCloseable watch = untilFilled ? watchFills(loaded, job, out, terminal, stop) : () -> {}) {
            try {
                job.client().getJobExecutionResult().get();
            } catch (ExecutionException e) {
                if (!stop.requested()) {
                    throw new CliException(
                            ExitCode.RUNTIME,
                            "the job stopped: " + FailureCause.of(e.getCause()),
                            "fix the cause and run puffgres run again; it resumes from the last checkpoint",
                            e.getCause());
                }
            }
            if (stop.savepoint() != null) {
                out.println("stopped with savepoint " + stop.savepoint());
            } else if (stop.requested()) {
                out.println("cancelled; the next run resumes from the newest retained checkpoint");
            } else {
                out.println("the job finished");
            }
            return ExitCode.OK;
        } finally {
            if (RunFile.live(runFile)
                    .filter(r -> r.jobId().equals(self.jobId()))
                    .isPresent()) {
                Files.deleteIfExists(runFile);
            }
        }
    }

    /** Refuses a second job on the slot while the cluster runs one (exit 1): two readers of one slot lose changes. */
    private static void refuseRunningOn(String restUrl, String slotName) {
        List<RemoteJobs.Job> running;
        try {
            running = RemoteJobs.running(restUrl, slotName);
        } catch (IOException e) {
            throw new CliException(
                    ExitCode.RUNTIME,
                    "cannot list the jobs of the Flink cluster at " + restUrl + ": " + e.getMessage(),
                    "check the cluster; nothing was submitted");
        }
        if (!running.isEmpty()) {
            throw new CliException(
                    ExitCode.RUNTIME,
                    "puffgres job " + running.get(0).id() + " already reads slot " + slotName
                            + " on the Flink cluster at " + restUrl,
                    "puffgres stop stops it with a savepoint (or cancel it in the web UI); nothing was submitted");
        }
    }

    /** For {@code backfill}: progress of the run's fills, and a stop with a savepoint once every one is done. */
    private AutoCloseable watchFills(
            Project loaded, JobRunner.Started job, PrintWriter out, boolean terminal, GracefulStop stop) {
        List<Long> ids = job.fills().fills().stream().map(f -> f.row().id()).toList();
        if (ids.isEmpty()) {
            stop.finished("nothing to fill");
            return () -> {};
        }
        return FillWatch.start(
                new FillLedger(loaded.config().state().schema()),
                project.postgres(loaded),
                ids,
                out,
                terminal,
                () -> stop.finished("every fill is done: stopping the job (puffgres run resumes the stream)"));
    }

    /**
     * What stops a run before anything starts, read over one connection: the applied migrations (the project is
     * restricted to them), then doctor's checks that apply to a run, every finding printed with its fix (exit 3 when a
     * mapping does not match the database, else 4). Prints a note for each snapshot reader slot an interrupted run left
     * behind (not dropped here: slot names are per server, so one named like ours may be another project's).
     */
    private Project preflight(Project all, SourceOptions.Reading reading, PrintWriter out) {
        String slotName = reading.slot();
        try {
            JobRunner.checkBindAddress(all.config().flink().webUiBind());
        } catch (SetupException e) {
            throw new CliException(ExitCode.INVALID_CONFIG, e.getMessage(), "set [flink] web_ui_bind in puffgres.toml");
        }
        Project loaded;
        try (Connection c = project.postgres(all).connect()) {
            loaded = applied(all, c, out);
            List<Diagnostic> catalog = Preflight.catalog(c, loaded, loaded.effectiveMappings());
            List<Check> findings = Preflight.beforeRun(c, loaded, catalog, reading.changeSource(), createSlot).stream()
                    .filter(check -> check.status() == Check.Status.FAIL)
                    .toList();
            refuse(findings, catalog.isEmpty() ? ExitCode.PREFLIGHT : ExitCode.INVALID_CONFIG);
            for (Check leftover : Preflight.leftoverReaderSlots(c, slotName)) {
                out.println("note: " + leftover.detail() + "; " + leftover.fix());
            }
        } catch (SQLException e) {
            throw preparing(e);
        }
        int unapplied = all.migrations().size() - loaded.migrations().size();
        if (unapplied > 0) {
            out.println("note: " + unapplied + " migration(s) not applied yet; puffgres apply records them");
        }
        return loaded;
    }

    /** Postgres failed while the run prepared it (preflight, publication, slot, DLQ table): doctor tells what it needs. */
    private static CliException preparing(SQLException e) {
        return new CliException(
                ExitCode.RUNTIME,
                "Postgres: " + e.getMessage(),
                "puffgres doctor checks what puffgres run needs, with the fix for each finding");
    }

    /**
     * Stops the run on preflight findings: a single one is the error, its fix the hint; several are printed each with
     * its fix, before an error that counts them.
     */
    private void refuse(List<Check> findings, int exitCode) {
        if (findings.isEmpty()) {
            return;
        }
        if (findings.size() == 1) {
            Check only = findings.get(0);
            throw new CliException(exitCode, only.name() + ": " + only.detail(), only.fix() + " (nothing was changed)");
        }
        PrintWriter err = spec.commandLine().getErr();
        findings.forEach(f -> f.lines().forEach(err::println));
        throw new CliException(
                exitCode,
                findings.size() + " findings before the start (above); nothing was changed",
                "apply the fixes above, then puffgres run again (puffgres doctor shows every check)");
    }

    /**
     * The project restricted to its applied migrations; edited or missing applied files (or transform files) stop the
     * run, and a record without its transform file's checksum gets a note.
     */
    static Project applied(Project project, Connection c, PrintWriter out) throws SQLException {
        List<AppliedMigrations.Applied> applied =
                new AppliedMigrations(project.config().state().schema()).read(c);
        List<String> conflicts = AppliedMigrations.conflicts(project, applied);
        if (!conflicts.isEmpty()) {
            throw new CliException(
                    ExitCode.INVALID_CONFIG,
                    String.join("; ", conflicts),
                    "revert the file (changes go in a new migration), then puffgres apply");
        }
        for (Migration m : AppliedMigrations.withoutTransformChecksum(project, applied)) {
            out.println("note: " + m.file() + " was applied before transform files were checksummed, so an edit of "
                    + AppliedMigrations.transformFile(m) + " goes unnoticed; puffgres apply records its checksum");
        }
        if (applied.isEmpty()) {
            throw new CliException(
                    ExitCode.INVALID_CONFIG,
                    "no migration is applied yet",
                    "run puffgres apply (puffgres apply --dry-run shows what it records)");
        }
        return AppliedMigrations.appliedOnly(project, applied);
    }
}
