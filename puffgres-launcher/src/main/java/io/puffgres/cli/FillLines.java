package io.puffgres.cli;

import io.puffgres.fill.FillLedger;
import io.puffgres.job.FillPlan;
import io.puffgres.migration.Migration;
import java.util.Locale;

/** How a fill reads in the CLI: the same words in {@code run}, {@code backfill} and {@code status}. */
public final class FillLines {

    private FillLines() {}

    /** The line {@code run} prints for a fill it runs. */
    public static String started(FillPlan.Fill fill) {
        Migration m = fill.migration();
        FillLedger.Fill row = fill.row();
        String what = row.startedAt().isPresent() ? "resuming the fill of namespace " : "filling namespace ";
        return what + m.namespace() + " from " + m.source().relation() + " (mapping " + m.mappingName() + " v"
                + m.version() + ", " + reason(row.reason()) + ", fill #" + row.id() + "); progress: puffgres status";
    }

    /** The line {@code run} prints for an older version it keeps mirroring while the newer one's namespace fills. */
    public static String kept(Migration older) {
        return "still mirroring mapping " + older.mappingName() + " v" + older.version() + " into namespace "
                + older.namespace() + " until the new version's namespace is filled";
    }

    /**
     * A fill's state in one line, e.g. {@code filling: 120,000 of ~1,000,000 rows (12%), 12 chunks}, and while a
     * repair sweeps its namespace {@code …, sweeping after 41235}.
     */
    public static String progress(FillLedger.Fill row) {
        return switch (row.state()) {
            case PENDING -> "pending (starts with the next puffgres run)";
            case RUNNING ->
                "filling: " + rows(row) + ", " + row.chunksDone() + " chunk(s) done"
                        + row.cursor()
                                .filter(c -> c.startsWith("sweep"))
                                .map(c -> ", " + cursor(c))
                                .orElse("");
            case DONE ->
                row.reason() == FillLedger.Reason.ADOPTED
                        ? "filled before puffgres kept a ledger of fills"
                        : "filled: " + String.format(Locale.ROOT, "%,d", row.rowsDone()) + " rows"
                                + row.finishedAt().map(t -> ", done " + t).orElse("");
            case FAILED ->
                "failed after " + rows(row) + ": " + row.error().orElse("no error recorded")
                        + " (the next puffgres run resumes it)";
        };
    }

    /** A fill's planning cursor in words: {@code cursor 140001}, or in a repair's sweep {@code sweeping after 41235}. */
    public static String cursor(String cursor) {
        return cursor.startsWith("sweep") ? cursor.replaceFirst("sweep", "sweeping") : "cursor " + cursor;
    }

    /** A fill's rows done, with the estimate when known: {@code 120,000 of ~1,000,000 rows (12%)}. */
    public static String rows(FillLedger.Fill row) {
        return rows(row.rowsDone(), row.rowsEstimate());
    }

    /** Rows done of an estimate ({@code -1} or 0: unknown), as {@link #rows(FillLedger.Fill)} shows them. */
    public static String rows(long rowsDone, long rowsEstimate) {
        String done = String.format(Locale.ROOT, "%,d", rowsDone);
        if (rowsEstimate <= 0) {
            return done + " rows";
        }
        long percent = Math.min(100, rowsDone * 100 / rowsEstimate);
        return done + " of ~" + String.format(Locale.ROOT, "%,d", rowsEstimate) + " rows (" + percent + "%)";
    }

    /** Why a fill runs, in words. */
    public static String reason(FillLedger.Reason reason) {
        return switch (reason) {
            case INITIAL -> "initial load";
            case NEW_MAPPING -> "new mapping";
            case NEW_VERSION -> "new version";
            case BACKFILL -> "backfill";
            case REPAIR -> "repair";
            case ADOPTED -> "adopted";
        };
    }
}
