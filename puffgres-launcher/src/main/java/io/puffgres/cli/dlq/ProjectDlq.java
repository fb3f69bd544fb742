package io.puffgres.cli.dlq;

import io.puffgres.cli.CliException;
import io.puffgres.cli.ExitCode;
import io.puffgres.dlq.DlqTable;
import io.puffgres.migration.Project;

/**
 * The DLQ table of a project ({@code <[state] schema>.dlq}) as the {@code dlq} commands use it, and the error they
 * give for an id it does not hold (exit 1, pointing at {@code dlq list --all}).
 */
record ProjectDlq(DlqTable table) {

    static ProjectDlq of(Project project) {
        return new ProjectDlq(new DlqTable(project.config().state().schema()));
    }

    CliException noEntry(long id) {
        return new CliException(
                ExitCode.RUNTIME,
                "no DLQ entry " + id + " in " + table.name(),
                "puffgres dlq list --all shows the ids");
    }
}
