package io.puffgres.sink;

import io.puffgres.document.DocId;
import io.puffgres.event.RowEvent;
import io.puffgres.pipeline.Outcome;

/**
 * A write waiting in a {@link WriteScheduler}: the pipeline's {@code write} of the change {@code event}, under the
 * stream's {@code key} (its id's text form). Immutable.
 *
 * @param bytes about its share of a request, for {@code batch_max_bytes} (a built request's size is checked exactly)
 * @param fill whether a fill read the row (its event's LSN is the fill's horizon, no change's position)
 */
record Pending(String key, Outcome.Write write, RowEvent event, int bytes, boolean fill) {

    /** A pending {@code write} of {@code event} under {@code key}, with its size. */
    static Pending of(String key, Outcome.Write write, RowEvent event, boolean fill) {
        int bytes = write instanceof Outcome.Upsert u
                ? u.document().size()
                : write.id().toString().length() + 4;
        return new Pending(key, write, event, bytes, fill);
    }

    DocId id() {
        return write.id();
    }
}
