package io.puffgres.stream;

/**
 * The metrics each {@code <mapping>: apply + write} operator ({@code io.puffgres.sink.MappingWriter}) registers, and the
 * three of its {@code <mapping>: lookup} operator ({@code io.puffgres.lookup.RowLookup}), by the id they carry in the Flink web
 * UI, the REST API and reporters. Counters count since the job (re)started; rates are per second over
 * the last {@link #RATE_WINDOW_SECONDS}.
 */
public enum WriterMetric {
    /** Changes that reached the operator (counter). */
    EVENTS_IN("eventsIn"),
    /** Documents written (counter). */
    UPSERTS("upserts"),
    /** Ids deleted (counter). */
    DELETES("deletes"),
    /**
     * Deletes not sent because the id is known to have no document: its last delete, or a delete found needless, was
     * acknowledged and nothing was written for it since (counter).
     */
    DELETES_SKIPPED("deletesSkipped"),
    /** Changes the transform skipped (counter). */
    SKIPS("skips"),
    /** Changes at or before the latest LSN applied to their id (counter). */
    STALE_DROPPED("staleDropped"),
    /**
     * Fill rows dropped because the id already holds newer: a change the row's snapshot does not see was applied, or a
     * fill row read in a snapshot that sees all this one sees, or a TRUNCATE after the row was read (counter).
     */
    FILL_ROWS_STALE("fillRowsStale"),
    /** Streamed changes dropped because the fill row applied to their id holds them: its snapshot sees them (counter). */
    CHANGES_IN_FILL("changesInFill"),
    /** Changes sent to the DLQ (counter). */
    DLQ("dlq"),
    /** Write requests acknowledged by turbopuffer (counter). */
    BATCHES("batches"),
    /** Transient write failures retried (counter). */
    RETRIES("retries"),
    /** Rate of {@link #EVENTS_IN} (meter). */
    EVENTS_PER_SECOND("eventsInPerSecond"),
    /** Rate of {@link #BATCHES} (meter). */
    BATCHES_PER_SECOND("batchesPerSecond"),
    /** Write request latency in milliseconds (histogram). */
    WRITE_LATENCY_MS("writeLatencyMs"),
    /** When a write was last acknowledged, epoch milliseconds, 0 before the first (gauge). */
    LAST_FLUSH_EPOCH_MS("lastFlushEpochMs"),
    /**
     * At the last acknowledged write of streamed changes: acknowledgement time minus the commit time of its newest
     * change, milliseconds; 0 before the first (gauge). It keeps its value until the next such write.
     */
    LAG_MS("lagMs"),
    /**
     * When {@link #LAG_MS} was measured (the acknowledgement it describes), epoch milliseconds, 0 before the first
     * (gauge): an old value means the lag describes the past, e.g. an outage that lets nothing through.
     */
    LAG_AT_EPOCH_MS("lagAtEpochMs"),
    /** Actions buffered, not yet sent (gauge). */
    PENDING_ROWS("pendingRows"),
    /** Write requests sent and not yet acknowledged (gauge). */
    WRITES_IN_FLIGHT("writesInFlight"),
    /** How long the writer's work in flight has not moved, milliseconds; 0 when it is not stalled (gauge). */
    STALLED_MS(DrainingOperator.STALLED_MS),
    /** The lookup stage's: how long its lookups have not moved, milliseconds; 0 when not stalled (gauge). */
    LOOKUP_STALLED_MS(DrainingOperator.STALLED_MS, true),
    /** The lookup stage's: lookups sent to Postgres and not answered yet (gauge). */
    LOOKUPS_RUNNING("lookupsRunning", true),
    /** The lookup stage's: changes held in order behind the oldest running lookup (gauge). */
    CHANGES_HELD("changesHeld", true),
    /**
     * WAL bytes from the replication slot's confirmed position to the server's current one, read every 5 s; -1 when
     * not known (gauge, on the first subtask of each writer: the slot is the job's).
     */
    SLOT_LAG_BYTES("slotLagBytes");

    /** The name of a mapping's apply + write operator is the mapping name followed by this. */
    public static final String WRITE_SUFFIX = ": apply + write";

    /** The name of a mapping's lookup operator is the mapping name followed by this. */
    public static final String LOOKUP_SUFFIX = ": lookup";

    /** Window of the rates: long enough to smooth batching, short enough to show a burst (a multiple of 5 s). */
    public static final int RATE_WINDOW_SECONDS = 10;

    private final String id;
    private final boolean lookup;

    WriterMetric(String id) {
        this(id, false);
    }

    WriterMetric(String id, boolean lookup) {
        this.id = id;
        this.lookup = lookup;
    }

    /** What follows the mapping name in the name of the operator that registers it. */
    public String operatorSuffix() {
        return lookup ? LOOKUP_SUFFIX : WRITE_SUFFIX;
    }

    /** The metric's name within the operator's metric group. */
    public String id() {
        return id;
    }
}
