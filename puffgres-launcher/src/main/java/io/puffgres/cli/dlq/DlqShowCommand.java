package io.puffgres.cli.dlq;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.puffgres.cli.ExitCode;
import io.puffgres.cli.ProjectOption;
import io.puffgres.dlq.DlqRecord;
import java.io.IOException;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code puffgres dlq show ID}: every field of one DLQ entry, the stored change pretty-printed, the error detail. */
@Command(
        name = "show",
        description =
                "Show one DLQ entry: every field, the stored change and the error detail (JS stack, server message).",
        mixinStandardHelpOptions = true,
        footer = {"%nExamples:", "  puffgres dlq show 12", ExitCode.HELP_FOOTER})
final class DlqShowCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Spec
    CommandSpec spec;

    @Mixin
    ProjectOption project;

    @Parameters(paramLabel = "ID", description = "The entry's id (see puffgres dlq list).")
    long id;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        ProjectDlq dlq = ProjectDlq.load(project);
        DlqRecord e;
        try (Connection c = dlq.postgres().connect()) {
            e = dlq.entry(c, id);
        } catch (SQLException ex) {
            throw dlq.postgres().failure(ex);
        }
        out.println("id:              " + e.id());
        out.println("mapping:         " + e.mapping() + " version " + e.version() + " -> namespace " + e.namespace());
        out.println("doc id:          " + e.docId());
        out.println("lsn:             " + e.lsnText());
        out.println("error kind:      " + e.errorKind());
        out.println("error message:   " + e.errorMessage());
        out.println("retry count:     " + e.retryCount());
        out.println("first failed at: " + e.firstFailedAt());
        out.println("last failed at:  " + e.lastFailedAt());
        out.println("resolved at:     " + e.resolvedAt().map(Instant::toString).orElse("unresolved"));
        out.println("event:");
        String event = JSON.writerWithDefaultPrettyPrinter().writeValueAsString(inEventOrder(e.event()));
        event.lines().forEach(l -> out.println("  " + l));
        out.println("error detail:");
        (e.errorDetail().isBlank() ? "(none)" : e.errorDetail()).lines().forEach(l -> out.println("  " + l));
        return ExitCode.OK;
    }

    /** The stored event with its fields in EventJson's order (jsonb keeps keys sorted by length). */
    private static ObjectNode inEventOrder(String event) throws IOException {
        ObjectNode stored = (ObjectNode) JSON.readTree(event);
        ObjectNode ordered = JSON.createObjectNode();
        for (String field : List.of("op", "relation", "lsn", "tx_id", "commit_time", "before", "after")) {
            if (stored.has(field)) {
                ordered.set(field, stored.get(field));
            }
        }
        ordered.setAll(stored); // anything else, after
        return ordered;
    }
}
