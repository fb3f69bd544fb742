package io.puffgres.fill;

import io.puffgres.document.DocId;
import io.puffgres.document.DocIds;
import io.puffgres.document.IdType;
import io.puffgres.event.Op;
import io.puffgres.event.Row;
import io.puffgres.event.RowEvent;
import io.puffgres.event.Snapshot;
import io.puffgres.lookup.JdbcRows;
import io.puffgres.pipeline.MappedEvent;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;

/**
 * Reads one sweep page of a fill (a {@link Chunk.Kind#SWEEP} chunk: document ids the namespace holds) in a
 * transaction of its own, as {@link ChunkReader} reads a range: {@code REPEATABLE READ READ ONLY}, the snapshot
 * {@code S} first, then {@code SELECT id … WHERE id = ANY(page) [AND predicate]}, the predicate pushed down as for the
 * rows. Each id of the page that has no member row in {@code S} is handed out as a DELETE of its row read in {@code S}
 * (op {@link Op#DELETE}, the id alone as {@code before}, {@code S}'s horizon as LSN, no transaction id), which the
 * emitter makes a {@link MappedEvent#absent}: the keyed writer applies it where a fill row of {@code S} would be
 * applied, so a change {@code S} does not see (an id inserted again, made a member again) wins (docs/job.md, "The
 * sweep"). A plain snapshot read waits for no lock. Thread-safe (it holds nothing).
 */
final class SweepReader {

    private final FillTable table;
    private final IdType idType;

    SweepReader(FillTable table, IdType idType) {
        this.table = table;
        this.idType = idType;
    }

    /**
     * Reads {@code page} on {@code c}, which must be idle (no transaction open), into {@code sink}; returns how many
     * ids have no member row. {@code c} is left idle, auto-commit off.
     */
    int read(Connection c, Chunk page, ChunkReader.RowSink sink) throws SQLException {
        c.setAutoCommit(false);
        try {
            Instant readAt = Instant.now();
            Snapshot snapshot = ChunkReader.snapshot(c);
            Set<String> members = members(c, page);
            int absent = 0;
            for (String id : page.ids()) {
                if (!members.contains(id)) {
                    Row before = idRow(DocIds.parse(idType, id));
                    sink.accept(
                            new RowEvent(Op.DELETE, table.relation(), before, null, snapshot.horizon(), -1, readAt),
                            snapshot);
                    absent++;
                }
            }
            return absent;
        } finally {
            c.rollback();
        }
    }

    /** The ids of {@code page} that have a member row, in text form as the router makes them. */
    private Set<String> members(Connection c, Chunk page) throws SQLException {
        Set<String> members = new HashSet<>();
        if (page.ids().isEmpty()) {
            return members;
        }
        String id = table.id().name();
        try (PreparedStatement ps = c.prepareStatement("SELECT " + table.quotedId() + " FROM " + table.relationSql()
                + " WHERE " + table.quotedId() + " = ANY(?::" + table.id().type() + "[])"
                + table.predicate().map(p -> " AND (" + p + ")").orElse(""))) {
            Array ids = c.createArrayOf("text", page.ids().toArray());
            ps.setArray(1, ids);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (DocIds.from(idType, id, JdbcRows.read(rs).get(id)) instanceof DocIds.Result.Ok ok) {
                        members.add(ok.id().toString());
                    }
                }
            }
        }
        return members;
    }

    /** The row image of a DELETE of {@code id}: the id column alone, valued as the router reads it back. */
    private Row idRow(DocId id) {
        String column = table.id().name();
        if (id instanceof DocId.Uint u) {
            return Row.builder().put(column, "int8", u.value()).build();
        }
        if (id instanceof DocId.Uuid u) {
            return Row.builder().put(column, "uuid", u.value()).build();
        }
        return Row.builder().put(column, "text", ((DocId.Str) id).value()).build();
    }
}
