package io.puffgres.replay;

import io.puffgres.client.ErrorKind;
import io.puffgres.client.Filter;
import io.puffgres.client.TurbopufferClient;
import io.puffgres.client.TurbopufferException;
import io.puffgres.client.WriteRequest;
import io.puffgres.dlq.DlqRecord;
import io.puffgres.dlq.DlqTable;
import io.puffgres.dlq.EventJson;
import io.puffgres.document.AttributeNames;
import io.puffgres.document.DocId;
import io.puffgres.document.DocIds;
import io.puffgres.event.Op;
import io.puffgres.event.PgIdentifiers;
import io.puffgres.event.Row;
import io.puffgres.event.RowEvent;
import io.puffgres.lookup.RowLookup;
import io.puffgres.membership.Tri;
import io.puffgres.migration.Membership;
import io.puffgres.migration.Migration;
import io.puffgres.migration.MigrationTransforms;
import io.puffgres.migration.Project;
import io.puffgres.route.EventRouter;
import io.puffgres.sink.MappingActions;
import io.puffgres.source.ReplicationSetup;
import io.puffgres.source.ReplicationSetup.SetupException;
import io.puffgres.stream.MappedEvent;
import io.puffgres.transform.Action;
import io.puffgres.transform.TransformLoadException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;

/**
 * {@code puffgres dlq retry}: applies a DLQ entry again with the project's current version of its mapping (membership
 * and transform included), then marks it resolved or records the new failure. The stored change is routed to its
 * document id, looked up like the job does (view and lookup membership, unchanged TOAST), and written with the
 * entry's LSN as its version: an upsert only where the stored {@code __source_lsn} (or versioning column) is not
 * newer, a delete only where the stored {@code __source_lsn} is not newer. A row that is gone from the source, or
 * (dsl) no longer a member, is not written: a newer change removes (or removed) its document, and a retry must not
 * bring it back. Failures of turbopuffer itself (auth, still unavailable after retries) and of Postgres are thrown,
 * not recorded: they are not the entry's fault. Not thread-safe; close it.
 */
public final class DlqRetry implements AutoCloseable {

    /** What a retry did; everything but {@link Failed} resolves the entry. */
    public sealed interface Outcome {
        /** Written to the namespace (or skipped by the transform), e.g. "upserted id 3 into pages". */
        record Written(String what) implements Outcome {}

        /** Not written because newer data wins, e.g. "a newer version of id 3 is in pages". */
        record Superseded(String why) implements Outcome {}

        /** Still failing: the entry stays unresolved with one more retry counted. */
        record Failed(String kind, String message, String detail) implements Outcome {}
    }

    private final Project project;
    private final Connection connection;
    private final TurbopufferClient client;
    private final DlqTable table;
    private final MigrationTransforms transforms;
    private final Map<String, MappingActions> actions = new HashMap<>();
    private final Map<String, String> tables = new HashMap<>();

    /** @param connection to the source database, holding the DLQ table */
    public DlqRetry(Project project, Connection connection, TurbopufferClient client) {
        this.project = project;
        this.connection = connection;
        this.client = client;
        this.table = new DlqTable(project.config().state().schema());
        this.transforms = new MigrationTransforms(project);
    }

    /**
     * Retries {@code entry} and records the outcome in the DLQ table.
     *
     * @throws TurbopufferException when turbopuffer refuses the API key or stays unavailable
     */
    public Outcome retry(DlqRecord entry) throws SQLException {
        Outcome outcome;
        try {
            outcome = apply(entry);
        } catch (TurbopufferException e) {
            if (e.kind() == ErrorKind.AUTH || e.kind() == ErrorKind.TRANSIENT) {
                throw e;
            }
            outcome = new Outcome.Failed(
                    "rejected", "turbopuffer rejected the write: " + e.serverMessage(), e.getMessage());
        }
        if (outcome instanceof Outcome.Failed f) {
            table.failedAgain(connection, entry.id(), f.message(), f.detail());
        } else {
            table.resolve(connection, entry.id());
        }
        return outcome;
    }

    private Outcome apply(DlqRecord entry) throws SQLException {
        Migration m;
        MappingActions mapping;
        String tableSql;
        MappedEvent change;
        try {
            m = project.effectiveMappings().stream()
                    .filter(x -> x.mappingName().equals(entry.mapping()))
                    .findFirst()
                    .orElseThrow(() ->
                            new Refused("mapping", "mapping " + entry.mapping() + " is not in the project any more"));
            mapping = actionsFor(m);
            tableSql = tableFor(m);
            // an entry stored before rows were cut to the mapping's columns is cut the same way now
            RowEvent event = decode(entry).only(m.readColumns());
            change = RowLookup.resolve(connection, m, tableSql, route(m, event, entry.docId()));
        } catch (Refused e) {
            return new Outcome.Failed(e.kind, e.getMessage(), "");
        }
        DocId id = mapping.docId(change.id());
        if (change.kind() == MappedEvent.Kind.DELETE) {
            return delete(m, id, entry.lsn());
        }
        String gone = goneAtSource(m, mapping, tableSql, change.event());
        if (gone != null) {
            return new Outcome.Superseded(gone);
        }
        Action action = mapping.decide(change.event(), id);
        if (action instanceof Action.Upsert u) {
            WriteRequest request = WriteRequest.builder()
                    .upsert(MappingActions.stamped(u.document(), entry.lsn()))
                    .upsertCondition(mapping.upsertCondition())
                    .schema(mapping.schemaWith(u.document()))
                    .build();
            return client.write(m.namespace(), request).rowsAffected() > 0
                    ? new Outcome.Written("upserted id " + id + " into " + m.namespace())
                    : new Outcome.Superseded("a newer version of id " + id + " is in " + m.namespace());
        }
        if (action instanceof Action.Delete d) {
            return delete(m, d.id(), entry.lsn());
        }
        if (action instanceof Action.Skip s) {
            return new Outcome.Written("skipped by the transform (" + s.reason() + ")");
        }
        Action.Error error = (Action.Error) action;
        return new Outcome.Failed(error.kind(), error.message(), error.detail());
    }

    private static RowEvent decode(DlqRecord entry) throws Refused {
        try {
            return EventJson.decode(entry.event()).withLsn(entry.lsn());
        } catch (IllegalArgumentException e) {
            throw new Refused("event", e.getMessage());
        }
    }

    /** The change the entry is about, with the document id the job gave it. */
    private static MappedEvent route(Migration m, RowEvent event, String docId) throws Refused {
        if (event.op() == Op.TRUNCATE) {
            throw new Refused("event", "a TRUNCATE cannot be retried");
        }
        if (event.op() == Op.DELETE) {
            return new MappedEvent(id(m, event, event.before(), "old row"), MappedEvent.Kind.DELETE, event);
        }
        Row before = event.before();
        if (event.op() == Op.UPDATE && before != null && before.get(m.id().column()) != null) {
            // an UPDATE that changed the id deletes the old id first: that delete may be what failed
            String old = id(m, event, before, "old row");
            if (old.equals(docId) && !old.equals(id(m, event, event.after(), "new row"))) {
                return new MappedEvent(old, MappedEvent.Kind.DELETE, event);
            }
        }
        return new MappedEvent(id(m, event, event.after(), "new row"), MappedEvent.Kind.CHANGE, event);
    }

    private static String id(Migration m, RowEvent event, Row row, String which) throws Refused {
        DocIds.Result id = EventRouter.idOf(m, event, row, which);
        if (id instanceof DocIds.Result.Ok ok) {
            return ok.id().toString();
        }
        throw new Refused("id", ((DocIds.Result.Invalid) id).message());
    }

    /**
     * Why the row's document must not be written now, or null: the row is gone from the source, or no longer a
     * member (dsl). View and lookup membership were already decided on the row as it is now by the lookup.
     */
    private String goneAtSource(Migration m, MappingActions mapping, String tableSql, RowEvent event)
            throws SQLException {
        Membership.Mode mode = m.membership().mode();
        if (mode != Membership.Mode.ALL && mode != Membership.Mode.DSL) {
            return null;
        }
        Object id = event.after().get(m.id().column());
        Row now = RowLookup.byId(connection, tableSql, m.id().column(), id);
        if (now == null) {
            return "row " + id + " is no longer in " + m.relation() + "; its DELETE removes the document";
        }
        Tri member = mode == Membership.Mode.DSL ? mapping.member(now) : Tri.TRUE;
        if (member != null && member != Tri.TRUE) {
            return "row " + id + " is no longer a member of " + m.mappingName() + "; its newer change removes the"
                    + " document";
        }
        return null;
    }

    private Outcome delete(Migration m, DocId id, long lsn) {
        WriteRequest request = WriteRequest.builder()
                .delete(id)
                .deleteCondition(Filter.lte(AttributeNames.SOURCE_LSN, lsn))
                .build();
        return client.write(m.namespace(), request).rowsAffected() > 0
                ? new Outcome.Written("deleted id " + id + " from " + m.namespace())
                : new Outcome.Superseded("nothing to delete: id " + id + " is not in " + m.namespace()
                        + " or was written by a newer" + " change");
    }

    private MappingActions actionsFor(Migration m) throws Refused {
        MappingActions existing = actions.get(m.mappingName());
        if (existing == null) {
            try {
                existing = MappingActions.create(project, transforms, m);
            } catch (TransformLoadException e) {
                throw new Refused(
                        "transform", "the transform of " + m.mappingName() + " does not load: " + e.getMessage());
            }
            actions.put(m.mappingName(), existing);
        }
        return existing;
    }

    /** The quoted table CDC follows for {@code m} (a view's base table). */
    private String tableFor(Migration m) throws SQLException, Refused {
        String existing = tables.get(m.mappingName());
        if (existing == null) {
            try {
                existing = PgIdentifiers.quote(ReplicationSetup.cdcRelation(connection, m));
            } catch (SetupException e) {
                throw new Refused("mapping", e.getMessage());
            }
            tables.put(m.mappingName(), existing);
        }
        return existing;
    }

    /** Why an entry cannot be applied with the current project; recorded as its new error. */
    private static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;
        private final String kind;

        Refused(String kind, String message) {
            super(message);
            this.kind = kind;
        }
    }

    @Override
    public void close() throws Exception {
        for (MappingActions a : actions.values()) {
            a.close();
        }
        transforms.close();
    }
}
