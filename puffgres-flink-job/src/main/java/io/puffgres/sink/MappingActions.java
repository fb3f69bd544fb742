package io.puffgres.sink;

import io.puffgres.client.EncodedDocument;
import io.puffgres.client.Filter;
import io.puffgres.config.ProjectConfig;
import io.puffgres.document.DocId;
import io.puffgres.document.Document;
import io.puffgres.document.IdType;
import io.puffgres.embedding.OpenAiEmbedder;
import io.puffgres.event.PgType;
import io.puffgres.event.Row;
import io.puffgres.event.RowEvent;
import io.puffgres.membership.BoundPredicate;
import io.puffgres.membership.Tri;
import io.puffgres.migration.Membership;
import io.puffgres.migration.Migration;
import io.puffgres.migration.MigrationTransforms;
import io.puffgres.migration.Project;
import io.puffgres.migration.Versioning;
import io.puffgres.transform.Action;
import io.puffgres.transform.Embedder;
import io.puffgres.transform.Transform;
import io.puffgres.transform.TransformContext;
import io.puffgres.transform.TransformLoadException;
import io.puffgres.transform.TransformMemoryException;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.flink.util.ExceptionUtils;

/**
 * What one mapping does with a change, shared by the job's {@link MappingWriter} and {@code puffgres dlq retry} so a
 * retry does what the job does: {@code dsl} membership and the transform decide the {@link Action}; an upserted
 * document is stamped with {@code __source_lsn}; upserts carry the condition on {@code __source_lsn} (or the
 * versioning column) and declare the types JSON cannot carry. Not thread-safe: one instance per subtask or command;
 * {@link #close()} releases the transform.
 */
public final class MappingActions implements AutoCloseable {

    private final Migration migration;
    private final Transform transform;
    private final TransformContext context;
    private final Filter upsertCondition;
    private final Map<String, Object> schema;
    /**
     * Attributes whose type is known: declared, or seen with a value JSON carries unambiguously (an attribute keeps
     * its type, so one value decides); {@link #schemaWith} looks at each attribute once, not once per document.
     */
    private final Set<String> settled = new HashSet<>();

    private Map<String, PgType> boundTypes;
    private BoundPredicate bound;
    private String bindError;

    private MappingActions(Migration migration, Transform transform, TransformContext context) {
        this.migration = migration;
        this.transform = transform;
        this.context = context;
        String versionAttribute = migration.versioning().mode() == Versioning.Mode.COLUMN
                ? migration.versioning().column().orElseThrow()
                : MappingWriter.SOURCE_LSN;
        this.upsertCondition = Filter.lte(versionAttribute, Filter.refNew(versionAttribute));
        this.schema = schemaOf(migration);
    }

    /** The actions of {@code migration}, with a new instance of its transform from {@code transforms}. */
    public static MappingActions create(Project project, MigrationTransforms transforms, Migration migration)
            throws TransformLoadException {
        return new MappingActions(migration, transforms.create(migration), context(project.config()));
    }

    private static TransformContext context(ProjectConfig config) {
        return config.embeddings()
                .map(e -> (Embedder) OpenAiEmbedder.from(e))
                .map(Embedder::asContext)
                .orElse(text -> {
                    throw new IllegalStateException("ctx.embed needs an [embeddings] table in puffgres.toml");
                });
    }

    public Migration migration() {
        return migration;
    }

    /** The document id of the mapping from its text form ({@link DocId#toString()}, the job's key). */
    public DocId docId(String text) {
        return switch (migration.id().type()) {
            case UINT, INT -> new DocId.Uint(Long.parseUnsignedLong(text));
            case UUID -> new DocId.Uuid(UUID.fromString(text));
            case STRING -> new DocId.Str(text);
        };
    }

    /**
     * Membership ({@code dsl}; the other modes were decided by the lookup stage), then the transform, for a change
     * whose new row may belong to the mapping. A transform that throws gives {@link Action.Error} of kind {@code
     * transform}; a predicate that cannot bind to the row's types one of kind {@code membership}.
     *
     * @throws TransformMemoryException naming the mapping, when the transform keeps more memory than its limit or the
     *     heap is exhausted: the task fails instead of sending every later row to the DLQ
     */
    public Action decide(RowEvent event, DocId id) {
        Row row = event.after(); // unchanged-TOAST placeholders were filled by the lookup stage
        if (migration.membership().mode() == Membership.Mode.DSL) {
            Tri member = member(row);
            if (member == null) {
                return new Action.Error("membership", bindError, "");
            }
            if (member != Tri.TRUE) {
                return new Action.Delete(id);
            }
        }
        try {
            return transform.apply(event, id, context);
        } catch (TransformMemoryException ex) {
            throw new TransformMemoryException("mapping " + migration.mappingName() + ": " + ex.getMessage());
        } catch (Exception ex) {
            return new Action.Error(
                    "transform", String.valueOf(ex.getMessage()), ExceptionUtils.stringifyException(ex));
        }
    }

    /** The {@code dsl} predicate on {@code row}, or null when it does not bind to the row's column types. */
    public Tri member(Row row) {
        if (!row.types().equals(boundTypes)) {
            boundTypes = row.types();
            try {
                bound = migration.membership().predicate().orElseThrow().bind(row.types());
                bindError = null;
            } catch (Exception ex) {
                bound = null;
                bindError = "membership predicate: " + ex.getMessage();
            }
        }
        return bound == null ? null : bound.test(row);
    }

    /**
     * {@code document} with {@code __source_lsn} = {@code lsn}, the WAL position of the change it comes from, encoded
     * for a write request.
     */
    public static EncodedDocument stamped(Document document, long lsn) {
        return EncodedDocument.of(document, MappingWriter.SOURCE_LSN, lsn);
    }

    /** Upserts apply only where the stored version is not newer than the incoming one ({@code Lte $ref_new}). */
    public Filter upsertCondition() {
        return upsertCondition;
    }

    /**
     * Learns the types of {@code document}'s attributes and returns the schema to send with upserts from now on:
     * {@code __source_lsn} as uint, every {@code [tp_schema]} hint that names a type, and the types turbopuffer cannot
     * infer from JSON (a datetime or uuid arrives as a string), learned from the Java values; an attribute is declared
     * once and stays declared. The writer calls it as each document is made, while the document is in the cache.
     */
    public Map<String, Object> schemaWith(Document document) {
        document.attributes().forEach((attribute, value) -> {
            if (settled.contains(attribute)
                    || value == null
                    || (value instanceof List<?> l && (l.isEmpty() || l.get(0) == null))) {
                return; // a null, or a list without a first element, says nothing of the type yet
            }
            String type = declaredType(value);
            if (type != null) {
                schema.putIfAbsent(attribute, type);
            }
            settled.add(attribute);
        });
        return schema;
    }

    /** The schema learned so far (see {@link #schemaWith}); the same map, updated in place. */
    public Map<String, Object> schema() {
        return schema;
    }

    /**
     * The schema declared up front (also by {@code puffgres apply --schema}), so types are set before the first value
     * could pin them (e.g. an integral float as int): uuid ids, {@code __source_lsn} as uint, typed tp_schema hints.
     */
    public static Map<String, Object> schemaOf(Migration m) {
        Map<String, Object> schema = new LinkedHashMap<>();
        if (m.id().type() == IdType.UUID) {
            schema.put("id", "uuid"); // turbopuffer infers string for a uuid sent as text
        }
        schema.put(MappingWriter.SOURCE_LSN, "uint");
        m.tpSchema()
                .forEach((attribute, hint) -> hint.type().ifPresent(type -> {
                    Map<String, Object> entry = new LinkedHashMap<>();
                    entry.put("type", type);
                    entry.putAll(hint.options());
                    schema.put(attribute, entry);
                }));
        return schema;
    }

    private static String declaredType(Object v) {
        if (v instanceof java.time.Instant) {
            return "datetime";
        }
        if (v instanceof UUID) {
            return "uuid";
        }
        if (v instanceof List<?> list && !list.isEmpty()) {
            String element = declaredType(list.get(0));
            return element == null ? null : "[]" + element;
        }
        return null;
    }

    @Override
    public void close() throws Exception {
        transform.close();
    }
}
