package io.puffgres.cli.status;

import com.fasterxml.jackson.databind.JsonNode;
import io.puffgres.cli.FlinkRest;
import io.puffgres.stream.Durations;
import io.puffgres.stream.WriterMetric;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Reads a running puffgres job from the Flink REST API ({@code /jobs/:id}, {@code /jobs/:id/vertices/:vid/subtasks/
 * metrics}, {@code /jobs/:id/checkpoints}, {@code /jobs/:id/metrics}, {@code /jobs/:id/exceptions}): its state, each
 * mapping's writer metrics summed over subtasks (the latest of the time gauges), its running fill sources ({@link
 * FillSourceMetrics}), its poll source in poll mode ({@link PollSourceMetrics}), its checkpoints and its restarts.
 * Flink refreshes these metrics every second (see JobRunner), so a read may lag that much. Thread-safe; each
 * {@link #read()} makes a few HTTP calls.
 */
final class JobMetrics {

    /**
     * Gauges of which the largest subtask value counts (the latest time, the slot lag of the one subtask that has
     * it); everything else is summed.
     */
    private static final List<WriterMetric> LATEST = List.of(
            WriterMetric.LAST_FLUSH_EPOCH_MS,
            WriterMetric.LAG_MS,
            WriterMetric.LAG_AT_EPOCH_MS,
            WriterMetric.SLOT_LAG_BYTES,
            WriterMetric.STALLED_MS,
            WriterMetric.LOOKUP_STALLED_MS);

    /** Job states in which Flink has no failure to tell about unless the job restarted before. */
    private static final List<String> UNTROUBLED = List.of("INITIALIZING", "CREATED", "RUNNING", "FINISHED");

    /** The histogram has no single value; the REST API shows it as several. */
    private static final List<WriterMetric> READ = List.of(WriterMetric.values()).stream()
            .filter(m -> m != WriterMetric.WRITE_LATENCY_MS)
            .toList();

    /**
     * One read of the job: Flink's state ({@code RUNNING}, {@code RESTARTING}, …) and what it reports.
     *
     * @param poll the poll source's figures when the job reads changes in poll mode; empty for a stream
     */
    record Snapshot(
            String state,
            List<Mapping> mappings,
            List<Fill> fills,
            Checkpoints checkpoints,
            Restarts restarts,
            Optional<Poll> poll) {

        /** A job that streams (no poll source). */
        Snapshot(String state, List<Mapping> mappings, List<Fill> fills, Checkpoints checkpoints, Restarts restarts) {
            this(state, mappings, fills, checkpoints, restarts, Optional.empty());
        }

        /** The running fill source of {@code mapping}, if the job runs one that reports metrics. */
        Optional<Fill> fill(String mapping) {
            return fills.stream().filter(f -> f.mapping().equals(mapping)).findFirst();
        }

        /** The sum of {@code metric} over the mappings. */
        double total(WriterMetric metric) {
            return mappings.stream().mapToDouble(m -> m.value(metric)).sum();
        }

        /** The largest {@code metric} over the mappings (0 without mappings). */
        double max(WriterMetric metric) {
            return mappings.stream().mapToDouble(m -> m.value(metric)).max().orElse(0);
        }

        /**
         * Why the job is STALLED, or empty: a mapping's lookups or writes that have not moved for {@code [flink]
         * stall_after_ms} (the operators' {@code stalledMs} gauges say so), or a checkpoint in progress that long,
         * which holds when anything in the job is stuck, the source included.
         */
        Optional<String> stalled(Duration after, Instant now) {
            List<String> reasons = new ArrayList<>();
            for (Mapping m : mappings) {
                if (m.value(WriterMetric.LOOKUP_STALLED_MS) > 0) {
                    reasons.add("mapping " + m.name() + ": lookups have not moved for "
                            + Durations.human(Duration.ofMillis(m.count(WriterMetric.LOOKUP_STALLED_MS))) + " ("
                            + m.count(WriterMetric.LOOKUPS_RUNNING) + " unanswered by Postgres, "
                            + m.count(WriterMetric.CHANGES_HELD) + " change(s) held behind them)");
                }
                if (m.value(WriterMetric.STALLED_MS) > 0) {
                    reasons.add("mapping " + m.name() + ": writes have not moved for "
                            + Durations.human(Duration.ofMillis(m.count(WriterMetric.STALLED_MS))) + " ("
                            + m.count(WriterMetric.WRITES_IN_FLIGHT) + " unacknowledged by turbopuffer, "
                            + m.count(WriterMetric.PENDING_ROWS) + " row(s) buffered, "
                            + m.count(WriterMetric.RETRIES) + " retries)");
                }
            }
            checkpoints
                    .inProgressSince()
                    .map(since -> Duration.between(since, now))
                    .filter(d -> d.compareTo(after) >= 0)
                    .ifPresent(d -> reasons.add("a checkpoint has been in progress for " + Durations.human(d)
                            + (reasons.isEmpty()
                                    ? " with nothing pending in puffgres's operators: the source is not moving"
                                            + " (an open transaction holds back a snapshot's start)"
                                    : "")));
            poll.filter(p -> p.lastPollEpochMs() > 0)
                    .map(p -> Duration.between(Instant.ofEpochMilli(p.lastPollEpochMs()), now)
                            .minusMillis(p.waitMs()))
                    .filter(d -> d.compareTo(after) >= 0)
                    .ifPresent(d -> reasons.add("the poll source has not finished a poll for "
                            + Durations.human(d) + " past its wait (a long pg_logical_slot_get_changes: a large"
                            + " transaction, or Postgres not answering)"));
            return reasons.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", reasons));
        }

        /** The largest lag over the mappings that measured one. */
        Optional<Lag> lag() {
            return mappings.stream().flatMap(m -> m.lag().stream()).max(Comparator.comparingDouble(Lag::seconds));
        }
    }

    /**
     * A running fill source's metrics ({@link FillSourceMetrics}): its readers' summed over subtasks (since each task
     * started), its enumerator's as they are.
     *
     * @param rowsRead rows the readers handed on ({@code fillRowsRead}), finished chunks or not
     * @param rowsPerSecond the readers' rate over the last minute ({@code fillRowsPerSecond})
     * @param dlq rows whose id could not be a document id, written to the DLQ by the readers ({@code fillDlq})
     * @param rowsDone rows of the chunks finished ({@code fillRowsDone})
     * @param chunksDone chunks finished ({@code fillChunksDone})
     * @param chunksTotal every chunk of the fill, -1 until all are planned ({@code fillChunksTotal})
     * @param rowsEstimate the table's estimated rows, -1 unknown ({@code fillRowsEstimate})
     */
    record Fill(
            String mapping,
            long rowsRead,
            double rowsPerSecond,
            long dlq,
            long rowsDone,
            long chunksDone,
            long chunksTotal,
            long rowsEstimate) {}

    /**
     * The poll source's figures ({@link PollSourceMetrics}); 0 for each one not reported yet.
     *
     * @param lastPollEpochMs when the last poll finished ({@code pollLastTime}), 0 before one
     * @param rows changes the last poll returned ({@code pollRows})
     * @param polls polls since the task started ({@code polls})
     * @param empty polls that returned nothing ({@code pollsEmpty})
     * @param waitMs the wait before the next poll, back-off included ({@code pollWaitMs})
     * @param readLsn the WAL position the reading slot has read through ({@code pollReadLsn})
     * @param confirmedLsn where the last completed checkpoint moved the job's slot ({@code pollConfirmedLsn})
     */
    record Poll(long lastPollEpochMs, long rows, long polls, long empty, long waitMs, long readLsn, long confirmedLsn) {

        /** A WAL position in Postgres's text form ({@code 0/1A2B3C4D}), {@code -} for 0 (not known yet). */
        static String lsn(long lsn) {
            return lsn == 0 ? "-" : String.format("%X/%X", lsn >>> 32, lsn & 0xFFFF_FFFFL);
        }
    }

    /** A replication lag ({@code lagMs}) and when it was measured: it keeps its value until the next write. */
    record Lag(double seconds, Instant measuredAt) {}

    /** One mapping's writer metrics; a metric not reported yet reads 0. */
    record Mapping(String name, Map<WriterMetric, Double> values) {
        double value(WriterMetric metric) {
            return values.getOrDefault(metric, 0.0);
        }

        long count(WriterMetric metric) {
            return (long) value(metric);
        }

        /** The lag at the last write of streamed changes; empty before one (snapshot rows have no commit time). */
        Optional<Lag> lag() {
            long at = count(WriterMetric.LAG_AT_EPOCH_MS);
            return at <= 0
                    ? Optional.empty()
                    : Optional.of(new Lag(value(WriterMetric.LAG_MS) / 1000.0, Instant.ofEpochMilli(at)));
        }
    }

    /**
     * Checkpoint counts, the last completed one, if any, and when the oldest one still in progress was triggered.
     */
    record Checkpoints(
            long completed,
            long failed,
            long inProgress,
            Optional<Long> lastId,
            Optional<Instant> lastAt,
            Optional<Instant> inProgressSince) {}

    /**
     * How often Flink restarted the job since it was submitted (its {@code numRestarts} metric; a new {@code puffgres
     * run} starts at 0) and the newest failure Flink's exception history keeps, if any.
     */
    record Restarts(long count, Optional<Failure> last) {
        static final Restarts NONE = new Restarts(0, Optional.empty());
    }

    /** A failure of the job: when, and its telling cause in one line ({@link FailureCause}). */
    record Failure(Instant at, String cause) {}

    private final FlinkRest rest;

    /** @param restUrl e.g. {@code http://localhost:8081} (the run file's restUrl) */
    JobMetrics(String restUrl, String jobId) {
        this.rest = new FlinkRest(restUrl, jobId);
    }

    Snapshot read() throws IOException {
        JsonNode job = rest.get("");
        // by mapping: at parallelism > 1 its lookup stage and its writer run in different vertices
        Map<String, Map<WriterMetric, Double>> values = new LinkedHashMap<>();
        List<Fill> fills = new ArrayList<>();
        Optional<Poll> poll = Optional.empty();
        for (JsonNode vertex : job.path("vertices")) {
            String name = vertex.path("name").asText();
            if (PollSourceMetrics.runs(name)) {
                poll = Optional.of(
                        PollSourceMetrics.read(rest, vertex.path("id").asText()));
            }
            for (String mapping : operatorMappings(name, FillSourceMetrics.NAME_SUFFIX)) {
                FillSourceMetrics.read(rest, vertex.path("id").asText(), mapping)
                        .ifPresent(fills::add);
            }
            List<String> names = new ArrayList<>(writerMappings(name));
            operatorMappings(name, WriterMetric.LOOKUP_SUFFIX).stream()
                    .filter(m -> !names.contains(m))
                    .forEach(names::add);
            if (!names.isEmpty()) {
                metrics(vertex.path("id").asText(), names, values);
            }
        }
        List<Mapping> mappings = values.entrySet().stream()
                .map(e -> new Mapping(e.getKey(), e.getValue()))
                .toList();
        String state = job.path("state").asText();
        return new Snapshot(state, mappings, List.copyOf(fills), checkpoints(), restarts(state), poll);
    }

    /**
     * The mappings whose writer runs in a vertex, from its name: a chained vertex names every operator, and at
     * parallelism 1 one vertex holds the source and every mapping's writer ({@code Source: postgres cdc -> (a: route
     * -> a: lookup -> a: apply + write, b: route -> …)}), whose metrics are kept apart. Mapping names are {@code
     * [a-z][a-z0-9_]*}.
     */
    static List<String> writerMappings(String vertexName) {
        return operatorMappings(vertexName, WriterMetric.WRITE_SUFFIX);
    }

    /** The mappings whose operator named {@code <mapping><suffix>} runs in a vertex (see {@link #writerMappings}). */
    static List<String> operatorMappings(String vertexName, String suffix) {
        List<String> names = new ArrayList<>();
        for (int at = vertexName.indexOf(suffix); at > 0; at = vertexName.indexOf(suffix, at + 1)) {
            int start = at;
            while (start > 0 && isMappingChar(vertexName.charAt(start - 1))) {
                start--;
            }
            if (start < at) {
                names.add(vertexName.substring(start, at));
            }
        }
        return names;
    }

    private static boolean isMappingChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    }

    /** A metric id of the REST API: whose writer, which metric. */
    private record Wanted(String mapping, WriterMetric metric) {}

    /**
     * Adds the metrics of {@code mappings}' operators (writer, lookup stage) in one vertex to {@code values}; an
     * operator not registered yet adds nothing.
     */
    private void metrics(String vertexId, List<String> mappings, Map<String, Map<WriterMetric, Double>> values)
            throws IOException {
        String base = "/vertices/" + vertexId + "/subtasks/metrics";
        // "<operator>.<metric>", the operator name made safe ("pages: apply + write" -> "pages__apply_+_write")
        Map<String, Wanted> wanted = new LinkedHashMap<>();
        for (JsonNode available : rest.get(base)) {
            String id = available.path("id").asText();
            for (String mapping : mappings) {
                for (WriterMetric m : READ) {
                    if (id.equals(safe(mapping + m.operatorSuffix()) + "." + m.id())) {
                        wanted.put(id, new Wanted(mapping, m));
                    }
                }
            }
        }
        mappings.forEach(m -> values.computeIfAbsent(m, k -> new EnumMap<>(WriterMetric.class)));
        if (!wanted.isEmpty()) {
            String query = wanted.keySet().stream()
                    .map(id -> URLEncoder.encode(id, StandardCharsets.UTF_8))
                    .collect(Collectors.joining(","));
            for (JsonNode metric : rest.get(base + "?agg=sum,max&get=" + query)) {
                Wanted w = wanted.get(metric.path("id").asText());
                if (w != null) {
                    double value = metric.path(LATEST.contains(w.metric()) ? "max" : "sum")
                            .asDouble();
                    values.get(w.mapping()).put(w.metric(), value);
                }
            }
        }
    }

    /** An operator name as Flink's metric ids carry it. */
    private static String safe(String operatorName) {
        return operatorName.replace(':', '_').replace(' ', '_');
    }

    private Checkpoints checkpoints() throws IOException {
        JsonNode c = rest.get("/checkpoints");
        JsonNode counts = c.path("counts");
        JsonNode last = c.path("latest").path("completed");
        boolean any = last.isObject();
        return new Checkpoints(
                counts.path("completed").asLong(),
                counts.path("failed").asLong(),
                counts.path("in_progress").asLong(),
                any ? Optional.of(last.path("id").asLong()) : Optional.empty(),
                any
                        ? Optional.of(Instant.ofEpochMilli(
                                last.path("latest_ack_timestamp").asLong()))
                        : Optional.empty(),
                oldestInProgress(c.path("history")));
    }

    /** When the oldest checkpoint still in progress was triggered (Flink keeps the recent ones in the history). */
    private static Optional<Instant> oldestInProgress(JsonNode history) {
        Optional<Instant> oldest = Optional.empty();
        for (JsonNode h : history) {
            if (h.path("status").asText().equals("IN_PROGRESS")) {
                Instant at = Instant.ofEpochMilli(h.path("trigger_timestamp").asLong());
                if (oldest.isEmpty() || at.isBefore(oldest.get())) {
                    oldest = Optional.of(at);
                }
            }
        }
        return oldest;
    }

    private Restarts restarts(String state) throws IOException {
        long count = 0;
        for (JsonNode metric : rest.get("/metrics?get=numRestarts")) {
            if (metric.path("id").asText().equals("numRestarts")) {
                count = metric.path("value").asLong();
            }
        }
        if (count == 0 && UNTROUBLED.contains(state)) {
            return Restarts.NONE;
        }
        return new Restarts(count, lastFailure(rest.get("/exceptions?maxExceptions=1")));
    }

    /** The newest entry of the {@code /jobs/:id/exceptions} answer's {@code exceptionHistory}, if any. */
    static Optional<Failure> lastFailure(JsonNode exceptions) {
        JsonNode newest = null;
        for (JsonNode entry : exceptions.path("exceptionHistory").path("entries")) {
            if (newest == null
                    || entry.path("timestamp").asLong()
                            > newest.path("timestamp").asLong()) {
                newest = entry;
            }
        }
        if (newest == null) {
            return Optional.empty();
        }
        String trace = newest.path("stacktrace").asText("");
        String cause = trace.isBlank() ? newest.path("exceptionName").asText("unknown") : FailureCause.oneLine(trace);
        return Optional.of(
                new Failure(Instant.ofEpochMilli(newest.path("timestamp").asLong()), cause));
    }
}
