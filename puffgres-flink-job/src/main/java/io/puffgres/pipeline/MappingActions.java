package io.puffgres.pipeline;

import io.puffgres.client.EncodedDocument;
import io.puffgres.config.ProjectConfig;
import io.puffgres.document.AttributeNames;
import io.puffgres.document.DocId;
import io.puffgres.document.DocIds;
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
import io.puffgres.transform.Action;
import io.puffgres.transform.Embedder;
import io.puffgres.transform.FailureKind;
import io.puffgres.transform.Transform;
import io.puffgres.transform.TransformContext;
import io.puffgres.transform.TransformLoadException;
import io.puffgres.transform.TransformMemoryException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;

/**
 * What one mapping does with a routed change, after the lookup stage: {@code dsl} membership, the transform, the
 * document stamped with {@code __source_lsn}, and the {@link Outcome} (a write, a skip, a failure for the DLQ). The
 * stream's writer, {@code puffgres dlq retry} and {@code puffgres verify} all decide here, so a retry or a check does
 * what the job does; {@link #requests()} makes the writes into requests. Not thread-safe: one instance per subtask or
 * command; {@link #close()} releases the transform.
 */
public final class MappingActions implements AutoCloseable {

    private final Migration migration;
    private final Transform transform;
    private final TransformContext context;
    private final DocumentSchema schema;
    private final WriteRequests requests;

    private Map<String, PgType> boundTypes;
    private BoundPredicate bound;
    private String bindError;

    /** @param context what {@code ctx} gives the transform ({@code ctx.embed}) */
    public MappingActions(Migration migration, Transform transform, TransformContext context) {
        this.migration = migration;
        this.transform = transform;
        this.context = context;
        this.schema = new DocumentSchema(migration);
        this.requests = new WriteRequests(migration, schema);
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
        return DocIds.parse(migration.id().type(), text);
    }

    /**
     * Membership ({@code dsl}; the other modes were decided by the lookup stage), then the transform, for a change
     * whose new row may belong to the mapping. A transform that throws gives {@link Action.Error} of kind {@link
     * FailureKind#TRANSFORM}; a predicate that cannot bind to the row's types one of kind {@link FailureKind#MEMBERSHIP}.
     *
     * @throws TransformMemoryException naming the mapping, when the transform keeps more memory than its limit or the
     *     heap is exhausted: the task fails instead of sending every later row to the DLQ
     */
    public Action decide(RowEvent event, DocId id) {
        Row row = event.after(); // unchanged-TOAST placeholders were filled by the lookup stage
        if (migration.membership().mode() == Membership.Mode.DSL) {
            Tri member = member(row);
            if (member == null) {
                return new Action.Error(FailureKind.MEMBERSHIP, bindError, "");
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
            StringWriter trace = new StringWriter();
            ex.printStackTrace(new PrintWriter(trace));
            return new Action.Error(FailureKind.TRANSFORM, String.valueOf(ex.getMessage()), trace.toString());
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
     * The outcome of {@code e} (a {@link MappedEvent.Kind#CHANGE} or {@link MappedEvent.Kind#DELETE} that passed the
     * LSN guard): a delete, or for a change {@link #decide} made into a write stamped with the change's LSN, a skip or
     * a failure. A TRUNCATE is no change of one document: its request is {@link WriteRequests#truncate}.
     *
     * @throws TransformMemoryException see {@link #decide}
     */
    public Outcome apply(MappedEvent e) {
        return apply(e, e.event().lsn());
    }

    /**
     * {@link #apply(MappedEvent)} with the write stamped {@code stamp} instead of the change's LSN: the stream's writer
     * orders fill rows and changes so (a fill row's horizon, a change below it stamped with it; docs/job.md, "Filling
     * a namespace"). The stamp is the document's {@code __source_lsn} and, without a {@code [versioning]} column, what
     * turbopuffer's conditional upsert compares.
     */
    public Outcome apply(MappedEvent e, long stamp) {
        DocId id = docId(e.id());
        return switch (e.kind()) {
            case DELETE -> new Outcome.Delete(id, stamp);
            case CHANGE -> outcome(decide(e.event(), id), id, stamp);
            case TRUNCATE ->
                throw new IllegalArgumentException("a TRUNCATE is written as a whole: WriteRequests.truncate");
        };
    }

    private Outcome outcome(Action action, DocId id, long lsn) {
        if (action instanceof Action.Upsert u) {
            schema.learn(u.document()); // now, while the document is in the cache; __source_lsn is declared up front
            // encoded now too: a request only copies the bytes when it is sent
            return new Outcome.Upsert(EncodedDocument.of(u.document(), AttributeNames.SOURCE_LSN, lsn), lsn);
        }
        if (action instanceof Action.Delete d) {
            return new Outcome.Delete(d.id(), lsn);
        }
        if (action instanceof Action.Skip s) {
            return new Outcome.Skip(s.reason());
        }
        Action.Error error = (Action.Error) action;
        FailureKind kind = FailureKind.of(error.kind());
        String message = kind.word().equals(error.kind()) ? error.message() : error.kind() + ": " + error.message();
        return new Failure(kind, id.toString(), message, error.detail());
    }

    /** Builds the requests of this mapping's writes. */
    public WriteRequests requests() {
        return requests;
    }

    @Override
    public void close() throws Exception {
        transform.close();
    }
}
