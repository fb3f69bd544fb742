package io.puffgres.cli;

import io.puffgres.dlq.DlqTable;
import io.puffgres.migration.Project;
import java.sql.Connection;
import java.sql.SQLException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code puffgres dlq}: lists its subcommands, which read and retry the DLQ table in Postgres. */
@Command(
        name = "dlq",
        description = {
            "Inspect, retry and discard the changes puffgres could not apply (the table <[state] schema>.dlq, default"
                    + " puffgres.dlq).",
            "Works whether or not a puffgres run is running."
        },
        mixinStandardHelpOptions = true,
        subcommands = {DlqListCommand.class, DlqShowCommand.class, DlqRetryCommand.class, DlqDiscardCommand.class},
        footer = {
            "%nExamples:",
            "  puffgres dlq list",
            "  puffgres dlq show 12",
            "  puffgres dlq retry all --mapping pages",
            "  puffgres dlq discard 12",
            ExitCode.HELP_FOOTER
        })
final class DlqCommand implements Runnable {

    @ParentCommand
    PuffgresCommand parent;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "Missing subcommand: list, show, retry or discard");
    }

    static CliException noEntry(long id, DlqTable table) {
        return new CliException(
                ExitCode.RUNTIME,
                "no DLQ entry " + id + " in " + table.name(),
                "puffgres dlq list --all shows the ids");
    }

    /** A connection to the project's Postgres; a failure is a one-line error naming the setting to check. */
    static Connection connect(Project project) {
        try {
            return project.config().postgres().connect();
        } catch (SQLException e) {
            throw postgres(e);
        }
    }

    static CliException postgres(SQLException e) {
        return new CliException(
                ExitCode.RUNTIME,
                "Postgres: " + e.getMessage(),
                "check [postgres] url, user and password_env in puffgres.toml");
    }

    static DlqTable table(Project project) {
        return new DlqTable(project.config().state().schema());
    }
}
