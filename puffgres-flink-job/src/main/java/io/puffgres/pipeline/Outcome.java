package io.puffgres.pipeline;

import io.puffgres.client.EncodedDocument;
import io.puffgres.document.DocId;

/**
 * What one routed change does to the mapping's namespace ({@link MappingActions#apply}): a {@link Write} to send, a
 * {@link Skip}, or a {@link Failure} for the DLQ.
 */
public sealed interface Outcome permits Outcome.Write, Outcome.Skip, Failure {

    /** A write of one document id; the writer sends it in a request of {@link WriteRequests}. */
    sealed interface Write extends Outcome permits Upsert, Delete {
        DocId id();

        /**
         * The document's {@code __source_lsn}: the WAL position of the change it comes from, or the stamp that orders it
         * against a fill row ({@link MappingActions#apply(MappedEvent, long)}).
         */
        long lsn();
    }

    /** Upsert {@code document}, encoded and stamped with its {@code __source_lsn}. */
    record Upsert(EncodedDocument document, long lsn) implements Write {
        @Override
        public DocId id() {
            return document.id();
        }
    }

    /** Delete the document of {@code id} (the row is gone, or is no member). */
    record Delete(DocId id, long lsn) implements Write {}

    /** Nothing to write: the transform skipped the change. */
    record Skip(String reason) implements Outcome {}
}
