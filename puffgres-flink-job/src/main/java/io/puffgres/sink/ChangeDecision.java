package io.puffgres.sink;

import io.puffgres.config.ProjectConfig;
import io.puffgres.document.DocId;
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
import io.puffgres.transform.OpenAiEmbedder;
import io.puffgres.transform.Transform;
import io.puffgres.transform.TransformContext;
import io.puffgres.transform.TransformLoadException;
import java.nio.file.Path;
import java.util.Map;
import org.apache.flink.util.ExceptionUtils;

/**
 * What a row that may belong to a mapping does to its namespace: {@code dsl} membership (the predicate bound to the
 * row's column types, rebound when they change), then the mapping's transform. The one place both the job ({@link
 * MappingWriter}) and {@code puffgres verify} decide it, so verify expects exactly what the job writes. Not
 * thread-safe (the transform is not); {@link #close()} closes the transform.
 */
public final class ChangeDecision implements AutoCloseable {

    private final Migration migration;
    private final Transform transform;
    private final TransformContext context;

    private Map<String, PgType> boundTypes;
    private BoundPredicate bound;
    private String bindError;

    private ChangeDecision(Migration migration, Transform transform, TransformContext context) {
        this.migration = migration;
        this.transform = transform;
        this.context = context;
    }

    /**
     * The decision of {@code migration} with its transform built from {@code project} (Java transforms compiled into
     * {@code classesDir}) and {@code ctx.embed} backed by the project's {@code [embeddings]}.
     */
    public static ChangeDecision open(Project project, Migration migration, Path classesDir)
            throws TransformLoadException {
        Transform transform = new MigrationTransforms(project, classesDir).create(migration);
        return new ChangeDecision(migration, transform, contextFor(project.config()));
    }

    private static TransformContext contextFor(ProjectConfig config) {
        return config.embeddings()
                .map(e -> (Embedder) OpenAiEmbedder.from(e))
                .map(Embedder::asContext)
                .orElse(text -> {
                    throw new IllegalStateException("ctx.embed needs an [embeddings] table in puffgres.toml");
                });
    }

    /**
     * Membership, then the transform, for the new row of {@code event} (unchanged-TOAST placeholders already filled):
     * a non-member is a {@link Action.Delete}; a predicate that does not bind to the row's columns or a transform
     * that throws is an {@link Action.Error}.
     */
    public Action decide(RowEvent event, DocId id) {
        Row row = event.after();
        if (migration.membership().mode() == Membership.Mode.DSL) {
            BoundPredicate predicate = predicateFor(row);
            if (predicate == null) {
                return new Action.Error("membership", bindError, "");
            }
            if (predicate.test(row) != Tri.TRUE) {
                return new Action.Delete(id);
            }
        }
        try {
            return transform.apply(event, id, context);
        } catch (Exception ex) {
            return new Action.Error(
                    "transform", String.valueOf(ex.getMessage()), ExceptionUtils.stringifyException(ex));
        }
    }

    private BoundPredicate predicateFor(Row row) {
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
        return bound;
    }

    @Override
    public void close() throws Exception {
        transform.close();
    }
}
