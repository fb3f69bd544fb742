package io.puffgres.cli.run;

import io.puffgres.cli.CliException;
import io.puffgres.cli.ExitCode;
import io.puffgres.cli.FillLines;
import io.puffgres.cli.ProjectOption;
import io.puffgres.cli.RunFile;
import io.puffgres.cli.SourceOptions;
import io.puffgres.fill.FillLedger;
import io.puffgres.job.FillPlan;
import io.puffgres.migration.Migration;
import io.puffgres.migration.Project;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code puffgres backfill}: fills mappings' namespaces again from their tables, beside the stream, with the same
 * mechanism as every fill (docs/job.md, "Filling a namespace"); with {@code --repair} the fills also sweep the
 * namespace, deleting the documents without a member row. Records the fills in the ledger, then runs the job
 * until they are done (a progress bar each) and stops it with a savepoint; {@code --detach} runs it in the background
 * instead, where it goes on streaming. A live run takes new fills up when it next starts.
 */
@Command(
        name = "backfill",
        description = {
            "Fill mappings' namespaces again from their tables, beside the stream.",
            "Every mapping when none is named. Each table is read in chunks, each chunk in its own snapshot, and",
            "ordered against the changes streamed meanwhile. Runs the job until every fill is done (a progress bar",
            "each), then stops it with a",
            "savepoint; puffgres run resumes the stream. A fill interrupted (Ctrl-C, kill -9) resumes with --resume",
            "or the next run, without reading finished chunks again. Progress also in puffgres status.",
            "A backfill rewrites every member row but deletes nothing; --repair also deletes the documents whose",
            "rows are gone or no longer members (what puffgres verify counts as extra)."
        },
        mixinStandardHelpOptions = true,
        footer = {
            "%nExamples:",
            "  puffgres backfill                       every mapping",
            "  puffgres backfill pages                 one mapping",
            "  puffgres backfill --resume              follow the fills an interrupted run left open",
            "  puffgres backfill --repair pages        fill, then delete documents without a member row",
            "  puffgres backfill pages --detach        in the background; it goes on streaming afterwards",
            ExitCode.HELP_FOOTER
        })
public final class BackfillCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ProjectOption project;

    @Parameters(paramLabel = "MAPPING", arity = "0..*", description = "Mappings to fill (default: every one).")
    List<String> mappings = new ArrayList<>();

    @Option(names = "--resume", description = "Follow the fills left open instead of starting new ones.")
    boolean resume;

    @Option(
            names = "--repair",
            description = "Also delete the documents whose rows are gone or no longer members (a sweep of the"
                    + " namespace after the rows).")
    boolean repair;

    @Option(
            names = "--detach",
            description = "Run in the background (log: puffgres/state/run.log); it keeps streaming after the fills.")
    boolean detach;

    @Mixin
    WebUiPortOption webUi = new WebUiPortOption();

    /** The same source options as {@code run}'s: the backfill runs the same job, on the same slot, in the same mode. */
    @Mixin
    SourceOptions source = new SourceOptions();

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (resume && repair) {
            throw new CliException(
                    ExitCode.USAGE,
                    "--resume records no fill, so it cannot record a repair",
                    "puffgres backfill --repair MAPPING records one; --resume follows the fills left open");
        }
        source.checkFlags();
        Project all = project.load();
        source.resolve(all.config()); // a conflict with [source] mode is a usage error before any fill is recorded
        List<Migration> targets = targets(all);
        int open = record(all, targets, out);
        if (open == 0) {
            out.println("nothing to fill");
            return ExitCode.OK;
        }
        Optional<RunFile> live = RunFile.live(RunFile.path(all));
        if (live.isPresent()) {
            out.println("a run of this project is live ("
                    + (live.get().remote()
                            ? "job " + live.get().jobId() + " on " + live.get().restUrl()
                            : "pid " + live.get().pid())
                    + "); it takes the fill(s) up when"
                    + " it next starts: puffgres stop, then puffgres run --detach (or puffgres backfill --resume)");
            return ExitCode.OK;
        }
        if (detach) {
            RunLock.checkFree(all);
            List<String> args = new ArrayList<>(
                    List.of("run", "--project", project.dir().toString(), "--web-ui-port", String.valueOf(webUi.port)));
            args.addAll(source.args());
            return Detached.start(args, project.invocation(), RunFile.path(all), out);
        }
        RunCommand run = new RunCommand();
        run.spec = spec;
        run.project = project;
        run.source = source;
        run.webUi = webUi;
        run.untilFilled = true;
        try (RunLock lock = RunLock.acquire(all)) {
            return run.run(all, out);
        }
    }

    /** The newest versions of the named mappings, or of every mapping; an unknown name is a usage error. */
    private List<Migration> targets(Project all) {
        List<Migration> effective = all.effectiveMappings();
        if (mappings.isEmpty()) {
            return effective;
        }
        List<Migration> picked = new ArrayList<>();
        for (String name : mappings) {
            picked.add(effective.stream()
                    .filter(m -> m.mappingName().equals(name))
                    .findFirst()
                    .orElseThrow(() -> new CliException(
                            ExitCode.USAGE,
                            "no mapping named " + name + "; the project's mappings: "
                                    + String.join(
                                            ", ",
                                            effective.stream()
                                                    .map(Migration::mappingName)
                                                    .toList()),
                            "puffgres status lists them")));
        }
        return picked;
    }

    /**
     * Records a backfill of each target in the ledger (unless one is open, which is followed instead, or {@code
     * --resume}, which records none); returns how many fills are open for the targets.
     */
    private int record(Project all, List<Migration> targets, PrintWriter out) throws SQLException {
        FillLedger ledger = new FillLedger(all.config().state().schema());
        int open = 0;
        try (Connection c = project.postgres(all).connect()) {
            ledger.ensure(c);
            for (Migration m : targets) {
                Optional<FillLedger.Fill> latest = ledger.latest(c, m.mappingName(), m.version());
                if (latest.isPresent() && latest.get().state() != FillLedger.State.DONE) {
                    FillLedger.Fill f = latest.get();
                    out.println("following the open fill #" + f.id() + " of " + m.mappingName() + " v" + m.version()
                            + " (" + FillLines.reason(f.reason()) + "): " + FillLines.progress(f));
                    if (repair && !FillPlan.sweeps(all, m, f.reason())) {
                        out.println("  it deletes no document; once it is done: puffgres backfill --repair "
                                + m.mappingName());
                    }
                    open++;
                } else if (resume) {
                    out.println(m.mappingName() + " v" + m.version() + ": no open fill to resume (its namespace "
                            + m.namespace() + " is filled; without --resume it is filled again)");
                } else {
                    FillLedger.Reason reason = repair ? FillLedger.Reason.REPAIR : FillLedger.Reason.BACKFILL;
                    long id = ledger.request(c, m.mappingName(), m.version(), m.namespace(), reason);
                    out.println((repair ? "repair" : "fill") + " #" + id + " of namespace " + m.namespace() + " from "
                            + m.source().relation() + " (mapping " + m.mappingName() + " v" + m.version()
                            + ") recorded" + (repair ? "; documents without a member row will be deleted" : ""));
                    open++;
                }
            }
        }
        return open;
    }
}
