package io.puffgres.launcher;

import io.puffgres.cli.ExitCode;
import io.puffgres.cli.PostgresAccess;
import io.puffgres.cli.ProjectOption;
import io.puffgres.cli.RunFile;
import io.puffgres.cli.SourceOptions;
import io.puffgres.migration.Project;
import io.puffgres.preflight.Check;
import io.puffgres.preflight.Preflight;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code puffgres doctor}: preflight checks of Postgres and turbopuffer for {@code puffgres run}, each with its fix. */
@Command(
        name = "doctor",
        description = {
            "Check what puffgres run needs, and print the fix for each finding.",
            "Checks wal_level, the role's rights (replication, the state schema), each mapping against the database",
            "(relation, columns, id, predicate types, lookup SQL), replica identities, the snapshot key of a table",
            "without a primary key, the publication, the slot and the WAL it keeps, snapshot reader slots an",
            "interrupted run left behind, wal2json (with --plugin wal2json), and turbopuffer's URL and API key.",
            "In poll mode (--poll or [source] mode = \"poll\") also the server version (12 or later), the slot",
            "functions the poll source calls, a free slot for its reading slot <slot>_poll, wal2json, and that no",
            "mapped table is partitioned.",
            "Prints the mode it checked, one line per check and the exact fix for each finding; changes nothing."
        },
        mixinStandardHelpOptions = true,
        footer = {
            "%nExamples:",
            "  puffgres doctor",
            "  puffgres doctor --plugin wal2json --slot other",
            "  puffgres doctor --poll",
            "%nExit codes: 0 every check ok, 1 runtime failure (Postgres unreachable), 2 usage error, 3 invalid project,"
                    + " 4 findings."
        })
final class DoctorCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ProjectOption project;

    @Mixin
    SourceOptions source = new SourceOptions();

    @Override
    public Integer call() {
        source.checkFlags();
        Project loaded = project.load();
        SourceOptions.Reading reading = source.resolve(loaded.config());
        String slotName = reading.slot();
        List<Check> checks = new ArrayList<>();
        PostgresAccess postgres = project.postgres(loaded);
        try (Connection c = postgres.open()) {
            // this project's own live run reads the slot: that use is no finding
            OptionalLong ownRun = RunFile.live(RunFile.path(loaded))
                    .filter(run -> run.slot().equals(slotName))
                    .map(run -> OptionalLong.of(run.pid()))
                    .orElse(OptionalLong.empty());
            checks.addAll(Preflight.postgres(c, loaded, reading.changeSource(), ownRun));
        } catch (SQLException e) {
            throw postgres.unreachable("check", e);
        }
        checks.add(Preflight.turbopuffer(loaded.config().turbopuffer()));
        PrintWriter out = spec.commandLine().getOut();
        out.println("checking for " + reading.describe() + " on slot " + reading.slot()
                + (reading.poll() ? "" : "; --poll checks poll mode"));
        checks.forEach(check -> check.lines().forEach(out::println));
        long findings =
                checks.stream().filter(c -> c.status() == Check.Status.FAIL).count();
        if (findings == 0) {
            out.println("doctor: all " + checks.size() + " checks ok");
            return ExitCode.OK;
        }
        out.println("doctor: " + findings + " finding(s) in " + checks.size() + " checks; apply the fixes above");
        return ExitCode.PREFLIGHT;
    }
}
