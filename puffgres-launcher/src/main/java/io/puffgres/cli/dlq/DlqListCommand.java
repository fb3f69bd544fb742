package io.puffgres.cli.dlq;

import io.puffgres.cli.ExitCode;
import io.puffgres.cli.OptionValues;
import io.puffgres.cli.ProjectOption;
import io.puffgres.cli.TextTable;
import io.puffgres.dlq.DlqRecord;
import io.puffgres.dlq.DlqTable;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code puffgres dlq list}: one line per DLQ entry, unresolved ones by default, in WAL order. */
@Command(
        name = "list",
        description = "List DLQ entries (unresolved only unless --all), in WAL order.",
        mixinStandardHelpOptions = true,
        footer = {
            "%nExamples:",
            "  puffgres dlq list",
            "  puffgres dlq list --mapping pages --all",
            ExitCode.HELP_FOOTER
        })
final class DlqListCommand implements Callable<Integer> {

    /** Enough to see what fails without flooding the terminal; --limit shows more. */
    static final String DEFAULT_LIMIT = "100";

    /** How much of the error message fits the line. */
    private static final int MESSAGE_WIDTH = 80;

    @Spec
    CommandSpec spec;

    @Mixin
    ProjectOption project;

    @Option(names = "--mapping", paramLabel = "NAME", description = "Only the entries of this mapping.")
    String mapping;

    @Option(names = "--all", description = "Resolved entries too.")
    boolean all;

    @Option(
            names = "--limit",
            paramLabel = "N",
            defaultValue = DEFAULT_LIMIT,
            converter = OptionValues.Count.class,
            description = "Show at most N entries (default: ${DEFAULT-VALUE}).")
    int limit;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        ProjectDlq dlq = ProjectDlq.load(project);
        DlqTable table = dlq.table();
        try (Connection c = dlq.postgres().connect()) {
            if (!table.exists(c)) {
                out.println("no DLQ entries (" + table.name() + " does not exist yet; puffgres run creates it)");
                return ExitCode.OK;
            }
            List<DlqRecord> entries = table.list(c, Optional.ofNullable(mapping), all, limit + 1);
            if (entries.isEmpty()) {
                out.println("no " + (all ? "" : "unresolved ") + "DLQ entries"
                        + (mapping == null ? "" : " for mapping " + mapping));
                return ExitCode.OK;
            }
            Instant now = Instant.now();
            TextTable t = all
                    ? new TextTable(
                            "ID>", "MAPPING", "DOC ID", "LSN", "KIND", "RETRIES>", "LAST FAILED", "RESOLVED", "MESSAGE")
                    : new TextTable("ID>", "MAPPING", "DOC ID", "LSN", "KIND", "RETRIES>", "LAST FAILED", "MESSAGE");
            for (DlqRecord e : entries.subList(0, Math.min(limit, entries.size()))) {
                String message = TextTable.oneLine(e.errorMessage(), MESSAGE_WIDTH);
                String failed = e.lastFailedAt() + " (" + TextTable.ago(e.lastFailedAt(), now) + ")";
                String at = e.mapping() + "@" + e.version();
                if (all) {
                    String resolved = e.resolvedAt().map(Instant::toString).orElse("-");
                    t.row(e.id(), at, e.docId(), e.lsnText(), e.errorKind(), e.retryCount(), failed, resolved, message);
                } else {
                    t.row(e.id(), at, e.docId(), e.lsnText(), e.errorKind(), e.retryCount(), failed, message);
                }
            }
            t.print(out);
            if (entries.size() > limit) {
                out.println("… more entries; use --limit to see them");
            }
            return ExitCode.OK;
        } catch (SQLException e) {
            throw dlq.postgres().failure(e);
        }
    }
}
