package io.puffgres.cli.status;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.puffgres.cli.FillLines;
import io.puffgres.cli.TextTable;
import io.puffgres.fill.FillLedger;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;

/**
 * One fill as {@code status} shows it: its row in the fills ledger and, while the run that fills it is live, its
 * source's Flink metrics, which are fresher (the ledger is written at most once a second) and add the rate, the fill's
 * DLQ and the chunk total. Immutable.
 *
 * @param live the running fill source's metrics; empty without a live run, for a fill that is not running, or when
 *     the REST API could not be read
 * @param runAlive whether a {@code puffgres run} of the project is alive (a running fill without one waits for the
 *     next run)
 */
record FillProgress(FillLedger.Fill row, Optional<JobMetrics.Fill> live, boolean runAlive) {

    /** {@code row} with the metrics of its source in {@code r}'s job, when that job runs it. */
    static FillProgress of(FillLedger.Fill row, StatusReport r) {
        Optional<JobMetrics.Fill> live = row.state() == FillLedger.State.RUNNING
                ? r.job().flatMap(s -> s.fill(row.mapping()))
                : Optional.empty();
        return new FillProgress(row, live, r.running());
    }

    long rowsDone() {
        return Math.max(row.rowsDone(), live.map(JobMetrics.Fill::rowsDone).orElse(0L));
    }

    long chunksDone() {
        return Math.max(row.chunksDone(), live.map(JobMetrics.Fill::chunksDone).orElse(0L));
    }

    /** The table's estimated rows, -1 unknown (a view, a table never analyzed). */
    long rowsEstimate() {
        return row.rowsEstimate() > 0
                ? row.rowsEstimate()
                : live.map(JobMetrics.Fill::rowsEstimate).orElse(row.rowsEstimate());
    }

    /** Every chunk of the fill, once all are planned. */
    Optional<Long> chunksTotal() {
        return live.map(JobMetrics.Fill::chunksTotal).filter(t -> t >= 0);
    }

    /**
     * When the fill should be done at its current rate: the rows the estimate leaves over the readers' rate; empty
     * without a rate or an estimate.
     */
    Optional<Duration> eta() {
        double rate = live.map(JobMetrics.Fill::rowsPerSecond).orElse(0.0);
        long estimate = rowsEstimate();
        if (rate <= 0 || estimate <= 0) {
            return Optional.empty();
        }
        return Optional.of(Duration.ofSeconds((long) Math.ceil(Math.max(0, estimate - rowsDone()) / rate)));
    }

    /**
     * {@code filling: 20,000 of ~200,000 rows (10%), 2 of 20 chunks done, 15,230 rows/s, ETA 12 s, cursor 20001, fill
     * DLQ 0} for a running fill (the rate, ETA, total and DLQ from a live run), else the ledger's words ({@link
     * FillLines#progress}).
     */
    String text() {
        if (row.state() != FillLedger.State.RUNNING) {
            return FillLines.progress(row);
        }
        StringBuilder line = new StringBuilder("filling: ")
                .append(FillLines.rows(rowsDone(), rowsEstimate()))
                .append(", ")
                .append(chunksDone());
        line.append(chunksTotal().map(t -> " of " + t + " chunks done").orElse(" chunk(s) done"));
        live.ifPresent(l -> line.append(", ")
                .append(String.format(Locale.ROOT, "%,.0f rows/s", l.rowsPerSecond()))
                .append(eta().map(d -> ", ETA " + TextTable.duration(d)).orElse("")));
        row.cursor().ifPresent(c -> line.append(", ").append(FillLines.cursor(c)));
        live.ifPresent(l -> line.append(", fill DLQ ").append(l.dlq()));
        if (!runAlive) {
            line.append("; no run is filling it (the next puffgres run resumes it)");
        }
        return line.toString();
    }

    /** The fill's fields of {@code status --json} (docs/cli.md, {@code fills[]}). */
    void json(ObjectNode o) {
        o.put("id", row.id());
        o.put("mapping", row.mapping());
        o.put("version", row.version());
        o.put("namespace", row.namespace());
        o.put("reason", row.reason().word());
        o.put("state", row.state().word());
        o.put("rows_done", rowsDone());
        o.put("rows_estimate", rowsEstimate());
        o.put("chunks_done", chunksDone());
        o.put("chunks_total", chunksTotal().orElse(null));
        o.put("cursor", row.cursor().orElse(null));
        o.put("live", live.isPresent());
        o.put("rows_read", live.map(JobMetrics.Fill::rowsRead).orElse(null));
        o.put("rows_per_second", live.map(JobMetrics.Fill::rowsPerSecond).orElse(null));
        o.put("eta_seconds", eta().map(Duration::getSeconds).orElse(null));
        o.put("dlq", live.map(JobMetrics.Fill::dlq).orElse(null));
        o.put("requested_at", row.requestedAt().toString());
        o.put("started_at", row.startedAt().map(Instant::toString).orElse(null));
        o.put("finished_at", row.finishedAt().map(Instant::toString).orElse(null));
        o.put("error", row.error().orElse(null));
    }
}
