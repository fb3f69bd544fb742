package io.puffgres.cli.status;

import static io.puffgres.cli.TextTable.ago;
import static io.puffgres.cli.TextTable.decimal;
import static io.puffgres.cli.TextTable.oneLine;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.puffgres.cli.FillLines;
import io.puffgres.cli.RunFile;
import io.puffgres.cli.TextTable;
import io.puffgres.dlq.DlqRecord;
import io.puffgres.fill.FillLedger;
import io.puffgres.migration.Migration;
import io.puffgres.poll.PollSettings;
import io.puffgres.stream.JobSpec;
import io.puffgres.stream.WriterMetric;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/** {@link StatusReport} as one JSON object ({@code status --json}) or as text for people. */
final class StatusOutput {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** How much of an error message fits a status line. */
    private static final int MESSAGE_WIDTH = 100;

    /**
     * How old a lag may be and still read as current: a streaming job acknowledges a write every flush interval
     * (500 ms by default), so a lag older than this describes the past (idle tables, or an outage).
     */
    static final Duration FRESH_LAG = Duration.ofSeconds(10);

    private StatusOutput() {}

    /** The fields are documented in docs/cli.md (## status); keep them in step. */
    static ObjectNode json(StatusReport r) {
        ObjectNode root = JSON.createObjectNode();
        root.put("project", r.project().toString());
        root.put("running", r.running());
        root.put("at", r.at().toString());
        if (r.run().isPresent()) {
            ObjectNode job = root.putObject("job");
            RunFile run = r.run().get();
            job.put("pid", run.pid());
            job.put("target", run.remote() ? RunFile.REMOTE : RunFile.EMBEDDED);
            job.put("job_id", run.jobId());
            job.put("rest_url", run.restUrl());
            job.put("started_at", run.startedAt());
            job.put("state", r.job().map(JobMetrics.Snapshot::state).orElse(null));
            job.put("stalled", r.stalled().orElse(null));
            job.put("error", r.jobError().orElse(null));
            Optional<JobMetrics.Restarts> restarts = r.job().map(JobMetrics.Snapshot::restarts);
            Optional<JobMetrics.Failure> failure = restarts.flatMap(JobMetrics.Restarts::last);
            job.put("restarts", restarts.map(JobMetrics.Restarts::count).orElse(null));
            job.put("last_exception", failure.map(JobMetrics.Failure::cause).orElse(null));
            job.put("last_failure_at", failure.map(f -> f.at().toString()).orElse(null));
            r.job().ifPresent(s -> {
                ObjectNode c = job.putObject("checkpoints");
                c.put("completed", s.checkpoints().completed());
                c.put("failed", s.checkpoints().failed());
                c.put("in_progress", s.checkpoints().inProgress());
                c.put("last_id", s.checkpoints().lastId().orElse(null));
                c.put(
                        "last_completed_at",
                        s.checkpoints().lastAt().map(Instant::toString).orElse(null));
            });
        } else {
            root.putNull("job");
        }
        ObjectNode postgres = root.putObject("postgres");
        postgres.put("reachable", r.postgres() instanceof StatusReport.Postgres.Read);
        postgres.put("error", r.postgres() instanceof StatusReport.Postgres.Unreachable u ? u.error() : null);
        ObjectNode slot = root.putObject("slot");
        slot.put("name", r.slotName());
        StatusReport.Slot known = r.postgres() instanceof StatusReport.Postgres.Read read ? read.slot() : null;
        slot.put("exists", known == null ? null : known.exists());
        slot.put("active", known == null ? null : known.active());
        slot.put("checkpoint_lsn", known == null ? null : known.checkpointLsn().orElse(null));
        slot.put("lag_bytes", known == null ? null : known.lagBytes().orElse(null));
        slot.put("wal_status", known == null ? null : known.walStatus().orElse(null));
        slot.put("safe_wal_size", known == null ? null : known.safeWalSize().orElse(null));
        JobMetrics.Snapshot s = r.job().orElse(null);
        if (s == null) {
            root.putNull("source");
        } else {
            source(s, root.putObject("source"));
        }
        root.put("lag_seconds", s == null ? null : s.max(WriterMetric.LAG_MS) / 1000.0);
        root.put(
                "lag_measured_at",
                s == null ? null : s.lag().map(l -> l.measuredAt().toString()).orElse(null));
        root.put("events", s == null ? null : (long) s.total(WriterMetric.EVENTS_IN));
        root.put("events_per_second", s == null ? null : s.total(WriterMetric.EVENTS_PER_SECOND));
        root.put("batches_per_second", s == null ? null : s.total(WriterMetric.BATCHES_PER_SECOND));
        root.put("retries", s == null ? null : (long) s.total(WriterMetric.RETRIES));
        root.put("last_flush_at", s == null ? null : epochMs(s.max(WriterMetric.LAST_FLUSH_EPOCH_MS)));
        ArrayNode mappings = root.putArray("mappings");
        if (s != null) {
            for (JobMetrics.Mapping m : s.mappings()) {
                ObjectNode o = mappings.addObject();
                o.put("mapping", m.name());
                o.put("events", m.count(WriterMetric.EVENTS_IN));
                o.put("events_per_second", m.value(WriterMetric.EVENTS_PER_SECOND));
                o.put("upserts", m.count(WriterMetric.UPSERTS));
                o.put("deletes", m.count(WriterMetric.DELETES));
                o.put("skips", m.count(WriterMetric.SKIPS));
                o.put("stale_dropped", m.count(WriterMetric.STALE_DROPPED));
                o.put("fill_rows_stale", m.count(WriterMetric.FILL_ROWS_STALE));
                o.put("changes_in_fill", m.count(WriterMetric.CHANGES_IN_FILL));
                o.put("dlq", m.count(WriterMetric.DLQ));
                o.put("batches", m.count(WriterMetric.BATCHES));
                o.put("batches_per_second", m.value(WriterMetric.BATCHES_PER_SECOND));
                o.put("retries", m.count(WriterMetric.RETRIES));
                o.put("last_flush_at", epochMs(m.value(WriterMetric.LAST_FLUSH_EPOCH_MS)));
                o.put("lag_seconds", m.value(WriterMetric.LAG_MS) / 1000.0);
                o.put(
                        "lag_measured_at",
                        m.lag().map(l -> l.measuredAt().toString()).orElse(null));
                o.put("pending_rows", m.count(WriterMetric.PENDING_ROWS));
            }
        }
        if (!(r.postgres() instanceof StatusReport.Postgres.Read read)) {
            root.putNull("dlq");
            return root;
        }
        ArrayNode fills = root.putArray("fills");
        for (FillLedger.Fill f : read.fills()) {
            FillProgress.of(f, r).json(fills.addObject());
        }
        ArrayNode superseded = root.putArray("superseded");
        for (Migration m : read.superseded()) {
            ObjectNode o = superseded.addObject();
            o.put("mapping", m.mappingName());
            o.put("version", m.version());
            o.put("namespace", m.namespace());
            o.put("still_mirrored", mirrored(r, m));
        }
        ObjectNode dlq = root.putObject("dlq");
        dlq.put("unresolved", read.dlq().unresolved());
        ObjectNode byMapping = dlq.putObject("by_mapping");
        read.dlq().unresolvedByMapping().forEach(byMapping::put);
        ArrayNode errors = dlq.putArray("last_errors");
        for (DlqRecord e : read.dlq().lastErrors()) {
            ObjectNode o = errors.addObject();
            o.put("id", e.id());
            o.put("mapping", e.mapping());
            o.put("version", e.version());
            o.put("doc_id", e.docId());
            o.put("lsn", e.lsnText());
            o.put("kind", e.errorKind());
            o.put("message", e.errorMessage());
            o.put("retry_count", e.retryCount());
            o.put("last_failed_at", e.lastFailedAt().toString());
        }
        return root;
    }

    /** {@code "mode"}: {@code "stream"} or {@code "poll"}; in poll mode the poll source's figures beside it. */
    private static void source(JobMetrics.Snapshot s, ObjectNode source) {
        source.put("mode", s.poll().isPresent() ? "poll" : "stream");
        s.poll().ifPresent(p -> {
            source.put("last_poll_at", epochMs(p.lastPollEpochMs()));
            source.put("last_poll_changes", p.rows());
            source.put("wait_ms", p.waitMs());
            source.put("polls", p.polls());
            source.put("polls_empty", p.empty());
            source.put("read_lsn", p.readLsn() == 0 ? null : JobMetrics.Poll.lsn(p.readLsn()));
            source.put("confirmed_lsn", p.confirmedLsn() == 0 ? null : JobMetrics.Poll.lsn(p.confirmedLsn()));
        });
    }

    /**
     * {@code source: poll, last poll 1 s ago (120 changes), next in 200 ms, read to 0/1A2B3C4D, slot confirmed at
     * 0/1A2B0000 by the last checkpoint, 1234 polls (1000 empty)}; {@code source: poll, no poll yet} before the first.
     */
    static String pollLine(JobMetrics.Poll p, Instant now) {
        if (p.lastPollEpochMs() <= 0) {
            return "source: poll (wal2json over SQL), no poll yet";
        }
        return String.format(
                "source: poll (wal2json over SQL), last poll %s (%d change%s), next in %s, read to %s, slot confirmed"
                        + " at %s by the last checkpoint, %d polls (%d empty)",
                ago(Instant.ofEpochMilli(p.lastPollEpochMs()), now),
                p.rows(),
                p.rows() == 1 ? "" : "s",
                p.waitMs() < 1000 ? p.waitMs() + " ms" : decimal(p.waitMs() / 1000.0) + " s",
                JobMetrics.Poll.lsn(p.readLsn()),
                JobMetrics.Poll.lsn(p.confirmedLsn()),
                p.polls(),
                p.empty());
    }

    /** The fills, and the namespaces that filled newer versions replaced. */
    private static void fills(StatusReport r, StatusReport.Postgres.Read read, PrintWriter out) {
        if (read.fills().isEmpty() && read.superseded().isEmpty()) {
            return;
        }
        out.println("fills:");
        for (FillLedger.Fill f : read.fills()) {
            out.printf(
                    "  %s v%d -> namespace %s (%s, #%d): %s%n",
                    f.mapping(),
                    f.version(),
                    f.namespace(),
                    FillLines.reason(f.reason()),
                    f.id(),
                    FillProgress.of(f, r).text());
        }
        for (Migration m : read.superseded()) {
            out.printf(
                    "  namespace %s (mapping %s v%d) is %s; delete it once nothing reads it%n",
                    m.namespace(),
                    m.mappingName(),
                    m.version(),
                    mirrored(r, m)
                            ? "still mirrored by this run, since the newer version's namespace caught up only after"
                                    + " it started: no longer updated after the next puffgres run"
                            : "no longer updated: the newer version's namespace is filled and mirrored instead");
        }
        out.println();
    }

    /** Whether the running job still mirrors {@code older} (it started before the newer version's fill was done). */
    private static boolean mirrored(StatusReport r, Migration older) {
        String key = JobSpec.key(older, false);
        return r.job()
                .map(j -> j.mappings().stream().anyMatch(m -> m.name().equals(key)))
                .orElse(false);
    }

    private static String epochMs(double ms) {
        return ms <= 0 ? null : Instant.ofEpochMilli((long) ms).toString();
    }

    static void text(StatusReport r, PrintWriter out) {
        Instant now = r.at();
        r.run()
                .ifPresent(run -> out.printf(
                        "%s, job %s, %s since %s%s%n",
                        run.remote() ? "Flink cluster" : "puffgres run: pid " + run.pid(),
                        run.jobId(),
                        r.job()
                                .map(JobMetrics.Snapshot::state)
                                .map(state -> r.stalled().isPresent() ? "STALLED (" + state + ")" : state)
                                .orElse("state unknown"),
                        run.startedAt(),
                        run.restUrl().isEmpty() ? "" : ", web UI " + run.restUrl()));
        r.stalled()
                .ifPresent(why -> out.println("  STALLED: " + why
                        + " (the job log shows the threads; [flink] stall_timeout_ms restarts it)"));
        r.job().flatMap(s -> restarts(s.restarts(), now)).ifPresent(line -> out.println("  " + line));
        r.jobError().ifPresent(e -> out.println("  " + e));
        if (r.postgres() instanceof StatusReport.Postgres.Read read) {
            out.println(slot(
                    r.slotName(),
                    read.slot(),
                    r.job().flatMap(JobMetrics.Snapshot::poll).isPresent()));
        } else {
            out.printf("slot %s: unknown, Postgres is unreachable%n", r.slotName());
        }
        r.job().flatMap(JobMetrics.Snapshot::poll).ifPresent(p -> out.println(pollLine(p, now)));
        r.job().ifPresent(s -> {
            JobMetrics.Checkpoints c = s.checkpoints();
            out.printf(
                    "checkpoints: %d completed, %d failed%s%n",
                    c.completed(),
                    c.failed(),
                    c.lastId()
                            .map(id -> ", last #" + id + " " + ago(c.lastAt().orElse(null), now))
                            .orElse(""));
            out.printf(
                    "events: %d (%s/s), batches %s/s, retries %d, last flush %s, lag %s%n",
                    (long) s.total(WriterMetric.EVENTS_IN),
                    decimal(s.total(WriterMetric.EVENTS_PER_SECOND)),
                    decimal(s.total(WriterMetric.BATCHES_PER_SECOND)),
                    (long) s.total(WriterMetric.RETRIES),
                    lastFlush(s.max(WriterMetric.LAST_FLUSH_EPOCH_MS), now),
                    lag(s.lag(), now));
            out.println();
            TextTable t = new TextTable(
                    "MAPPING",
                    "EVENTS>",
                    "EVENTS/S>",
                    "UPSERTS>",
                    "DELETES>",
                    "SKIPS>",
                    "STALE>",
                    "FILL STALE>",
                    "IN FILL>",
                    "DLQ>",
                    "BATCHES/S>",
                    "RETRIES>",
                    "LAST FLUSH",
                    "LAG>");
            for (JobMetrics.Mapping m : s.mappings()) {
                t.row(
                        m.name(),
                        m.count(WriterMetric.EVENTS_IN),
                        decimal(m.value(WriterMetric.EVENTS_PER_SECOND)),
                        m.count(WriterMetric.UPSERTS),
                        m.count(WriterMetric.DELETES),
                        m.count(WriterMetric.SKIPS),
                        m.count(WriterMetric.STALE_DROPPED),
                        m.count(WriterMetric.FILL_ROWS_STALE),
                        m.count(WriterMetric.CHANGES_IN_FILL),
                        m.count(WriterMetric.DLQ),
                        decimal(m.value(WriterMetric.BATCHES_PER_SECOND)),
                        m.count(WriterMetric.RETRIES),
                        lastFlush(m.value(WriterMetric.LAST_FLUSH_EPOCH_MS), now),
                        lag(m.lag(), now));
            }
            t.print(out);
            out.println();
        });
        if (!(r.postgres() instanceof StatusReport.Postgres.Read read)) {
            out.println("DLQ: unknown, Postgres is unreachable");
            return;
        }
        fills(r, read, out);
        StatusReport.Dlq dlq = read.dlq();
        if (dlq.unresolved() == 0) {
            out.println("DLQ: no unresolved entries");
            return;
        }
        StringBuilder per = new StringBuilder();
        for (Map.Entry<String, Long> e : dlq.unresolvedByMapping().entrySet()) {
            per.append(per.isEmpty() ? "" : ", ").append(e.getKey()).append(' ').append(e.getValue());
        }
        out.printf("DLQ: %d unresolved (%s); see puffgres dlq list%n", dlq.unresolved(), per);
        out.println("last errors:");
        for (DlqRecord e : dlq.lastErrors()) {
            out.printf(
                    "  #%d %s@%d id %s at %s, %s %s: %s%n",
                    e.id(),
                    e.mapping(),
                    e.version(),
                    e.docId(),
                    e.lsnText(),
                    e.errorKind(),
                    ago(e.lastFailedAt(), now),
                    oneLine(e.errorMessage(), MESSAGE_WIDTH));
        }
    }

    /**
     * {@code restarted 14 times, last 20 s ago: <cause>}, or {@code failed 5 s ago: <cause>} for a failure without
     * a restart; empty for a job that never failed.
     */
    static Optional<String> restarts(JobMetrics.Restarts restarts, Instant now) {
        String last = restarts.last()
                .map(f -> ago(f.at(), now) + ": " + oneLine(f.cause(), MESSAGE_WIDTH))
                .orElse(null);
        if (restarts.count() == 0) {
            return Optional.ofNullable(last).map(l -> "failed " + l);
        }
        return Optional.of("restarted " + restarts.count() + (restarts.count() == 1 ? " time" : " times")
                + (last == null ? "" : ", last " + last));
    }

    /**
     * {@code slot s: active, checkpoint LSN 0/1A2B, 41.9 KiB of WAL behind, wal_status reserved}, with {@code
     * safe_wal_size} when Postgres sets it and what a {@code lost} slot means.
     */
    static String slot(String name, StatusReport.Slot slot) {
        return slot(name, slot, false);
    }

    /**
     * @param polled whether a poll-mode job reads it: never through a replication connection, so never "active", but
     *     through its copy {@code <slot>_poll}
     */
    static String slot(String name, StatusReport.Slot slot, boolean polled) {
        if (!slot.exists()) {
            return "slot " + name + ": does not exist (puffgres run --create-slot creates it)";
        }
        StringBuilder line = new StringBuilder(String.format(
                "slot %s: %s, checkpoint LSN %s, %s of WAL behind",
                name,
                slot.active() ? "active" : polled ? "polled through " + PollSettings.readingSlot(name) : "inactive",
                slot.checkpointLsn().orElse("none"),
                slot.lagBytes().map(TextTable::bytes).orElse("unknown")));
        slot.walStatus().ifPresent(w -> line.append(", wal_status ").append(w));
        slot.safeWalSize()
                .ifPresent(b -> line.append(", ")
                        .append(TextTable.bytes(Math.max(0, b)))
                        .append(" more WAL before it is at risk (safe_wal_size)"));
        if (slot.walStatus().filter(w -> w.equals("lost")).isPresent()) {
            line.append(" (invalidated: Postgres removed WAL it needs; see puffgres doctor)");
        }
        return line.toString();
    }

    static String lastFlush(double epochMs, Instant now) {
        return ago(epochMs <= 0 ? null : Instant.ofEpochMilli((long) epochMs), now);
    }

    /**
     * A lag with its age when it is not fresh: {@code 0.4 s}, {@code 1.2 s as of 70 s ago}; {@code -} before the
     * first streamed change is written.
     */
    static String lag(Optional<JobMetrics.Lag> lag, Instant now) {
        if (lag.isEmpty()) {
            return "-";
        }
        String seconds = decimal(lag.get().seconds()) + " s";
        Instant at = lag.get().measuredAt();
        return at.isBefore(now.minus(FRESH_LAG)) ? seconds + " as of " + ago(at, now) : seconds;
    }
}
