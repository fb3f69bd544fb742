package io.puffgres.event;

import java.util.Arrays;

/**
 * A Postgres MVCC snapshot as {@code pg_current_snapshot()} shows it, with the WAL position read after it was taken:
 * what a fill read saw. A fill row is ordered against streamed changes by asking the snapshot whether it {@link
 * #sees} each change's transaction (see docs/job.md, "Filling a namespace"). Immutable.
 *
 * @param xmin the oldest transaction still running when the snapshot was taken (64-bit, with epoch)
 * @param xmax one past the newest transaction that had started
 * @param running the transactions between them that were still running (sorted, 64-bit)
 * @param horizon {@code pg_current_wal_insert_lsn()} read after the snapshot was taken: every transaction the
 *     snapshot sees committed below it
 */
public record Snapshot(long xmin, long xmax, long[] running, long horizon) {

    public Snapshot {
        if (Long.compareUnsigned(xmin, xmax) > 0) {
            throw new IllegalArgumentException("snapshot xmin " + xmin + " is after xmax " + xmax);
        }
        running = running.clone();
        Arrays.sort(running);
    }

    /** Parses {@code pg_snapshot} text, {@code xmin:xmax:xip,xip,…}, e.g. {@code 750:754:750,752}. */
    public static Snapshot parse(String text, long horizon) {
        String[] parts = text.split(":", -1);
        if (parts.length != 3) {
            throw new IllegalArgumentException("not a pg_snapshot: " + text);
        }
        long[] running = parts[2].isEmpty()
                ? new long[0]
                : Arrays.stream(parts[2].split(",")).mapToLong(Long::parseLong).toArray();
        return new Snapshot(Long.parseLong(parts[0]), Long.parseLong(parts[1]), running, horizon);
    }

    /**
     * Whether a transaction that committed is visible in this snapshot: Postgres's own rule (before xmin, or before
     * xmax and not running). {@code xid} may be a 32-bit transaction id as logical decoding reports it: it is read
     * as the 64-bit id nearest to {@link #xmax} (transactions this close to a snapshot are never 2³¹ apart).
     */
    public boolean sees(long xid) {
        long full = widen(xid);
        if (Long.compareUnsigned(full, xmin) < 0) {
            return true;
        }
        return Long.compareUnsigned(full, xmax) < 0 && Arrays.binarySearch(running, full) < 0;
    }

    /**
     * Whether this snapshot sees every transaction {@code other} sees. Snapshots of one server are nested: a transaction
     * visible to one is visible to every snapshot taken after it. So this is whether this one was taken at or after
     * {@code other}: a later xmax (a transaction started in between), or the same xmax and no more transactions
     * running (between the two, some may only have finished).
     */
    public boolean seesAllOf(Snapshot other) {
        int byXmax = Long.compareUnsigned(xmax, other.xmax);
        return byXmax > 0 || (byXmax == 0 && running.length <= other.running.length);
    }

    /**
     * {@code xid} as a 64-bit id: as is when it has an epoch, else the one with these low 32 bits nearest xmax (a
     * negative value is a 32-bit id read as a signed int).
     */
    long widen(long xid) {
        if (xid < 0 && xid >= Integer.MIN_VALUE) {
            xid &= 0xFFFFFFFFL; // a 32-bit id that went through a signed int
        }
        if ((xid >>> 32) != 0) {
            return xid;
        }
        int delta = (int) xid - (int) xmax; // signed distance on the 32-bit circle
        return xmax + delta;
    }

    /** The text form, {@code xmin:xmax:xip,…@horizon}, for logs and the DLQ. */
    @Override
    public String toString() {
        StringBuilder b =
                new StringBuilder().append(xmin).append(':').append(xmax).append(':');
        for (int i = 0; i < running.length; i++) {
            b.append(i == 0 ? "" : ",").append(running[i]);
        }
        return b.append('@').append(RowEvent.lsnText(horizon)).toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Snapshot s
                && s.xmin == xmin
                && s.xmax == xmax
                && s.horizon == horizon
                && Arrays.equals(s.running, running);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(xmin) * 31 + Long.hashCode(xmax) * 17 + Arrays.hashCode(running) + Long.hashCode(horizon);
    }

    @Override
    public long[] running() {
        return running.clone();
    }
}
