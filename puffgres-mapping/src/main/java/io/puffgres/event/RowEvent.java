package io.puffgres.event;

import java.time.Instant;
import java.util.Objects;
import java.util.Set;

/**
 * One change of one row, as every source delivers it (Flink CDC, the wal2json poll source, backfill).
 *
 * @param op the change
 * @param relation the table the change happened in
 * @param before the old row image (UPDATE with a full or id-covering replica identity, DELETE); else null
 * @param after the new row image (READ, INSERT, UPDATE); else null
 * @param lsn WAL position of the change (of the snapshot for READ), as an unsigned 64-bit number
 * @param txId the transaction id, or -1 when unknown
 * @param commitTime the commit time of the transaction (the snapshot time for READ)
 */
public record RowEvent(Op op, RelationId relation, Row before, Row after, long lsn, long txId, Instant commitTime) {

    public RowEvent {
        Objects.requireNonNull(op, "op");
        Objects.requireNonNull(relation, "relation");
        Objects.requireNonNull(commitTime, "commitTime");
        if ((op == Op.READ || op == Op.INSERT || op == Op.UPDATE) && after == null) {
            throw new IllegalArgumentException(op + " event needs an after image");
        }
    }

    /** The LSN in Postgres notation, e.g. {@code 0/16B3748}. */
    public String lsnText() {
        return lsnText(lsn);
    }

    /** {@code lsn} in Postgres notation, e.g. {@code 0/16B3748}. */
    public static String lsnText(long lsn) {
        return Long.toHexString(lsn >>> 32).toUpperCase() + "/"
                + Long.toHexString(lsn & 0xFFFFFFFFL).toUpperCase();
    }

    /** This change with another LSN (snapshot rows get theirs after reading). */
    public RowEvent withLsn(long newLsn) {
        return new RowEvent(op, relation, before, after, newLsn, txId, commitTime);
    }

    /** This change with only the columns in {@code keep} in its row images ({@link Row#only}). */
    public RowEvent only(Set<String> keep) {
        Row b = before == null ? null : before.only(keep);
        Row a = after == null ? null : after.only(keep);
        return b == before && a == after ? this : new RowEvent(op, relation, b, a, lsn, txId, commitTime);
    }

    /** This change with another new-row image (a lookup filled or replaced it). */
    public RowEvent withAfter(Row newAfter) {
        return new RowEvent(op, relation, before, newAfter, lsn, txId, commitTime);
    }
}
