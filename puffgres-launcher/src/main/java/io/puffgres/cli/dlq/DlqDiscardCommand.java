package io.puffgres.cli.dlq;

import io.puffgres.cli.ExitCode;
import io.puffgres.cli.ProjectOption;
import io.puffgres.dlq.DlqTable;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code puffgres dlq discard ID|all}: deletes DLQ entries that will never apply (a row the mapping can never take, a
 * mapping that is gone). Asks nothing; prints how many it deleted.
 */
@Command(
        name = "discard",
        description = {
            "Delete DLQ entries that will never apply: one entry by id (resolved or not), or all unresolved entries.",
            "Nothing is written to turbopuffer. If the job replays the same change (a restart from an older"
                    + " checkpoint) and it fails again, it is recorded again."
        },
        mixinStandardHelpOptions = true,
        footer = {
            "%nExamples:",
            "  puffgres dlq discard 12",
            "  puffgres dlq discard all",
            "  puffgres dlq discard all --mapping pages",
            ExitCode.HELP_FOOTER
        })
final class DlqDiscardCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ProjectOption project;

    @Mixin
    DlqTarget target;

    @Override
    public Integer call() {
        OptionalLong id = target.id("discard");
        ProjectDlq dlq = ProjectDlq.load(project);
        DlqTable table = dlq.table();
        int discarded;
        try (Connection c = dlq.postgres().connect()) {
            discarded = table.exists(c) ? table.discard(c, id, target.mapping()) : 0;
        } catch (SQLException e) {
            throw dlq.postgres().failure(e);
        }
        if (id.isPresent() && discarded == 0) {
            throw dlq.noEntry(id.getAsLong());
        }
        spec.commandLine()
                .getOut()
                .println("discarded " + discarded + (discarded == 1 ? " DLQ entry" : " DLQ entries")
                        + target.forMapping("of"));
        return ExitCode.OK;
    }
}
