package io.puffgres.sink;

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
 * A mapping writer's per-id memory in Flink state, for the id of the change being processed (the keyed backend's
 * current key):
 *
 * <ul>
 *   <li><b>The LSN guard.</b> Keyed state holds the latest LSN applied per id (deletes included); a change at or
 *       before it is stale, so a replayed or older change never overwrites newer data. The subtask also keeps the
 *       newest LSN it has put in that state (in operator state, so it survives a restore): a change after it cannot
 *       be stale, so it is applied without reading its id's state. The stream comes in WAL order, so that is nearly
 *       every streamed change, and RocksDB is only written, not read, for them.
 *   <li><b>Known absence.</b> Keyed state also holds the LSN at which the id was last known to have no document: a
 *       delete of it acknowledged by turbopuffer, or a delete found needless. The id has none while that LSN is its
 *       latest one (any later change moves the latest LSN on, an upsert included); then a delete need not be sent.
 *       Unknown (never set, or state from a version without it) means the id may have a document. An absence
 *       restored from a checkpoint is not trusted either: the run before may have written the id after that
 *       checkpoint, and the source need not replay that change (Postgres streams from the slot's confirmed position,
 *       which pgjdbc 42.7.3 moves on keep-alives past the checkpoint's: pgjdbc #2941, DBZ-7533). Only a delete this
 *       run has seen acknowledged, or found needless after one, makes an id known to have no document.
 * </ul>
 *
 * Used on the task thread only.
 */
final class LsnGuard {

    private static final ValueStateDescriptor<Long> LATEST_LSN = new ValueStateDescriptor<>("latest-lsn", Types.LONG);

    private static final ValueStateDescriptor<Long> ABSENT_AT = new ValueStateDescriptor<>("absent-at", Types.LONG);

    /** Each subtask's {@link #newestLsn}; a restored subtask takes the largest (it may hold any subtask's ids). */
    private static final ListStateDescriptor<Long> NEWEST_LSN = new ListStateDescriptor<>("newest-lsn", Types.LONG);

    private ValueState<Long> latestLsn;
    private ValueState<Long> absentAt;
    private ListState<Long> newestLsnState;
    /** No id's LSN in {@link #latestLsn} is after this one (unsigned; -1, the largest, when that is not known). */
    private long newestLsn;

    /** Absences at or before this LSN (unsigned) came with a restored checkpoint and are not trusted; 0 when fresh. */
    private long distrustedUpTo;

    /** The current id's latest LSN as {@link #admit} read it, when {@link #previousRead}. */
    private Long previous;

    private boolean previousRead;

    void initialize(StateInitializationContext context, KeyedStateBackend<?> keyed) throws Exception {
        latestLsn = context.getKeyedStateStore().getState(LATEST_LSN);
        absentAt = context.getKeyedStateStore().getState(ABSENT_AT);
        newestLsnState = context.getOperatorStateStore().getUnionListState(NEWEST_LSN);
        boolean recorded = false;
        newestLsn = 0;
        for (long lsn : newestLsnState.get()) {
            recorded = true;
            if (Long.compareUnsigned(lsn, newestLsn) > 0) {
                newestLsn = lsn;
            }
        }
        if (!recorded && anyLatestLsn(keyed)) {
            newestLsn = -1; // restored from a checkpoint of a version that did not record it: read every id's state
        }
        // Every restored absence is at or before newestLsn. A checkpoint without newestLsn comes from a version that
        // kept no absences (newest-lsn state is older than absent-at), so there is nothing to distrust.
        distrustedUpTo = context.isRestored() && recorded ? newestLsn : 0;
    }

    private static boolean anyLatestLsn(KeyedStateBackend<?> keyed) {
        try (var keys = keyed.getKeys(LATEST_LSN.getName(), VoidNamespace.INSTANCE)) {
            return keys.findAny().isPresent();
        }
    }

    void snapshot() throws Exception {
        newestLsnState.update(List.of(newestLsn));
    }

    /**
     * Whether a change of the current id at {@code lsn} is newer than every change applied to it; a stale one is to be
     * dropped. Records nothing yet: {@link #applied} or {@link #skippedDelete} does, once the change's outcome is
     * known.
     */
    boolean admit(long lsn) throws Exception {
        if (Long.compareUnsigned(lsn, newestLsn) > 0) {
            newestLsn = lsn; // after every LSN in the state, so after this id's
            previousRead = false;
            return true;
        }
        previous = latestLsn.value();
        previousRead = true;
        return previous == null || Long.compareUnsigned(lsn, previous) > 0;
    }

    /** Whether the current id, just {@link #admit admitted}, is known to have no document. */
    boolean knownAbsent() throws Exception {
        Long latest = previousRead ? previous : latestLsn.value();
        if (latest == null) {
            return false;
        }
        Long absent = absentAt.value();
        return absent != null
                && absent.longValue() == latest.longValue()
                && Long.compareUnsigned(absent, distrustedUpTo) > 0;
    }

    /** The admitted change at {@code lsn} is applied (its write buffered, its skip or failure recorded). */
    void applied(long lsn) throws Exception {
        latestLsn.update(lsn);
    }

    /** The admitted change at {@code lsn} was a delete of an id {@link #knownAbsent}: it stays so, nothing is sent. */
    void skippedDelete(long lsn) throws Exception {
        latestLsn.update(lsn);
        absentAt.update(lsn);
    }

    /**
     * turbopuffer acknowledged the delete of the current id at {@code lsn}: the id has no document, as long as no
     * later change of it was applied ({@link #knownAbsent} compares with the latest LSN).
     */
    void deleted(long lsn) throws Exception {
        absentAt.update(lsn);
    }
}
