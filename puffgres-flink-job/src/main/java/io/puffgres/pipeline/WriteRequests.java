package io.puffgres.pipeline;

import io.puffgres.client.Filter;
import io.puffgres.client.WriteRequest;
import io.puffgres.document.AttributeNames;
import io.puffgres.migration.Migration;
import io.puffgres.migration.Versioning;
import java.util.Collection;
import java.util.List;

/**
 * The one place a mapping's {@link Outcome.Write}s become turbopuffer write requests, for the stream's writer and for
 * {@code puffgres dlq retry}. Upserts apply only where the stored {@code __source_lsn} (or the {@code [versioning]}
 * column) is not newer than the incoming one ({@code Lte $ref_new}), and declare the {@link DocumentSchema} learned
 * so far. Not thread-safe (the schema grows): one per writer or command.
 */
public final class WriteRequests {

    private final String versionAttribute;
    private Filter upsertCondition;
    private final DocumentSchema schema;

    public WriteRequests(Migration migration, DocumentSchema schema) {
        this.versionAttribute = migration.versioning().mode() == Versioning.Mode.COLUMN
                ? migration.versioning().column().orElseThrow()
                : AttributeNames.SOURCE_LSN;
        this.upsertCondition = Filter.lte(versionAttribute, Filter.refNew(versionAttribute));
        this.schema = schema;
    }

    /**
     * From now on an upsert also applies where the stored {@code __source_lsn} is at or below {@code lsn}: {@code
     * ["Or", [[__source_lsn, Lte, $ref_new], [__source_lsn, Lte, lsn]]]}. A mapping writer that fills sets it to the
     * WAL insert position when it opens, so that a change below a fill row's horizon written by a run that died after
     * its checkpoint is not refused (docs/job.md, "Restores"). Only for {@code __source_lsn} versioning; a {@code
     * [versioning] column} keeps its condition.
     */
    public void floor(long lsn) {
        if (versionAttribute.equals(AttributeNames.SOURCE_LSN)) {
            upsertCondition = Filter.or(
                    Filter.lte(versionAttribute, Filter.refNew(versionAttribute)), Filter.lte(versionAttribute, lsn));
        }
    }

    /** One request of {@code writes}, whose ids are distinct; deletes are unconditional (the LSN guard ran). */
    public WriteRequest batch(Collection<? extends Outcome.Write> writes) {
        return builder(writes).build();
    }

    /**
     * A request of {@code write} alone, for a change replayed outside the stream's LSN guard: a delete, too, applies
     * only where the stored {@code __source_lsn} is not newer than the change's.
     */
    public WriteRequest replayed(Outcome.Write write) {
        WriteRequest.Builder b = builder(List.of(write));
        if (write instanceof Outcome.Delete d) {
            b.deleteCondition(Filter.lte(AttributeNames.SOURCE_LSN, d.lsn()));
        }
        return b.build();
    }

    /**
     * Deletes the mapping's documents written before a TRUNCATE at {@code lsn}: stamped at or below it. A stamp equal to
     * it is a fill row's horizon (or a change stamped with it) read before the TRUNCATE took its lock: its WAL record
     * can start exactly where the chunk read the insert position. No change of the stream has the TRUNCATE's own LSN.
     */
    public static WriteRequest truncate(long lsn) {
        return WriteRequest.builder()
                .deleteByFilter(Filter.lte(AttributeNames.SOURCE_LSN, lsn))
                .build();
    }

    private WriteRequest.Builder builder(Collection<? extends Outcome.Write> writes) {
        WriteRequest.Builder b = WriteRequest.builder();
        boolean anyUpsert = false;
        for (Outcome.Write w : writes) {
            if (w instanceof Outcome.Upsert u) {
                b.upsert(u.document());
                anyUpsert = true;
            } else {
                b.delete(w.id());
            }
        }
        if (anyUpsert) {
            b.upsertCondition(upsertCondition);
            b.schema(schema.current()); // holds the types of every document made so far (MappingActions.apply)
        }
        return b;
    }
}
