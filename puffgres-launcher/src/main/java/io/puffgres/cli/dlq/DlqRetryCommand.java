package io.puffgres.cli.dlq;

import io.puffgres.cli.CliException;
import io.puffgres.cli.ExitCode;
import io.puffgres.cli.ProjectOption;
import io.puffgres.cli.TextTable;
import io.puffgres.client.ErrorKind;
import io.puffgres.client.ErrorPolicy;
import io.puffgres.client.TurbopufferClient;
import io.puffgres.client.TurbopufferException;
import io.puffgres.config.ProjectConfig;
import io.puffgres.dlq.DlqRecord;
import io.puffgres.dlq.DlqTable;
import io.puffgres.replay.DlqRetry;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code puffgres dlq retry ID|all}: applies unresolved DLQ entries again with the current version of their mapping
 * ({@link DlqRetry}); a success resolves the entry, a failure counts a retry and exits 1 naming the ids.
 */
@Command(
        name = "retry",
        description = {
            "Apply DLQ entries again with the current mapping (membership and transform), written under the entry's"
                    + " LSN so newer data is never overwritten.",
            "Resolves what succeeds (written, or superseded by newer data); what still fails gets one more retry"
                    + " counted, and the command exits 1 naming it."
        },
        mixinStandardHelpOptions = true,
        footer = {
            "%nExamples:",
            "  puffgres dlq retry 12",
            "  puffgres dlq retry all",
            "  puffgres dlq retry all --mapping pages",
            ExitCode.HELP_FOOTER
        })
final class DlqRetryCommand implements Callable<Integer> {

    /** The number of ids named in the error line before it is cut. */
    private static final int IDS_SHOWN = 20;

    @Spec
    CommandSpec spec;

    @Mixin
    ProjectOption project;

    @Mixin
    DlqTarget target;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        ProjectDlq dlq = ProjectDlq.load(project);
        ProjectConfig.Turbopuffer tp = dlq.project().config().turbopuffer();
        try (Connection c = dlq.postgres().connect();
                TurbopufferClient client = new TurbopufferClient(
                        tp.baseUrl(), tp.apiKey(), ErrorPolicy.defaults(), TurbopufferClient.DEFAULT_TIMEOUT)) {
            List<DlqRecord> entries = entries(c, dlq);
            if (entries.isEmpty()) {
                if (target.id("retry").isEmpty()) {
                    out.println("no unresolved DLQ entries" + target.forMapping("for"));
                }
                return ExitCode.OK;
            }
            return retry(entries, new DlqRetry(dlq.project(), c, client), out);
        } catch (SQLException e) {
            throw dlq.postgres().failure(e);
        } catch (TurbopufferException e) {
            throw new CliException(
                    ExitCode.RUNTIME,
                    e.getMessage(),
                    e.kind() == ErrorKind.AUTH
                            ? "check the API key in the env var " + tp.apiKeyEnv() + " ([turbopuffer] api_key_env)"
                            : "turbopuffer is unavailable; run puffgres dlq retry again later");
        }
    }

    private List<DlqRecord> entries(Connection c, ProjectDlq dlq) throws SQLException {
        OptionalLong one = target.id("retry");
        if (one.isPresent()) {
            long id = one.getAsLong();
            DlqRecord entry = dlq.entry(c, id);
            if (entry.resolvedAt().isPresent()) {
                spec.commandLine()
                        .getOut()
                        .println("#" + id + " is already resolved (at "
                                + entry.resolvedAt().get() + "); nothing to do");
                return List.of();
            }
            return List.of(entry);
        }
        DlqTable table = dlq.table();
        return table.exists(c) ? table.list(c, target.mapping(), false, Integer.MAX_VALUE) : List.of();
    }

    private static int retry(List<DlqRecord> entries, DlqRetry retry, PrintWriter out) throws Exception {
        int written = 0;
        int superseded = 0;
        List<Long> failed = new ArrayList<>();
        try (retry) {
            for (DlqRecord e : entries) {
                String head = "#" + e.id() + " " + e.mapping() + "@" + e.version() + " id " + e.docId() + " at "
                        + e.lsnText() + ": ";
                DlqRetry.Outcome outcome = retry.retry(e);
                if (outcome instanceof DlqRetry.Outcome.Written w) {
                    written++;
                    out.println(head + w.what() + "; resolved");
                } else if (outcome instanceof DlqRetry.Outcome.Superseded s) {
                    superseded++;
                    out.println(head + "not written, " + s.why() + "; resolved");
                } else if (outcome instanceof DlqRetry.Outcome.Failed f) {
                    failed.add(e.id());
                    out.println(head + "still failing (" + f.kind() + "): " + TextTable.oneLine(f.message(), 200)
                            + "; retry " + (e.retryCount() + 1));
                }
                out.flush();
            }
        }
        out.printf(
                "retried %d: %d written, %d superseded by newer data, %d still failing%n",
                entries.size(), written, superseded, failed.size());
        if (failed.isEmpty()) {
            return ExitCode.OK;
        }
        String ids = failed.stream().limit(IDS_SHOWN).map(id -> "#" + id).collect(Collectors.joining(", "))
                + (failed.size() > IDS_SHOWN ? ", …" : "");
        throw new CliException(
                ExitCode.RUNTIME,
                failed.size() + (failed.size() == 1 ? " entry still fails: " : " entries still fail: ") + ids,
                "see puffgres dlq show " + failed.get(0) + ", fix the transform or the row, and retry again");
    }
}
