package io.puffgres.cli.dlq;

import io.puffgres.cli.CliException;
import io.puffgres.cli.ExitCode;
import io.puffgres.cli.PostgresAccess;
import io.puffgres.cli.ProjectOption;
import io.puffgres.dlq.DlqRecord;
import io.puffgres.dlq.DlqTable;
import io.puffgres.migration.Project;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;

/**
 * The project a {@code dlq} command works on, its DLQ table ({@code <[state] schema>.dlq}) and the Postgres that
 * holds it; and the error the commands give for an id the table does not hold (exit 1, pointing at {@code dlq list
 * --all}). A table that does not exist yet holds no entries.
 */
record ProjectDlq(Project project, DlqTable table, PostgresAccess postgres) {

    /** Loads the project of the command's {@code --project}. */
    static ProjectDlq load(ProjectOption option) {
        Project project = option.load();
        return new ProjectDlq(project, new DlqTable(project.config().state().schema()), option.postgres(project));
    }

    /** The entry {@code id}, resolved or not; an unknown id is the {@link #noEntry} error. */
    DlqRecord entry(Connection c, long id) throws SQLException {
        return (table.exists(c) ? table.get(c, id) : Optional.<DlqRecord>empty()).orElseThrow(() -> noEntry(id));
    }

    CliException noEntry(long id) {
        return new CliException(
                ExitCode.RUNTIME,
                "no DLQ entry " + id + " in " + table.name(),
                "puffgres dlq list --all shows the ids");
    }
}
