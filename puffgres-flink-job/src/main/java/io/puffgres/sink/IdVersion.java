package io.puffgres.sink;

import io.puffgres.event.Snapshot;

/**
 * What a mapping writer remembers of one document id, in one keyed state value so that a streamed change in WAL order
 * costs RocksDB one write and no read (see {@link LsnGuard}). Immutable.
 *
 * @param lsn the WAL position of the latest change applied to the id, or reflected (dropped because a fill row held
 *     it); 0 when none was. Fill rows never move it: it is the stream's, for replays.
 * @param txId the transaction of that change; -1 when unknown (none, or state of a version that did not keep it)
 * @param fill the snapshot of the last fill row applied to the id, its horizon raised to every stamp written for the
 *     id since; null when none was, or once a change at or after its horizon was applied (no later change of the id
 *     can be one it sees)
 */
record IdVersion(long lsn, long txId, Snapshot fill) {

    /** Whether a change at {@code changeLsn} is at or before the latest one applied: a replay, to be dropped. */
    boolean stale(long changeLsn) {
        return lsn != 0 && Long.compareUnsigned(changeLsn, lsn) <= 0;
    }

    /**
     * Whether a fill row read in {@code s} is behind what the id already holds: the latest change applied or reflected
     * is one {@code s} does not see (the stream is ahead of the row), or the fill row applied last was read in a
     * snapshot that sees more than {@code s} (it holds newer). A row of a snapshot that sees the same is written again:
     * it holds the same, and turbopuffer may have lost what was written (a backfill of a namespace that drifted).
     */
    boolean fillRowStale(Snapshot s) {
        boolean streamAhead = txId >= 0
                ? !s.sees(txId)
                // no transaction known (state from before transaction ids were kept): every change s sees is below
                // its horizon
                : lsn != 0 && Long.compareUnsigned(lsn, s.horizon()) >= 0;
        return streamAhead || (fill != null && fill.seesAllOf(s) && !s.seesAllOf(fill));
    }

    /**
     * The id after a fill row read in {@code s} is applied, and the stamp its document carries: the horizon, raised to
     * the one of the fill row before if that is higher, so that turbopuffer's conditional upsert never refuses a write
     * of ours.
     */
    IdVersion filled(Snapshot s) {
        Snapshot kept = fill == null || Long.compareUnsigned(s.horizon(), fill.horizon()) >= 0
                ? s
                : new Snapshot(s.xmin(), s.xmax(), s.running(), fill.horizon());
        return new IdVersion(lsn, txId, kept);
    }

    /** Whether a change at {@code changeLsn} may be one that {@link #fill} sees (else it is after every such one). */
    boolean underFill(long changeLsn) {
        return fill != null && Long.compareUnsigned(changeLsn, fill.horizon()) < 0;
    }

    /**
     * The stamp of a change at {@code changeLsn} applied to the id: its LSN, or the fill's horizon when the change is
     * below it (a change the fill's snapshot did not see, written before the fill read the row and committed after).
     */
    long stamp(long changeLsn) {
        return underFill(changeLsn) ? fill.horizon() : changeLsn;
    }

    /** The id after the change at {@code changeLsn} of transaction {@code changeTx} is applied or reflected. */
    IdVersion changed(long changeLsn, long changeTx) {
        return new IdVersion(changeLsn, changeTx, underFill(changeLsn) ? fill : null);
    }

    /** Whether the id is free of fill rows: no fill row applied, or a change after it. */
    boolean unfilled() {
        return fill == null;
    }
}
