package io.puffgres.verify;

import com.fasterxml.jackson.databind.JsonNode;
import io.puffgres.client.ErrorKind;
import io.puffgres.client.TurbopufferClient;
import io.puffgres.client.TurbopufferException;
import io.puffgres.document.AttributeNames;
import io.puffgres.document.DocId;
import io.puffgres.event.RelationId;
import io.puffgres.migration.Migration;
import io.puffgres.migration.Project;
import io.puffgres.transform.TransformLoadException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Compares one mapping's member rows in Postgres, transformed as the job transforms them, with its namespace: both
 * are streamed in id order and merged, so memory stays at a page of each whatever the table's size. The namespace
 * may change while it is read (a running job); a difference seen then may be in flight, so run it again to confirm.
 */
public final class Verification {

    private final Migration mapping;
    private final int limit;
    private final Map<String, String> types;
    private final Progress progress;
    private final Tally missing;
    private final Tally extra;
    private final Tally stale;
    private final Tally errors;
    private long members;
    private long skipped;

    private Verification(Migration mapping, int limit, Map<String, String> types, Progress progress) {
        this.mapping = mapping;
        this.limit = limit;
        this.types = types;
        this.progress = progress;
        this.missing = new Tally(limit);
        this.extra = new Tally(limit);
        this.stale = new Tally(limit);
        this.errors = new Tally(limit);
    }

    /**
     * Verifies {@code mapping}.
     *
     * @param c a connection outside auto-commit (the rows are read through a cursor)
     * @param cdcTable the table whose changes drive the mapping ({@code ReplicationSetup.cdcRelation})
     * @param limit how many ids (with details) to keep per category
     * @param classesDir where Java transforms are compiled
     * @param err where progress goes when it takes a while
     */
    public static Report run(
            Connection c,
            TurbopufferClient client,
            Project project,
            Migration mapping,
            RelationId cdcTable,
            int limit,
            Path classesDir,
            PrintWriter err)
            throws SQLException, TransformLoadException {
        Verification v = new Verification(
                mapping, limit, schemaTypes(client, mapping.namespace()), new Progress(err, mapping.mappingName()));
        NamespaceDocuments docs =
                new NamespaceDocuments(client, mapping.namespace(), mapping.id().type());
        try (MemberRows rows = new MemberRows(c, project, mapping, cdcTable, classesDir)) {
            v.merge(rows, docs);
        } catch (SQLException | TransformLoadException | RuntimeException e) {
            throw e;
        } catch (Exception closing) {
            throw new IllegalStateException("closing the transform of " + mapping.mappingName() + " failed", closing);
        }
        return new Report(
                mapping.mappingName(),
                mapping.version(),
                mapping.namespace(),
                v.members,
                docs.read(),
                v.missing.category(),
                v.extra.category(),
                v.stale.category(),
                v.errors.category(),
                v.skipped);
    }

    private void merge(MemberRows rows, NamespaceDocuments docs) throws SQLException {
        MemberRows.Outcome row = rows.next();
        NamespaceDocuments.Doc doc = docs.next();
        while (row != null || doc != null) {
            progress.tick(rows.read(), docs.read());
            if (row instanceof MemberRows.Failed f && f.docId() == null) {
                errors.add(f.id() + ": " + f.message());
                row = rows.next();
                continue;
            }
            int order = row == null ? 1 : doc == null ? -1 : DocIdOrder.ORDER.compare(idOf(row), doc.id());
            if (order > 0) {
                extra.add(doc.id().toString());
                doc = docs.next();
                continue;
            }
            apply(row, order == 0 ? doc : null);
            row = rows.next();
            if (order == 0) {
                doc = docs.next();
            }
        }
    }

    private void apply(MemberRows.Outcome row, NamespaceDocuments.Doc doc) {
        if (row instanceof MemberRows.Member m) {
            members++;
            if (doc == null) {
                missing.add(m.id().toString());
            } else {
                List<String> differences = differences(m.document().attributes(), doc.attributes());
                if (!differences.isEmpty()) {
                    stale.add(m.id() + ": " + String.join("; ", differences));
                }
            }
        } else if (row instanceof MemberRows.Skipped) {
            skipped++;
        } else if (row instanceof MemberRows.Failed f) {
            errors.add(f.id() + ": " + f.message());
        }
    }

    private static DocId idOf(MemberRows.Outcome row) {
        if (row instanceof MemberRows.Member m) {
            return m.id();
        }
        if (row instanceof MemberRows.Skipped s) {
            return s.id();
        }
        return ((MemberRows.Failed) row).docId();
    }

    /** {@code name: expected X, found Y} for each attribute that differs, {@code __source_lsn} aside. */
    private List<String> differences(Map<String, Object> expected, Map<String, Object> actual) {
        Set<String> names = new LinkedHashSet<>(expected.keySet());
        names.addAll(actual.keySet());
        names.remove(AttributeNames.SOURCE_LSN);
        List<String> out = new ArrayList<>();
        for (String name : names) {
            Object e = expected.get(name);
            Object a = actual.get(name);
            if (!WireValues.same(e, a, types.get(name))) {
                out.add(name + ": expected " + WireValues.show(e) + ", found " + WireValues.show(a));
            }
        }
        return out;
    }

    /** Attribute → type from the namespace schema; empty when the namespace does not exist. */
    private static Map<String, String> schemaTypes(TurbopufferClient client, String namespace) {
        Map<String, String> types = new HashMap<>();
        JsonNode schema;
        try {
            schema = client.schema(namespace);
        } catch (TurbopufferException e) {
            if (e.kind() == ErrorKind.NOT_FOUND) {
                return types;
            }
            throw e;
        }
        schema.fields().forEachRemaining(f -> {
            JsonNode entry = f.getValue();
            types.put(
                    f.getKey(),
                    entry.isTextual() ? entry.asText() : entry.path("type").asText(null));
        });
        return types;
    }

    /** A count and the first {@code limit} samples of one category. */
    private static final class Tally {
        private final int limit;
        private final List<String> samples = new ArrayList<>();
        private long count;

        Tally(int limit) {
            this.limit = limit;
        }

        void add(String sample) {
            count++;
            if (samples.size() < limit) {
                samples.add(sample);
            }
        }

        Report.Category category() {
            return new Report.Category(count, samples);
        }
    }
}
