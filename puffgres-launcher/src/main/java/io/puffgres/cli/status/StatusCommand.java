package io.puffgres.cli.status;

import io.puffgres.cli.CliException;
import io.puffgres.cli.ExitCode;
import io.puffgres.cli.PostgresAccess;
import io.puffgres.cli.ProjectOption;
import io.puffgres.migration.Project;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code puffgres status}: the running job's state, restarts and progress (Flink REST API), the replication slot and
 * the DLQ. Exits 1 when no {@code puffgres run} runs for the project, after showing the slot and DLQ figures anyway,
 * and when Postgres cannot be read, after showing the job's figures anyway.
 */
@Command(
        name = "status",
        description = {
            "Show the running job (state, restarts and the last failure, events, rates, last flush, lag,"
                    + " checkpoints), the replication slot (checkpoint LSN, WAL behind, wal_status) and the DLQ"
                    + " (unresolved entries, last errors).",
            "Exits 1 when no puffgres run is running for the project (the slot and DLQ figures are still shown), or"
                    + " when Postgres is unreachable (the job's figures from Flink are still shown)."
        },
        mixinStandardHelpOptions = true,
        footer = {
            "%nExamples:",
            "  puffgres status",
            "  puffgres status --json | jq .slot.lag_bytes",
            "  puffgres status --watch           refresh every 2 s until Ctrl-C",
            "  puffgres status --watch 10 --json one JSON object per line, every 10 s",
            ExitCode.HELP_FOOTER
        })
public final class StatusCommand implements Callable<Integer> {

    /** Refresh period of --watch without a value: as often as the run's live line. */
    static final String DEFAULT_WATCH_SECONDS = "2";

    @Spec
    CommandSpec spec;

    @Mixin
    ProjectOption project;

    @Option(names = "--json", description = "Print one JSON object (fields: see docs/cli.md).")
    boolean json;

    @Option(
            names = "--watch",
            paramLabel = "SECONDS",
            arity = "0..1",
            fallbackValue = DEFAULT_WATCH_SECONDS,
            description = "Refresh every SECONDS (default " + DEFAULT_WATCH_SECONDS + ") until Ctrl-C.")
    Integer watchSeconds;

    @Option(
            names = "--slot",
            paramLabel = "NAME",
            description = "The slot to show when no job runs (default: [postgres] slot; a running job shows its own).")
    String slot;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Project loaded = project.load();
        if (watchSeconds != null && watchSeconds < 1) {
            throw new CliException(ExitCode.USAGE, "--watch needs at least 1 second", "run puffgres status --help");
        }
        String slotName = slot != null ? slot : loaded.config().postgres().slot();
        PostgresAccess postgres = project.postgres(loaded);
        boolean terminal = System.console() != null;
        while (true) {
            StatusReport report = StatusReport.gather(loaded, postgres, slotName);
            if (watchSeconds != null && terminal && !json) {
                out.print("\033[H\033[2J"); // clear the screen: the report is redrawn in place
            }
            if (json) {
                out.println(StatusOutput.json(report));
            } else {
                StatusOutput.text(report, out);
            }
            out.flush();
            if (!report.running()) {
                err.println(
                        "no puffgres run is running for " + loaded.dir() + "; start one with puffgres run --detach");
            }
            Optional<CliException> unreachable = postgresError(report, postgres);
            if (unreachable.isPresent() && watchSeconds == null) {
                throw unreachable.get();
            }
            unreachable.ifPresent(e -> err.println("error: " + e.getMessage() + "\nhint: " + e.hint()));
            if (watchSeconds == null) {
                return report.running() ? ExitCode.OK : ExitCode.RUNTIME;
            }
            if (!json && !terminal) {
                out.println();
            }
            try {
                Thread.sleep(
                        Duration.ofSeconds(watchSeconds).toMillis()); // the refresh period, not a wait for a result
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return ExitCode.OK;
            }
        }
    }

    /** Postgres could not be read: the error {@code status} ends with (exit 1), after everything else it knows. */
    private static Optional<CliException> postgresError(StatusReport report, PostgresAccess postgres) {
        if (!(report.postgres() instanceof StatusReport.Postgres.Unreachable unreachable)) {
            return Optional.empty();
        }
        return Optional.of(new CliException(
                ExitCode.RUNTIME,
                "Postgres is unreachable: " + unreachable.error(),
                "check that Postgres is up and " + postgres.settings()
                        + (report.job().isPresent() ? "; the job figures above come from Flink" : "")));
    }
}
