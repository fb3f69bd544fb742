package io.puffgres.pipeline;

import io.puffgres.transform.FailureKind;
import java.util.Objects;

/**
 * A change the pipeline could not apply: data, not an exception. The stream sends it to the DLQ (or stops with {@code
 * --strict}); {@code puffgres dlq retry} records it as the entry's new error.
 *
 * @param docId the document id in text form, or the raw id value when it is no valid id
 * @param message one line naming the problem
 * @param detail a JS stack, a Java trace, a server message; may be empty
 */
public record Failure(FailureKind kind, String docId, String message, String detail) implements Outcome {

    public Failure {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(docId, "docId");
        Objects.requireNonNull(message, "message");
        detail = detail == null ? "" : detail;
    }
}
