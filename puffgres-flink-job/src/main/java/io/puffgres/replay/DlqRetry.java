package io.puffgres.replay;

import io.puffgres.client.TurbopufferClient;
import io.puffgres.client.TurbopufferException;
import io.puffgres.dlq.DlqRecord;
import io.puffgres.dlq.DlqTable;
import io.puffgres.dlq.EventJson;
import io.puffgres.event.Op;
import io.puffgres.event.PgIdentifiers;
import io.puffgres.event.Row;
import io.puffgres.event.RowEvent;
import io.puffgres.lookup.CurrentRows;
import io.puffgres.membership.Tri;
import io.puffgres.migration.Membership;
import io.puffgres.migration.Migration;
import io.puffgres.migration.MigrationTransforms;
import io.puffgres.migration.Project;
import io.puffgres.pipeline.Failure;
import io.puffgres.pipeline.FailurePolicy;
import io.puffgres.pipeline.MappedEvent;
import io.puffgres.pipeline.MappingActions;
import io.puffgres.pipeline.Outcome.Skip;
import io.puffgres.pipeline.Outcome.Upsert;
import io.puffgres.pipeline.Outcome.Write;
import io.puffgres.pipeline.Router;
import io.puffgres.pipeline.Routing;
import io.puffgres.source.ReplicationSetup;
import io.puffgres.source.ReplicationSetup.SetupException;
import io.puffgres.transform.FailureKind;
import io.puffgres.transform.TransformLoadException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
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
        record Failed(FailureKind kind, String message, String detail) implements Outcome {}
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
            if (FailurePolicy.of(e.kind()).response() != FailurePolicy.Response.DLQ) {
                throw e; // not the entry's fault
            }
            outcome = failed(FailurePolicy.rejected(entry.docId(), e));
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
                    .orElseThrow(() -> new Refused(
                            FailureKind.MAPPING, "mapping " + entry.mapping() + " is not in the project any more"));
            mapping = actionsFor(m);
            tableSql = tableFor(m);
            change = CurrentRows.resolve(connection, m, tableSql, route(m, decode(entry), entry.docId()));
        } catch (Refused e) {
            return new Outcome.Failed(e.kind, e.getMessage(), "");
        }
        if (change.kind() == MappedEvent.Kind.CHANGE) {
            String gone = goneAtSource(m, mapping, tableSql, change.event());
            if (gone != null) {
                return new Outcome.Superseded(gone);
            }
        }
        io.puffgres.pipeline.Outcome outcome = mapping.apply(change);
        if (outcome instanceof Write w) {
            boolean written =
                    client.write(m.namespace(), mapping.requests().replayed(w)).rowsAffected() > 0;
            return written(w, m.namespace(), written);
        }
        if (outcome instanceof Skip s) {
            return new Outcome.Written("skipped by the transform (" + s.reason() + ")");
        }
        return failed((Failure) outcome);
    }

    private static Outcome written(Write w, String namespace, boolean written) {
        if (w instanceof Upsert) {
            return written
                    ? new Outcome.Written("upserted id " + w.id() + " into " + namespace)
                    : new Outcome.Superseded("a newer version of id " + w.id() + " is in " + namespace);
        }
        return written
                ? new Outcome.Written("deleted id " + w.id() + " from " + namespace)
                : new Outcome.Superseded("nothing to delete: id " + w.id() + " is not in " + namespace
                        + " or was written by a newer change");
    }

    private static Outcome.Failed failed(Failure f) {
        return new Outcome.Failed(f.kind(), f.message(), f.detail());
    }

    private static RowEvent decode(DlqRecord entry) throws Refused {
        try {
            return EventJson.decode(entry.event()).withLsn(entry.lsn());
        } catch (IllegalArgumentException e) {
            throw new Refused(FailureKind.EVENT, e.getMessage());
        }
    }

    /**
     * The change the entry is about, routed as the job routes it: of an UPDATE that changed the id, the old id's
     * delete when the entry is about the old id (that delete may be what failed), else the new id's change.
     */
    private static MappedEvent route(Migration m, RowEvent event, String docId) throws Refused {
        if (event.op() == Op.TRUNCATE) {
            throw new Refused(FailureKind.EVENT, "a TRUNCATE cannot be retried");
        }
        Routing routing = new Router(m, event.lsn(), List.of()).route(event);
        List<MappedEvent> changes = routing.changes();
        for (MappedEvent c : changes) {
            if (c.id().equals(docId)) {
                return c;
            }
        }
        if (!routing.failures().isEmpty()) {
            Failure invalid = routing.failures().stream()
                    .filter(f -> f.docId().equals(docId))
                    .findFirst()
                    .orElse(routing.failures().get(routing.failures().size() - 1));
            if (changes.isEmpty() || invalid.docId().equals(docId)) {
                throw new Refused(invalid.kind(), invalid.message());
            }
        }
        return changes.get(changes.size() - 1);
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
        Row now = CurrentRows.byId(connection, tableSql, m.id().column(), id);
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

    private MappingActions actionsFor(Migration m) throws Refused {
        MappingActions existing = actions.get(m.mappingName());
        if (existing == null) {
            try {
                existing = MappingActions.create(project, transforms, m);
            } catch (TransformLoadException e) {
                throw new Refused(
                        FailureKind.TRANSFORM,
                        "the transform of " + m.mappingName() + " does not load: " + e.getMessage());
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
                throw new Refused(FailureKind.MAPPING, e.getMessage());
            }
            tables.put(m.mappingName(), existing);
        }
        return existing;
    }

    /** Why an entry cannot be applied with the current project; recorded as its new error. */
    private static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;
        private final FailureKind kind;

        Refused(FailureKind kind, String message) {
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
