package io.puffgres.poll;

import io.puffgres.dlq.DlqTable;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Which run polls a slot: one row per slot in {@code <state schema>.poll_leases}, claimed by a run at its start and
 * renewed every {@link #RENEW} while it polls. Two runs polling one slot would each read part of the changes (each
 * poll consumes what it reads from the reading slot), so a run looks for another run's lease on its slot before it
 * touches the slot, in the lease table of every state schema of the database it may read (projects keep their state
 * in schemas of their own), and gives up when one turns up. A lease not renewed for {@link #STALE} is nobody's: the
 * run that held it is gone ({@code kill -9}, a lost host), and the next run takes the slot over after at most that
 * wait. Postgres's clock decides ({@code now()}), so the hosts' clocks do not matter. Plain statements in their own
 * transactions: behind a transaction-mode pooler too. Stateless.
 */
public final class PollLease {

    /** How often the polling run renews its lease. */
    public static final Duration RENEW = Duration.ofSeconds(2);

    /** How long a lease stays its run's without a renewal. */
    public static final Duration STALE = Duration.ofSeconds(10);

    private static final String TABLE = "poll_leases";

    /**
     * A run's lease on a slot.
     *
     * @param schema the state schema whose table holds it
     * @param run the run's id
     * @param host where it runs (for the messages)
     * @param ageMs milliseconds since its last renewal, by Postgres's clock
     * @param claimedMs milliseconds since its run claimed it
     */
    public record Holder(String schema, String run, String host, long ageMs, long claimedMs) {

        /** Whether its run may still be polling: renewed less than {@link #STALE} ago. */
        public boolean live() {
            return ageMs < STALE.toMillis();
        }
    }

    private PollLease() {}

    /** The lease table of the state schema {@code schema}. */
    static String table(String schema) {
        return schema + "." + TABLE;
    }

    /** Creates the table (and the schema) when missing. */
    static void ensure(Connection c, String schema) throws SQLException {
        DlqTable.createTable(
                c,
                schema,
                "CREATE TABLE IF NOT EXISTS " + table(schema) + " (slot text PRIMARY KEY, run text NOT NULL,"
                        + " attempt text NOT NULL, host text NOT NULL, claimed_at timestamptz NOT NULL DEFAULT now(),"
                        + " renewed_at timestamptz NOT NULL DEFAULT now())");
    }

    /**
     * The most recently renewed lease on {@code slot} of a run other than {@code run}, in any state schema's table the
     * role may read; empty when there is none.
     */
    public static Optional<Holder> other(Connection c, String slot, String run) throws SQLException {
        List<String> schemas = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT quote_ident(n.nspname) FROM pg_class t"
                + " JOIN pg_namespace n ON n.oid = t.relnamespace WHERE t.relname = ? AND t.relkind = 'r'"
                + " AND has_table_privilege(t.oid, 'SELECT') ORDER BY 1")) {
            ps.setString(1, TABLE);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    schemas.add(rs.getString(1));
                }
            }
        }
        if (schemas.isEmpty()) {
            return Optional.empty();
        }
        String union = schemas.stream()
                .map(schema -> "SELECT " + literal(schema) + " AS schema, run, host,"
                        + " (extract(epoch FROM now() - renewed_at) * 1000)::bigint AS age,"
                        + " (extract(epoch FROM now() - claimed_at) * 1000)::bigint AS claimed FROM " + table(schema)
                        + " WHERE slot = ? AND run <> ?")
                .collect(Collectors.joining(" UNION ALL "));
        try (PreparedStatement ps = c.prepareStatement(union + " ORDER BY age LIMIT 1")) {
            for (int i = 0; i < schemas.size(); i++) {
                ps.setString(2 * i + 1, slot);
                ps.setString(2 * i + 2, run);
            }
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next()
                        ? Optional.of(new Holder(
                                rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4), rs.getLong(5)))
                        : Optional.empty();
            }
        }
    }

    /**
     * Waits out another run's lease on {@code slot}: a live one is watched until it is renewed (its run polls) or goes
     * stale (its run ended without giving it up, such as a {@code kill -9}), at most {@link #STALE} + {@link #RENEW}.
     *
     * @param waiting told once, when there is a live lease to watch
     * @return the other run's lease as last seen: {@link Holder#live() live} when its run polls, stale when the slot
     *     may be taken over; empty when there is none
     */
    public static Optional<Holder> waitOut(Connection c, String slot, String run, Consumer<Holder> waiting)
            throws SQLException, InterruptedException {
        long deadline = System.nanoTime() + STALE.plus(RENEW).toNanos();
        Optional<Holder> held = other(c, slot, run);
        long age = Long.MAX_VALUE;
        while (held.isPresent() && held.get().live()) {
            boolean renewed = age != Long.MAX_VALUE && held.get().ageMs() < age - 200;
            if (renewed || System.nanoTime() > deadline) {
                return held;
            }
            if (age == Long.MAX_VALUE) {
                waiting.accept(held.get());
            }
            age = held.get().ageMs();
            Thread.sleep(500);
            held = other(c, slot, run);
        }
        return held;
    }

    private static String literal(String s) {
        return "'" + s.replace("'", "''") + "'";
    }

    /**
     * Takes {@code slot}'s lease in {@code schema}'s table for {@code run} (after {@link #other} found no live one).
     *
     * @param attempt this start of the source (a restart within the job is another), so that the stop of an earlier
     *     attempt does not give up the lease a later one holds
     */
    static void claim(Connection c, String schema, String slot, String run, String attempt, String host)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + table(schema) + " (slot, run, attempt, host)"
                + " VALUES (?, ?, ?, ?) ON CONFLICT (slot) DO UPDATE SET run = excluded.run,"
                + " attempt = excluded.attempt, host = excluded.host, claimed_at = now(), renewed_at = now()")) {
            ps.setString(1, slot);
            ps.setString(2, run);
            ps.setString(3, attempt);
            ps.setString(4, host);
            ps.executeUpdate();
        }
    }

    /**
     * Renews {@code run}'s lease on {@code slot}.
     *
     * @return milliseconds since {@code run} claimed it; empty when it is no longer {@code run}'s (another run of the
     *     same state schema took it)
     */
    static OptionalLong renew(Connection c, String schema, String slot, String run) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE " + table(schema) + " SET renewed_at = now()"
                + " WHERE slot = ? AND run = ? RETURNING (extract(epoch FROM now() - claimed_at) * 1000)::bigint")) {
            ps.setString(1, slot);
            ps.setString(2, run);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? OptionalLong.of(rs.getLong(1)) : OptionalLong.empty();
            }
        }
    }

    /**
     * Gives up the lease {@code attempt} claimed on {@code slot} (a stop: the next run need not wait for it to go
     * stale); nothing when a later attempt or another run holds it.
     */
    static void release(Connection c, String schema, String slot, String attempt) throws SQLException {
        try (PreparedStatement ps =
                c.prepareStatement("DELETE FROM " + table(schema) + " WHERE slot = ? AND attempt = ?")) {
            ps.setString(1, slot);
            ps.setString(2, attempt);
            ps.executeUpdate();
        }
    }

    /** Why {@code slot} cannot be polled while {@code holder} polls it. */
    public static String heldMessage(String slot, Holder holder) {
        return "slot " + slot + " is polled by another puffgres run (" + holder.host() + ", state schema "
                + holder.schema() + ", renewed " + holder.ageMs() + " ms ago): two runs polling one slot would each"
                + " get part of the changes";
    }

    /** What to do about {@link #heldMessage}. */
    public static final String HELD_FIX =
            "stop the other run (puffgres stop in its project), or give this project its own slot: --slot NAME (or"
                    + " [postgres] slot)";
}
