package io.puffgres.poll;

import io.puffgres.event.RowEvent;
import io.puffgres.stream.JobSpec;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import org.apache.flink.connector.base.source.reader.synchronization.FutureCompletingBlockingQueue;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The poll source's two threads. The reading thread, at its start, moves the job's slot to the restored position (when
 * the slot is behind it), replaces the reading slot with a fresh copy of the job's slot, and then polls the reading slot
 * with {@code pg_logical_slot_get_changes} in batches: each poll is one statement, its rows fetched {@link #FETCH_ROWS}
 * at a time. The decoding thread turns them into changes ({@link Wal2JsonDecoder}), so that Postgres decodes the next
 * poll while this one is parsed. Both hand on through bounded queues ({@link Batch}es for the task), so a transaction
 * of any size passes in bounded memory.
 * No transaction stays open between polls, and no session state is used (the connection prepares no statements on the
 * server), so a transaction-mode pooler may sit between.
 *
 * <p>The reading slot moves as it is read; the job's slot moves only when a checkpoint completes ({@link
 * SlotAdvancer}). After a failure the reader's task restarts from its checkpoint and this starts again with a new
 * copy, so nothing the reading slot passed is lost.
 */
final class SlotPoller {

    private static final Logger LOG = LoggerFactory.getLogger(SlotPoller.class);

    /** Batches of rows read and not yet decoded, at most. */
    static final int RAW_BATCHES = 2;
    /** Rows pgjdbc fetches at a time from a poll's result. */
    static final int FETCH_ROWS = 1_000;
    /** Rows a batch holds at most. */
    static final int BATCH_CHANGES = 1_000;
    /** How many times {@code poll_batch_size} a poll asks for at most while polls keep coming back full. */
    static final int MAX_GROWTH = 32;
    /** wal2json text a batch holds at most (characters), so large rows make smaller batches. */
    static final long BATCH_CHARS = 8L << 20;

    /**
     * Changes read and handed on together.
     *
     * @param events the changes, in the order of the slot
     * @param position where the job's slot may move once every change of this and every earlier batch is emitted (0:
     *     the batch ends inside a transaction, so nowhere new)
     */
    record Batch(List<RowEvent> events, long position) {}

    private final JobSpec spec;
    private final PollSettings settings;
    private final long start;
    private final FutureCompletingBlockingQueue<Batch> queue;
    private final PollFigures figures;

    private volatile boolean stopped;
    private volatile Throwable failure;
    /** Rows read and not yet decoded, in the order of the slot. */
    private final BlockingQueue<Rows> rows = new ArrayBlockingQueue<>(RAW_BATCHES);

    private volatile Thread reading;
    private volatile Thread decoding;
    private volatile Thread leasing;
    private volatile Connection connection;
    /** This start's claim on the slot's {@link PollLease}. */
    private final String attempt = java.util.UUID.randomUUID().toString();

    /**
     * Rows of the slot as the reading thread hands them to the decoding thread.
     *
     * @param position as {@link Batch#position}
     */
    private record Rows(long[] lsns, String[] data, int count, long position) {}

    /**
     * @param start the restored position (0: none, the job's slot's own)
     */
    SlotPoller(
            JobSpec spec,
            PollSettings settings,
            long start,
            FutureCompletingBlockingQueue<Batch> queue,
            PollFigures figures) {
        this.spec = spec;
        this.settings = settings;
        this.start = start;
        this.queue = queue;
        this.figures = figures;
    }

    /** Why the thread ended, if it failed. */
    Optional<Throwable> failure() {
        return Optional.ofNullable(failure);
    }

    /** Starts the reading and the decoding thread, named after {@code prefix}. */
    void start(String prefix) {
        Thread read = new Thread(this::read, prefix + " poll " + settings.readingSlot());
        Thread decode = new Thread(this::decode, prefix + " decode " + settings.readingSlot());
        Thread lease = new Thread(this::renewLease, prefix + " lease " + settings.slot());
        for (Thread t : new Thread[] {read, decode, lease}) {
            t.setDaemon(true);
        }
        reading = read;
        decoding = decode;
        leasing = lease;
        read.start();
        decode.start();
    }

    /**
     * Claims the slot's {@link PollLease} for this run once another run's lease is waited out ({@link
     * PollLease#waitOut}): taken over when it goes stale, given up (the source fails, naming the other run) when it is
     * renewed.
     */
    private void claimLease(Connection c) throws SQLException, InterruptedException {
        String schema = spec.stateSchema();
        PollLease.ensure(c, schema);
        Optional<PollLease.Holder> other = PollLease.waitOut(
                c,
                settings.slot(),
                settings.run(),
                h -> LOG.warn(
                        "slot {} was polled by another run ({}) {} ms ago: waiting up to {} s for it to stop",
                        settings.slot(),
                        h.host(),
                        h.ageMs(),
                        PollLease.STALE.toSeconds()));
        if (other.filter(PollLease.Holder::live).isPresent()) {
            throw new IllegalStateException(
                    PollLease.heldMessage(settings.slot(), other.get()) + "; " + PollLease.HELD_FIX);
        }
        PollLease.claim(c, schema, settings.slot(), settings.run(), attempt, host());
        leasing.start();
    }

    /**
     * The lease thread: renews the lease every {@link PollLease#RENEW} on a connection of its own (a long poll does not
     * hold it up); fails the source when another run took the slot over; gives the lease up at the stop.
     */
    private void renewLease() {
        Connection c = null;
        try {
            while (!stopped) {
                Thread.sleep(PollLease.RENEW.toMillis());
                try {
                    if (c == null) {
                        c = spec.connect();
                    }
                    Optional<PollLease.Holder> other = PollLease.other(c, settings.slot(), settings.run());
                    java.util.OptionalLong claimed =
                            PollLease.renew(c, spec.stateSchema(), settings.slot(), settings.run());
                    // two runs that claimed the slot at once (each before it saw the other): the earlier claim polls
                    // on, the later one stops
                    Optional<PollLease.Holder> before =
                            other.filter(h -> h.live() && (claimed.isEmpty() || h.claimedMs() > claimed.getAsLong()));
                    if (claimed.isEmpty() || before.isPresent()) {
                        fail(new IllegalStateException(before.map(h -> PollLease.heldMessage(settings.slot(), h))
                                        .orElse("slot " + settings.slot() + " was taken over by another puffgres run")
                                + " (this run claimed it later, or had not renewed its lease for "
                                + PollLease.STALE.toSeconds() + " s); " + PollLease.HELD_FIX));
                        return;
                    }
                } catch (SQLException e) {
                    LOG.warn(
                            "cannot renew the poll lease of slot {} (trying again): {}",
                            settings.slot(),
                            e.getMessage());
                    close(c);
                    c = null;
                }
            }
        } catch (InterruptedException e) {
            // the stop
        } finally {
            if (stopped) {
                release(c);
            }
            close(c);
        }
    }

    /** Where this runs, for the other run's messages: the host name and the process. */
    private static String host() {
        String name;
        try {
            name = java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            name = "an unnamed host";
        }
        return name + " pid " + ProcessHandle.current().pid();
    }

    private void release(Connection c) {
        try (Connection own = c == null ? spec.connect() : null) {
            PollLease.release(c == null ? own : c, spec.stateSchema(), settings.slot(), attempt);
        } catch (SQLException e) {
            LOG.warn(
                    "cannot give up the poll lease of slot {}; the next run waits up to {} s for it: {}",
                    settings.slot(),
                    PollLease.STALE.toSeconds(),
                    e.getMessage());
        }
    }

    private static void close(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException e) {
                LOG.debug("closing the lease connection failed", e);
            }
        }
    }

    private void read() {
        try (Connection c = spec.connect()) {
            connection = c;
            c.unwrap(PGConnection.class).setPrepareThreshold(0); // no server-side prepared statements (poolers)
            setUp(c);
            c.setAutoCommit(false); // a cursor streams a poll's rows; each poll commits
            Object[] options = Wal2JsonDecoder.options(settings.tables()).toArray();
            long wait = settings.intervalMs();
            int ask = settings.batchSize();
            while (!stopped) {
                Polled polled = poll(c, ask, options);
                if (polled.rows() >= ask) {
                    // more waits: ask for twice as much, since each poll decodes again the WAL from the reading slot's
                    // restart position, which moves only every few seconds (running-transaction records)
                    ask = (int) Math.min((long) ask * 2, (long) settings.batchSize() * MAX_GROWTH);
                    wait = settings.intervalMs();
                    figures.waitMs = 0;
                    continue;
                }
                ask = settings.batchSize();
                // a poll of only empty transactions (of other tables, the poll lease's renewals) backs off too
                if (polled.changes() > 0) {
                    wait = settings.intervalMs();
                } else {
                    figures.empty.inc();
                }
                figures.waitMs = wait;
                Thread.sleep(wait);
                if (polled.changes() == 0) {
                    wait = Math.min(wait * 2, settings.maxIntervalMs());
                }
            }
        } catch (Throwable t) {
            if (!stopped) {
                fail(t);
            }
        }
    }

    private void decode() {
        try (Connection catalog = spec.connect()) {
            catalog.unwrap(PGConnection.class).setPrepareThreshold(0);
            // the columns of each table, for unchanged TOAST values and keys
            Wal2JsonDecoder decoder =
                    new Wal2JsonDecoder(new CatalogColumns(() -> catalog, Set.copyOf(settings.tables())));
            while (!stopped) {
                Rows read = rows.take();
                List<RowEvent> events = new ArrayList<>(read.count());
                for (int i = 0; i < read.count(); i++) {
                    RowEvent event = decoder.decode(read.lsns()[i], read.data()[i]);
                    if (event != null) {
                        events.add(event);
                        RowEvent second = decoder.pending(); // an UPDATE of the key: the INSERT after the DELETE
                        if (second != null) {
                            events.add(second);
                        }
                    }
                }
                while (!queue.put(0, new Batch(events, read.position()))) {
                    if (stopped) {
                        return;
                    }
                }
            }
        } catch (Throwable t) {
            if (!stopped) {
                fail(t);
            }
        }
    }

    private void fail(Throwable t) {
        failure = t;
        queue.notifyAvailable(); // wakes the task, which reports it
    }

    /** Ends the thread: the current statement is cancelled, a wait or a full queue given up. */
    void stop() {
        stopped = true;
        queue.wakeUpPuttingThread(0);
        for (Thread t : new Thread[] {reading, decoding, leasing}) {
            if (t != null) {
                t.interrupt();
            }
        }
        Connection c = connection;
        if (c != null) {
            try {
                c.unwrap(PGConnection.class).cancelQuery(); // a poll in progress ends now, not when it is read
            } catch (SQLException e) {
                LOG.debug("cancelling the poll in progress failed", e);
            }
        }
    }

    private void setUp(Connection c) throws SQLException, InterruptedException {
        claimLease(c);
        String slot = settings.slot();
        SlotCalls.Slot job = SlotCalls.find(c, slot)
                .orElseThrow(() -> new IllegalStateException("replication slot " + slot + " does not exist (dropped"
                        + " while the job ran?); start puffgres run again, with --create-slot for a new one"));
        if (!"wal2json".equals(job.plugin())) {
            throw new IllegalStateException("replication slot " + slot + " uses " + job.plugin() + "; poll mode reads"
                    + " wal2json: run with --slot NAME --create-slot for a new slot");
        }
        long confirmed = job.confirmed();
        if (Long.compareUnsigned(start, confirmed) > 0) {
            confirmed = SlotCalls.advance(c, slot, start);
        } else if (start != 0 && start != confirmed) {
            LOG.warn(
                    "the restored checkpoint reached {} of slot {}, which is at {} already: changes in between are"
                            + " not read again",
                    RowEvent.lsnText(start),
                    slot,
                    RowEvent.lsnText(confirmed));
        }
        figures.confirmedLsn = confirmed;
        figures.readLsn = confirmed;
        SlotCalls.dropIfExists(c, settings.readingSlot());
        SlotCalls.copy(c, slot, settings.readingSlot());
        LOG.info(
                "polling slot {} from {} through its copy {}, up to {} rows a poll",
                slot,
                RowEvent.lsnText(confirmed),
                settings.readingSlot(),
                settings.batchSize());
    }

    /**
     * The settings wal2json's text depends on, for the poll's transaction only (a pooler may hand the connection's
     * server session to others between polls): ISO dates, Postgres's interval style, money in the C locale, floats
     * exact.
     */
    private static final String POLL_SETTINGS = "SET LOCAL DateStyle = 'ISO, MDY'; SET LOCAL IntervalStyle ="
            + " 'postgres'; SET LOCAL lc_monetary = 'C'; SET LOCAL extra_float_digits = 3";

    /** One poll: its rows handed to the decoding thread; @return the rows the slot returned */
    /** What one poll returned: rows of the slot (begins and commits included) and changes among them. */
    private record Polled(long rows, long changes) {}

    private Polled poll(Connection c, int ask, Object[] options) throws SQLException, InterruptedException {
        long returned = 0;
        long changes = 0;
        long[] lsns = new long[BATCH_CHANGES];
        String[] data = new String[BATCH_CHANGES];
        int count = 0;
        long chars = 0;
        long position = 0;
        try (Statement set = c.createStatement();
                PreparedStatement ps = c.prepareStatement(
                        "SELECT (lsn - '0/0')::bigint, data FROM pg_logical_slot_get_changes(?, NULL, ?, VARIADIC ?)")) {
            set.execute(POLL_SETTINGS);
            ps.setString(1, settings.readingSlot());
            ps.setInt(2, ask);
            ps.setArray(3, c.createArrayOf("text", options));
            ps.setFetchSize(FETCH_ROWS);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    returned++;
                    long lsn = rs.getLong(1);
                    String row = rs.getString(2);
                    if (Wal2JsonDecoder.isCommit(row)) {
                        position = lsn; // the end of the commit: every change up to it is in hand
                    } else if (!row.startsWith(BEGIN)) {
                        changes++;
                    }
                    lsns[count] = lsn;
                    data[count++] = row;
                    chars += row.length();
                    if (count == BATCH_CHANGES || chars >= BATCH_CHARS) {
                        rows.put(new Rows(lsns, data, count, position));
                        lsns = new long[BATCH_CHANGES];
                        data = new String[BATCH_CHANGES];
                        count = 0;
                        chars = 0;
                        position = 0;
                    }
                }
            }
            // how far the reading slot read: past every transaction it returned and any WAL without changes for us
            try (PreparedStatement read = c.prepareStatement("SELECT (confirmed_flush_lsn - '0/0')::bigint FROM"
                    + " pg_replication_slots WHERE slot_name = ?")) {
                read.setString(1, settings.readingSlot());
                try (ResultSet rs = read.executeQuery()) {
                    if (rs.next()) {
                        long through = rs.getLong(1);
                        if (Long.compareUnsigned(through, position) > 0) {
                            position = through;
                        }
                        figures.readLsn = through;
                    }
                }
            }
            c.commit();
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        }
        if (count > 0 || position != 0) {
            rows.put(new Rows(lsns, data, count, position));
        }
        figures.polls.inc();
        figures.rows = changes;
        figures.lastTime = System.currentTimeMillis();
        return new Polled(returned, changes);
    }

    private static final String BEGIN = "{\"action\":\"B\"";
}
