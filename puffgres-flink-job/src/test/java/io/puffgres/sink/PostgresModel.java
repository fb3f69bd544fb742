package io.puffgres.sink;

import static io.puffgres.sink.WriterHarness.ITEMS;
import static io.puffgres.sink.WriterHarness.item;

import io.puffgres.event.Op;
import io.puffgres.event.Row;
import io.puffgres.event.RowEvent;
import io.puffgres.event.Snapshot;
import io.puffgres.pipeline.MappedEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * A table {@code items(id, title, status)} as Postgres runs it, for the model test of fills against the stream:
 * transactions that take row locks, write at increasing WAL positions, write their commit record and only later become
 * visible (then release their locks); snapshots as {@code pg_current_snapshot()} gives them, with the insert position
 * read after; reads in a snapshot (an empty table when a TRUNCATE came between, which is not MVCC-safe), of a chunk's
 * rows or of a sweep page's ids without a member row; TRUNCATE once no transaction holds a lock. What it records: the
 * stream (every committed change in commit-record order, as the writer's routed events) and each fill read's rows.
 * Not thread-safe.
 */
final class PostgresModel {

    private static final Instant TIME = Instant.ofEpochMilli(1_700_000_000_000L);

    /** A committed value of a row; {@code row} null when the row is gone. */
    private record Version(long xid, Row row) {}

    /** One write of a transaction: {@code row} null for a DELETE. */
    private record Write(long id, Row row, long lsn, boolean moved) {}

    private static final class Tx {
        final long xid;
        final List<Write> writes = new ArrayList<>();
        boolean commitWritten;

        Tx(long xid) {
            this.xid = xid;
        }
    }

    /** A snapshot taken, its chunk of ids (or sweep page, {@code sweep}) not read yet. */
    private record PendingRead(
            Snapshot snapshot, long from, long to, int truncations, boolean sweep, int taken, boolean again) {}

    /**
     * A fill's read of the ids {@code from..to}: the rows it found (a sweep: the absent events of the ids without a
     * member row), once the stream held {@code streamed} changes, in a snapshot taken when it held {@code taken};
     * {@code again}: a chunk read again by a run after a restart.
     */
    record Read(long from, long to, boolean sweep, List<MappedEvent> rows, int streamed, int taken, boolean again) {}

    final List<MappedEvent> stream = new ArrayList<>();
    /** The reads, in the order they were read. */
    final List<Read> reads = new ArrayList<>();

    private final Random random;
    private final int ids;
    private final boolean pushDown;
    private final Map<Long, List<Version>> committed = new HashMap<>();
    private final Map<Long, Tx> running = new LinkedHashMap<>();
    private final Map<Long, Long> locks = new HashMap<>();
    private final List<PendingRead> pending = new ArrayList<>();
    private long nextXid = 1000;
    private long wal = 10_000;
    private int truncations;

    /** Ids 1..{@code ids}, some present from before the stream began; {@code pushDown}: reads leave non-members out. */
    PostgresModel(Random random, int ids, boolean pushDown) {
        this.random = random;
        this.ids = ids;
        this.pushDown = pushDown;
        for (long id = 1; id <= ids; id++) {
            if (random.nextInt(10) < 7) {
                committed.put(id, new ArrayList<>(List.of(new Version(1, item(id, "initial " + id, status())))));
            }
        }
    }

    private String status() {
        return random.nextInt(3) == 0 ? "off" : "on";
    }

    /** One random step of the workload; a fill's chunks are read by {@link #snapshot} and {@link #readOne}. */
    void step() {
        List<Tx> open = running.values().stream().filter(t -> !t.commitWritten).toList();
        List<Tx> committing =
                running.values().stream().filter(t -> t.commitWritten).toList();
        int choice = random.nextInt(100);
        Tx any = open.isEmpty() ? null : open.get(random.nextInt(open.size()));
        if (choice < 15) {
            if (open.size() < 4) {
                running.put(nextXid, new Tx(nextXid++));
            }
        } else if (choice < 60) {
            if (any != null) {
                write(any);
            }
        } else if (choice < 72) {
            if (any != null) {
                writeCommitRecord(any);
            }
        } else if (choice < 86) {
            if (!committing.isEmpty()) {
                becomeVisible(committing.get(random.nextInt(committing.size())));
            }
        } else if (choice < 89) {
            if (any != null) {
                abort(any);
            }
        } else if (choice < 93 && running.isEmpty()) {
            truncate(); // it waits for every transaction that holds a lock on the table
        }
    }

    private Row current(Tx tx, long id) {
        for (int i = tx.writes.size() - 1; i >= 0; i--) {
            if (tx.writes.get(i).id() == id) {
                return tx.writes.get(i).row();
            }
        }
        List<Version> versions = committed.get(id);
        return versions == null ? null : versions.get(versions.size() - 1).row();
    }

    private boolean lockable(Tx tx, long id) {
        Long holder = locks.get(id);
        return holder == null || holder == tx.xid;
    }

    private void write(Tx tx) {
        long id = 1 + random.nextInt(ids);
        if (!lockable(tx, id)) {
            return; // it would wait for the lock
        }
        locks.put(id, tx.xid);
        long lsn = wal += 1 + random.nextInt(3);
        Row now = current(tx, id);
        if (now != null && random.nextInt(4) == 0) {
            tx.writes.add(new Write(id, null, lsn, false));
            return;
        }
        if (now != null && random.nextInt(6) == 0) { // an UPDATE of the id: the old one deleted, a new one written
            long to = 1 + random.nextInt(ids);
            if (to != id && lockable(tx, to) && current(tx, to) == null) {
                locks.put(to, tx.xid);
                tx.writes.add(new Write(id, null, lsn, true));
                tx.writes.add(new Write(to, item(to, "tx " + tx.xid + " at " + lsn, status()), lsn, true));
                return;
            }
        }
        tx.writes.add(new Write(id, item(id, "tx " + tx.xid + " at " + lsn, status()), lsn, false));
    }

    private void writeCommitRecord(Tx tx) {
        wal += 1;
        for (Write w : tx.writes) {
            Row before = Row.builder().put("id", "int8", w.id()).build();
            RowEvent event = w.row() == null
                    ? new RowEvent(Op.DELETE, ITEMS, before, null, w.lsn(), tx.xid, TIME)
                    : new RowEvent(w.moved() ? Op.UPDATE : Op.INSERT, ITEMS, null, w.row(), w.lsn(), tx.xid, TIME);
            MappedEvent.Kind kind = w.row() == null ? MappedEvent.Kind.DELETE : MappedEvent.Kind.CHANGE;
            stream.add(new MappedEvent(Long.toString(w.id()), kind, event));
        }
        tx.commitWritten = true;
    }

    /** Visible, then its locks released: so a writer after it in the lock's order commits after it is visible. */
    private void becomeVisible(Tx tx) {
        for (Write w : tx.writes) {
            committed.computeIfAbsent(w.id(), i -> new ArrayList<>()).add(new Version(tx.xid, w.row()));
        }
        end(tx);
    }

    private void abort(Tx tx) {
        end(tx);
    }

    private void end(Tx tx) {
        running.remove(tx.xid);
        locks.values().removeIf(x -> x == tx.xid);
    }

    /** Ends every transaction (most commit), then truncates the table. */
    void endTransactionsAndTruncate() {
        endTransactions();
        truncate();
    }

    private void truncate() {
        long xid = nextXid++;
        long lsn = wal += 1;
        wal += 1;
        committed.forEach((id, versions) -> versions.add(new Version(xid, null)));
        stream.add(new MappedEvent(
                "truncate", MappedEvent.Kind.TRUNCATE, new RowEvent(Op.TRUNCATE, ITEMS, null, null, lsn, xid, TIME)));
        truncations++;
    }

    /** Takes a snapshot for the chunk of ids {@code from..to}, to be read later ({@link #readOne}). */
    void snapshot(long from, long to) {
        pending.add(new PendingRead(snapshotNow(), from, to, truncations, false, stream.size(), false));
    }

    /** As {@link #snapshot}, for the same chunk read again by a run after a restart ({@link Read#again}). */
    void snapshotAgain(long from, long to) {
        pending.add(new PendingRead(snapshotNow(), from, to, truncations, false, stream.size(), true));
    }

    /** Takes a snapshot for a sweep page of ids {@code from..to}, to be read later ({@link #readOne}). */
    void sweep(long from, long to) {
        pending.add(new PendingRead(snapshotNow(), from, to, truncations, true, stream.size(), false));
    }

    /** {@code pg_current_snapshot()} now, with {@code pg_current_wal_insert_lsn()} read after it. */
    private Snapshot snapshotNow() {
        long[] xids = running.keySet().stream().mapToLong(Long::longValue).toArray();
        long xmin = running.keySet().stream().mapToLong(Long::longValue).min().orElse(nextXid);
        return new Snapshot(xmin, nextXid, xids, wal + 1);
    }

    /** Whether a snapshot waits to be read. */
    boolean readsPending() {
        return !pending.isEmpty();
    }

    /** Reads one chunk whose snapshot was taken, picked at random. */
    void readOne() {
        PendingRead read = pending.remove(random.nextInt(pending.size()));
        // a TRUNCATE between the snapshot and the read: the table reads empty
        boolean empty = read.truncations() != truncations;
        List<MappedEvent> rows = read(read.snapshot(), read.from(), read.to(), read.sweep(), empty);
        reads.add(new Read(read.from(), read.to(), read.sweep(), rows, stream.size(), read.taken(), read.again()));
    }

    /**
     * The rows of ids {@code from..to} (or a sweep's absent events) in a snapshot taken and read now (a chunk read
     * again after a restart).
     */
    List<MappedEvent> readNow(long from, long to, boolean sweep) {
        return read(snapshotNow(), from, to, sweep, false);
    }

    /**
     * A chunk's rows as {@code s} sees them, or for a sweep page an absent event of each id without a member row
     * ({@code empty}: the table reads empty).
     */
    private List<MappedEvent> read(Snapshot s, long from, long to, boolean sweep, boolean empty) {
        List<MappedEvent> rows = new ArrayList<>();
        for (long id = from; id <= to; id++) {
            Row row = empty ? null : visible(id, s);
            boolean read = row != null && (!pushDown || "on".equals(row.get("status")));
            if (sweep && !read) {
                rows.add(WriterHarness.absent(id, s));
            } else if (!sweep && read) {
                rows.add(WriterHarness.filled(row, s));
            }
        }
        return rows;
    }

    /** The row {@code id} as {@code s} sees it: its newest committed value of a transaction {@code s} sees. */
    private Row visible(long id, Snapshot s) {
        Row row = null;
        boolean unseen = false;
        for (Version v : committed.getOrDefault(id, List.of())) {
            if (s.sees(v.xid())) {
                if (unseen) {
                    throw new IllegalStateException("the model broke row locking: id " + id + " in " + s);
                }
                row = v.row();
            } else {
                unseen = true;
            }
        }
        return row;
    }

    /** Ends every transaction (most commit) and reads every chunk still waiting. */
    void finish() {
        endTransactions();
        while (readsPending()) {
            readOne();
        }
    }

    private void endTransactions() {
        for (Tx tx : List.copyOf(running.values())) {
            if (!tx.commitWritten && random.nextInt(5) == 0) {
                abort(tx);
                continue;
            }
            if (!tx.commitWritten) {
                writeCommitRecord(tx);
            }
            becomeVisible(tx);
        }
    }

    /** The members at the end, by id: their titles. */
    Map<String, String> members() {
        Map<String, String> out = new TreeMap<>();
        committed.forEach((id, versions) -> {
            Row row = versions.get(versions.size() - 1).row();
            if (row != null && "on".equals(row.get("status"))) {
                out.put(Long.toString(id), (String) row.get("title"));
            }
        });
        return out;
    }
}
