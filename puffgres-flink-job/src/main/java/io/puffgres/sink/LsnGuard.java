package io.puffgres.sink;

import io.puffgres.event.Snapshot;
import java.util.List;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.VoidNamespace;

/**
 * A mapping writer's per-id memory in Flink state, for the id of the event being processed (the keyed backend's
 * current key); the rules are docs/job.md's "Ordering" and "Filling a namespace":
 *
 * <ul>
 *   <li><b>The LSN guard.</b> Keyed state ({@link IdVersion}) holds the latest LSN applied per id (deletes included);
 *       a change at or before it is stale, so a replayed or older change never overwrites newer data.
 *   <li><b>Fill rows against the stream.</b> The same value holds the transaction of that change and the snapshot of
 *       the last fill row applied. A fill row is dropped when the stream is ahead of it ({@link
 *       IdVersion#fillRowStale}); a change its snapshot sees is dropped (the row holds it); a change it does not see
 *       but that lies below its horizon is stamped with the horizon ({@link IdVersion#stamp}). A fill row read before
 *       a TRUNCATE the writer has applied is dropped too: the TRUNCATE deleted what was written before it, and the row
 *       would bring a truncated row back.
 *   <li><b>No read for the stream in WAL order.</b> The subtask keeps the newest LSN it has put in that state and the
 *       newest horizon of a fill row it applied (in operator state, so they survive a restore): a change after both
 *       cannot be stale and no fill row of its id can see it, so its state is written without being read. The stream
 *       comes in WAL order, so that is nearly every streamed change while no fill runs.
 *   <li><b>Known absence.</b> Keyed state also holds the LSN at which the id was last known to have no document: a
 *       delete of it acknowledged by turbopuffer, or a delete found needless. The id has none while that LSN is its
 *       latest one and no fill row was applied since (any later change moves the latest LSN on, an upsert included);
 *       then a delete need not be sent. Unknown (never set, or state from a version without it) means the id may have
 *       a document. An absence restored from a checkpoint is not trusted either: the run before may have written the
 *       id after that checkpoint, and the source need not replay that change (Postgres streams from the slot's
 *       confirmed position, which pgjdbc 42.7.3 moves on keep-alives past the checkpoint's: pgjdbc #2941, DBZ-7533).
 * </ul>
 *
 * A decision ({@link #admit}, {@link #admitFill}) records nothing; {@link #applied} or {@link #skippedDelete} does, once
 * the outcome is known. Used on the task thread only.
 */
final class LsnGuard {

    /** What becomes of an event of the current id. */
    enum Verdict {
        /** Apply it, its document stamped {@link #stamp()}. */
        APPLY,
        /** A change at or before the id's latest LSN (metric {@code staleDropped}). */
        STALE,
        /** A change the id's last fill row holds already (metric {@code changesInFill}); {@link #applied} records it. */
        IN_FILL,
        /** A fill row behind the stream, behind another fill row, or read before a TRUNCATE (metric {@code fillRowsStale}). */
        FILL_STALE,
        /** A change without a transaction id that would have to be ordered against a fill row: it cannot be. */
        UNORDERABLE
    }

    private static final ValueStateDescriptor<IdVersion> VERSION =
            new ValueStateDescriptor<>("id-version", IdVersionSerializer.INSTANCE);

    /** The latest LSN alone, as versions before {@link #VERSION} kept it: read where an id has no version yet. */
    private static final ValueStateDescriptor<Long> LATEST_LSN = new ValueStateDescriptor<>("latest-lsn", Types.LONG);

    private static final ValueStateDescriptor<Long> ABSENT_AT = new ValueStateDescriptor<>("absent-at", Types.LONG);

    /** Each subtask's {@link #newestLsn}; a restored subtask takes the largest (it may hold any subtask's ids). */
    private static final ListStateDescriptor<Long> NEWEST_LSN = new ListStateDescriptor<>("newest-lsn", Types.LONG);

    /** Each subtask's {@link #fillHorizon}; restored as the largest, like {@link #NEWEST_LSN}. */
    private static final ListStateDescriptor<Long> FILL_HORIZON = new ListStateDescriptor<>("fill-horizon", Types.LONG);

    /** Each subtask's {@link #truncatedAt} (every subtask gets every TRUNCATE); restored as the largest. */
    private static final ListStateDescriptor<Long> TRUNCATED_AT = new ListStateDescriptor<>("truncated-at", Types.LONG);

    private ValueState<IdVersion> version;
    private ValueState<Long> latestLsn;
    private ValueState<Long> absentAt;
    private ListState<Long> newestLsnState;
    private ListState<Long> fillHorizonState;
    private ListState<Long> truncatedAtState;

    /** No id's LSN in {@link #version} is after this one (unsigned; -1, the largest, when that is not known). */
    private long newestLsn;

    /** No id's fill snapshot has a horizon after this one (unsigned; 0 while no fill row was applied). */
    private long fillHorizon;

    /** The newest TRUNCATE applied (unsigned; 0 when none). */
    private long truncatedAt;

    /** The restored keyed state holds {@code latest-lsn} values of an earlier version, read where no version is. */
    private boolean legacy;

    /** Absences at or before this LSN (unsigned) came with a restored checkpoint and are not trusted; 0 when fresh. */
    private long distrustedUpTo;

    /** The current id's state as the last decision read it, when {@link #read}. */
    private IdVersion current;

    private boolean read;

    /** What the decided event makes of the current id, and the stamp of its document. */
    private IdVersion next;

    private long stamp;

    void initialize(StateInitializationContext context, KeyedStateBackend<?> keyed) throws Exception {
        version = context.getKeyedStateStore().getState(VERSION);
        latestLsn = context.getKeyedStateStore().getState(LATEST_LSN);
        absentAt = context.getKeyedStateStore().getState(ABSENT_AT);
        newestLsnState = context.getOperatorStateStore().getUnionListState(NEWEST_LSN);
        fillHorizonState = context.getOperatorStateStore().getUnionListState(FILL_HORIZON);
        truncatedAtState = context.getOperatorStateStore().getUnionListState(TRUNCATED_AT);
        legacy = any(keyed, LATEST_LSN);
        Long newest = largest(newestLsnState);
        newestLsn = newest != null ? newest : legacy || any(keyed, VERSION) ? -1 : 0;
        fillHorizon = orZero(largest(fillHorizonState));
        truncatedAt = orZero(largest(truncatedAtState));
        // Every restored absence is at or before newestLsn. A checkpoint without newestLsn comes from a version that
        // kept no absences (newest-lsn state is older than absent-at), so there is nothing to distrust.
        distrustedUpTo = context.isRestored() && newest != null ? newestLsn : 0;
    }

    private static Long largest(ListState<Long> state) throws Exception {
        Long max = null;
        for (long v : state.get()) {
            max = max == null || Long.compareUnsigned(v, max) > 0 ? v : max;
        }
        return max;
    }

    private static long orZero(Long v) {
        return v == null ? 0 : v;
    }

    private static boolean any(KeyedStateBackend<?> keyed, ValueStateDescriptor<?> state) {
        try (var keys = keyed.getKeys(state.getName(), VoidNamespace.INSTANCE)) {
            return keys.findAny().isPresent();
        }
    }

    void snapshot() throws Exception {
        newestLsnState.update(List.of(newestLsn));
        fillHorizonState.update(List.of(fillHorizon));
        truncatedAtState.update(List.of(truncatedAt));
    }

    /** A streamed change of the current id at {@code lsn} in transaction {@code txId} (-1 when unknown). */
    Verdict admit(long lsn, long txId) throws Exception {
        if (Long.compareUnsigned(lsn, newestLsn) > 0 && Long.compareUnsigned(lsn, fillHorizon) > 0) {
            // after every LSN in the state, so after this id's, and after every fill row's horizon
            read = false;
            next = new IdVersion(lsn, txId, null);
            stamp = lsn;
            return Verdict.APPLY;
        }
        IdVersion v = read();
        if (v.stale(lsn)) {
            return Verdict.STALE;
        }
        next = v.changed(lsn, txId);
        stamp = v.stamp(lsn);
        if (!v.underFill(lsn)) {
            return Verdict.APPLY;
        }
        if (txId < 0) {
            return Verdict.UNORDERABLE;
        }
        return v.fill().sees(txId) ? Verdict.IN_FILL : Verdict.APPLY;
    }

    /** A fill row of the current id read in {@code snapshot}. */
    Verdict admitFill(Snapshot snapshot) throws Exception {
        if (Long.compareUnsigned(snapshot.horizon(), truncatedAt) <= 0) {
            // read before the TRUNCATE took its lock, so before the TRUNCATE: the row is gone
            return Verdict.FILL_STALE;
        }
        IdVersion v = read();
        if (v.fillRowStale(snapshot)) {
            return Verdict.FILL_STALE;
        }
        next = v.filled(snapshot);
        stamp = next.fill().horizon();
        return Verdict.APPLY;
    }

    private IdVersion read() throws Exception {
        IdVersion v = version.value();
        if (v == null && legacy) {
            Long old = latestLsn.value();
            v = old == null ? null : new IdVersion(old, -1, null);
        }
        current = v == null ? new IdVersion(0, -1, null) : v;
        read = true;
        return current;
    }

    /** The stamp of the admitted event's document: its {@code __source_lsn}. */
    long stamp() {
        return stamp;
    }

    /** The fill snapshot the current id remembers, as the last decision read it (null when none or not read). */
    Snapshot fill() {
        return read ? current.fill() : null;
    }

    /** Whether the current id, its event just admitted, is known to have no document. */
    boolean knownAbsent() throws Exception {
        IdVersion v = read ? current : read();
        if (v.lsn() == 0 || !v.unfilled()) {
            return false; // nothing known, or a fill row may have written a document since
        }
        Long absent = absentAt.value();
        return absent != null && absent == v.lsn() && Long.compareUnsigned(absent, distrustedUpTo) > 0;
    }

    /** The admitted event is applied (its write buffered, its skip or failure recorded) or, {@link Verdict#IN_FILL}, reflected. */
    void applied() throws Exception {
        version.update(next);
        if (Long.compareUnsigned(next.lsn(), newestLsn) > 0) {
            newestLsn = next.lsn();
        }
        if (next.fill() != null && Long.compareUnsigned(next.fill().horizon(), fillHorizon) > 0) {
            fillHorizon = next.fill().horizon();
        }
    }

    /**
     * The admitted event was a delete of an id {@link #knownAbsent}: it stays so, nothing is sent. After a fill row's
     * the id remembers the row's snapshot, so it is no longer known absent (a conservative loss: one delete more).
     */
    void skippedDelete() throws Exception {
        applied();
        if (next.unfilled()) {
            absentAt.update(next.lsn());
        }
    }

    /**
     * turbopuffer acknowledged the delete of the current id by the change at {@code lsn}: the id has no document, as
     * long as no later change of it was applied ({@link #knownAbsent} compares with the latest LSN) and no fill row.
     */
    void deleted(long lsn) throws Exception {
        absentAt.update(lsn);
    }

    /** A TRUNCATE at {@code lsn} was applied: a fill row read before it is stale. */
    void truncated(long lsn) {
        if (Long.compareUnsigned(lsn, truncatedAt) > 0) {
            truncatedAt = lsn;
        }
    }
}
