package io.puffgres.verify;

import io.puffgres.document.DocId;
import io.puffgres.document.DocIds;
import io.puffgres.document.Document;
import io.puffgres.event.Op;
import io.puffgres.event.PgIdentifiers;
import io.puffgres.event.RelationId;
import io.puffgres.event.Row;
import io.puffgres.event.RowEvent;
import io.puffgres.lookup.JdbcRows;
import io.puffgres.migration.Membership;
import io.puffgres.migration.Migration;
import io.puffgres.migration.MigrationTransforms;
import io.puffgres.migration.Project;
import io.puffgres.pipeline.MappingActions;
import io.puffgres.transform.Action;
import io.puffgres.transform.TransformLoadException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;

/**
 * A mapping's source rows streamed from Postgres in turbopuffer's id order (a cursor of {@link #FETCH_SIZE} rows),
 * each decided as the job decides it: membership ({@code dsl} predicate, {@code lookup} SQL per id, the rows of the
 * view for {@code view}), then the mapping's transform. Non-members are passed over. Needs a connection outside
 * auto-commit (a cursor lives in a transaction). Not thread-safe.
 */
final class MemberRows implements AutoCloseable {

    /** Rows per round trip: enough to keep the cursor fast, few enough that a wide table stays small in memory. */
    static final int FETCH_SIZE = 1000;

    /** What a source row means for the namespace. */
    sealed interface Outcome {}

    /** A member: the namespace should hold exactly {@code document}. */
    record Member(DocId id, Document document) implements Outcome {}

    /** The transform returned Skip: the job leaves the document as it is, so it is not compared. */
    record Skipped(DocId id, String reason) implements Outcome {}

    /** The job cannot write this row (it goes to the DLQ); {@code docId} is null when the id itself is invalid. */
    record Failed(String id, DocId docId, String message) implements Outcome {}

    private final Migration migration;
    private final RelationId cdcTable;
    private final MappingActions decision;
    private final PreparedStatement rows;
    private final ResultSet rs;
    private final PreparedStatement lookup;
    private final Instant readAt = Instant.now();
    private DocId previous;
    private long read;

    /**
     * @param cdcTable the table whose changes drive the mapping (rows are read from it, or from the view in {@code
     *     view} mode)
     * @param classesDir where Java transforms are compiled
     */
    MemberRows(Connection c, Project project, Migration m, RelationId cdcTable, Path classesDir)
            throws SQLException, TransformLoadException {
        this.migration = m;
        this.cdcTable = cdcTable;
        this.decision = MappingActions.create(project, new MigrationTransforms(project, classesDir), m);
        RelationId source =
                m.membership().mode() == Membership.Mode.VIEW ? m.source().relation() : cdcTable;
        try {
            rows = c.prepareStatement("SELECT * FROM " + PgIdentifiers.quote(source) + " ORDER BY "
                    + DocIdOrder.orderBy(m.id().column(), m.id().type()));
            rows.setFetchSize(FETCH_SIZE);
            rs = rows.executeQuery();
            lookup = m.membership().mode() == Membership.Mode.LOOKUP
                    ? c.prepareStatement(m.membership().sql().orElseThrow().replace("$1", "?"))
                    : null;
        } catch (SQLException | RuntimeException e) {
            try {
                decision.close();
            } catch (Exception closing) {
                e.addSuppressed(closing);
            }
            throw e;
        }
    }

    /** Source rows read so far. */
    long read() {
        return read;
    }

    /**
     * The next row that is not a plain non-member, or null after the last.
     *
     * @throws IllegalStateException when an id repeats or Postgres does not give ids in turbopuffer's order
     */
    Outcome next() throws SQLException {
        String column = migration.id().column();
        while (rs.next()) {
            read++;
            Row row = JdbcRows.read(rs);
            Object raw = row.get(column);
            DocIds.Result result = DocIds.from(migration.id().type(), column, raw);
            if (result instanceof DocIds.Result.Invalid invalid) {
                return new Failed(String.valueOf(raw), null, "id: " + invalid.message());
            }
            DocId id = ((DocIds.Result.Ok) result).id();
            checkOrder(id);
            if (lookup != null && !isMember(raw)) {
                continue;
            }
            // the transform sees what the job gives it: the mapping's columns, no others
            Action action = decision.decide(
                    new RowEvent(Op.READ, cdcTable, null, row.only(migration.readColumns()), 0, -1, readAt), id);
            if (action instanceof Action.Upsert u) {
                if (!u.document().id().equals(id)) {
                    return new Failed(
                            id.toString(),
                            id,
                            "transform: returned a document with id "
                                    + u.document().id() + " for the row with id " + id
                                    + "; verify compares documents by their row's id");
                }
                return new Member(id, u.document());
            } else if (action instanceof Action.Skip s) {
                return new Skipped(id, s.reason());
            } else if (action instanceof Action.Error e) {
                return new Failed(id.toString(), id, e.kind() + ": " + e.message());
            }
            // Action.Delete: not a member
        }
        return null;
    }

    private void checkOrder(DocId id) {
        if (previous != null) {
            int c = DocIdOrder.ORDER.compare(previous, id);
            if (c == 0) {
                throw new IllegalStateException("id " + id + " appears more than once in " + source()
                        + "; the id column " + migration.id().column() + " must be unique");
            }
            if (c > 0) {
                throw new IllegalStateException("Postgres gave id " + id + " after " + previous + " reading " + source()
                        + ", not in turbopuffer's id order; verify cannot compare these ids");
            }
        }
        previous = id;
    }

    private String source() {
        return migration.membership().mode() == Membership.Mode.VIEW
                ? migration.source().relation().toString()
                : cdcTable.toString();
    }

    private boolean isMember(Object id) throws SQLException {
        lookup.setObject(1, id);
        try (ResultSet found = lookup.executeQuery()) {
            return found.next();
        }
    }

    @Override
    public void close() throws Exception {
        try (decision;
                rows;
                rs;
                PreparedStatement l = lookup) {
            // closed in reverse order
        }
    }
}
