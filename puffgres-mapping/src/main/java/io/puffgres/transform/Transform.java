package io.puffgres.transform;

import io.puffgres.document.DocId;
import io.puffgres.event.RowEvent;

/**
 * Turns a member row into an {@link Action}. Implement this to write a Java transform.
 *
 * <p>puffgres calls {@link #apply} only for INSERT, UPDATE and READ events whose new row belongs to the
 * mapping; deletes and rows leaving the membership set are handled without the transform. {@code id} is the
 * document id already derived from the mapping's id column. Implementations must be deterministic (same
 * event, same result) because events may be replayed, and need not be thread-safe: each parallel
 * instance gets its own transform. Throwing is allowed; it becomes {@link Action.Error}.
 */
public interface Transform extends AutoCloseable {

    Action apply(RowEvent event, DocId id, TransformContext ctx) throws Exception;

    @Override
    default void close() throws Exception {}
}
