package io.puffgres.fill;

import io.puffgres.event.PgIdentifiers;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Plans a fill's chunks one at a time by keyset reads: the next chunk's upper bound is the key {@code chunkRows}
 * rows past its lower bound ({@code … WHERE key >= lower ORDER BY key OFFSET n LIMIT 1}, an index-only walk of the
 * key), so planning holds one key in memory, starts at once and can stop anywhere (its whole state is a {@link
 * PlanCursor}). Chunks are counted in table rows: the pushed-down predicate is applied when reading, not here. A fill
 * that sweeps plans, after the ranges, a page of the namespace's document ids per chunk ({@link NamespaceIds}).
 * Thread-safe (it holds nothing) without a sweep; each caller brings its connection.
 */
public final class ChunkPlanner {

    /** A planned chunk and the cursor after it. */
    public record Step(Chunk chunk, PlanCursor next) {}

    private final FillTable table;
    private final int chunkRows;
    private final NamespaceIds sweep;

    /** A planner of key ranges only. */
    public ChunkPlanner(FillTable table, int chunkRows) {
        this(table, chunkRows, null);
    }

    /** @param sweep the namespace's ids, for a fill that sweeps; null for one that does not */
    ChunkPlanner(FillTable table, int chunkRows, NamespaceIds sweep) {
        if (chunkRows < 1) {
            throw new IllegalArgumentException("chunk rows must be positive, got " + chunkRows);
        }
        this.table = table;
        this.chunkRows = chunkRows;
        this.sweep = sweep;
    }

    /**
     * The chunk after {@code cursor} and the cursor after it; empty when {@code cursor} is done.
     *
     * @throws FillTableException the namespace holds an id a sweep cannot check ({@link NamespaceIds#after})
     */
    public Optional<Step> next(Connection c, PlanCursor cursor) throws SQLException, FillTableException {
        int index = cursor.nextIndex();
        return switch (cursor.stage()) {
            case DONE -> Optional.empty();
            case NULL_KEYS ->
                Optional.of(new Step(Chunk.ofNullKeys(index), new PlanCursor(index + 1, List.of(), afterKeys())));
            case RANGES -> Optional.of(range(c, cursor));
            case SWEEP -> Optional.of(sweepPage(cursor));
        };
    }

    /** What follows the key ranges and the NULL keys. */
    private PlanCursor.Stage afterKeys() {
        return sweep == null ? PlanCursor.Stage.DONE : PlanCursor.Stage.SWEEP;
    }

    /** The next page of the namespace's ids: the last page is the one with fewer ids than a full page. */
    private Step sweepPage(PlanCursor cursor) throws FillTableException {
        int index = cursor.nextIndex();
        List<String> ids = sweep.after(cursor.lower().stream().findFirst());
        PlanCursor next = ids.size() < sweep.pageSize()
                ? new PlanCursor(index + 1, List.of(), PlanCursor.Stage.DONE)
                : new PlanCursor(index + 1, List.of(ids.get(ids.size() - 1)), PlanCursor.Stage.SWEEP);
        return new Step(Chunk.sweep(index, ids), next);
    }

    /** Every chunk, planned at once and held in a list: for tests and benchmarks (a fill plans a few ahead). */
    public List<Chunk> all(Connection c) throws SQLException, FillTableException {
        List<Chunk> chunks = new ArrayList<>();
        PlanCursor cursor = PlanCursor.start();
        for (Optional<Step> step = next(c, cursor); step.isPresent(); step = next(c, cursor)) {
            chunks.add(step.get().chunk());
            cursor = step.get().next();
        }
        return chunks;
    }

    private Step range(Connection c, PlanCursor cursor) throws SQLException {
        int index = cursor.nextIndex();
        List<String> lower = cursor.lower();
        List<String> upper = keyAt(c, lower, chunkRows, true);
        if (!upper.isEmpty() && upper.equals(lower)) {
            // more than chunkRows rows share one key (a view's id is not unique): the range ends at the next key
            upper = keyAt(c, lower, 0, false);
        }
        if (upper.isEmpty()) {
            PlanCursor.Stage after = table.nullableKey() ? PlanCursor.Stage.NULL_KEYS : afterKeys();
            return new Step(Chunk.range(index, lower, List.of()), new PlanCursor(index + 1, List.of(), after));
        }
        return new Step(Chunk.range(index, lower, upper), new PlanCursor(index + 1, upper, PlanCursor.Stage.RANGES));
    }

    /** The key {@code offset} rows at or after ({@code inclusive}) or after {@code from}; empty past the end. */
    private List<String> keyAt(Connection c, List<String> from, int offset, boolean inclusive) throws SQLException {
        String key = table.keys().size() == 1 ? table.keyList() : "(" + table.keyList() + ")";
        List<String> conditions = new ArrayList<>(2);
        if (table.nullableKey()) {
            conditions.add(key + " IS NOT NULL");
        }
        if (!from.isEmpty()) {
            conditions.add(key + (inclusive ? " >= " : " > ") + table.parameters());
        }
        // ORDER BY names the relation's columns qualified: unqualified, a name would be the text output column
        String sql = "SELECT " + table.keyTextList() + " FROM " + table.relationSql() + " AS r"
                + (conditions.isEmpty() ? "" : " WHERE " + String.join(" AND ", conditions))
                + " ORDER BY "
                + String.join(
                        ", ",
                        table.keys().stream()
                                .map(k -> "r." + PgIdentifiers.quote(k.name()))
                                .toList())
                + " OFFSET " + offset + " LIMIT 1";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            int i = 1;
            for (String value : from) {
                ps.setString(i++, value);
            }
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return List.of();
                }
                List<String> values = new ArrayList<>(table.keys().size());
                for (int k = 1; k <= table.keys().size(); k++) {
                    values.add(rs.getString(k));
                }
                return values;
            }
        }
    }

    /**
     * The table's row count as the planner statistics have it ({@code pg_class.reltuples}), for progress; -1 when
     * unknown (never analyzed, or a view).
     */
    public long estimate(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT CASE WHEN relkind IN ('r', 'p', 'm') AND reltuples >= 0"
                + " THEN reltuples::bigint ELSE -1 END FROM pg_class WHERE oid = to_regclass(?)")) {
            ps.setString(1, table.relationSql());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : -1;
            }
        }
    }
}
