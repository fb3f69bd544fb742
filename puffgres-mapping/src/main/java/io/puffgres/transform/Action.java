package io.puffgres.transform;

import io.puffgres.document.DocId;
import io.puffgres.document.Document;
import java.util.Objects;

/** What one change does to the namespace: the result of membership and the transform. */
public sealed interface Action {

    /** Write the whole document (replacing any previous version). */
    record Upsert(Document document) implements Action {
        public Upsert {
            Objects.requireNonNull(document, "document");
        }
    }

    /** Delete the document with this id (idempotent). */
    record Delete(DocId id) implements Action {
        public Delete {
            Objects.requireNonNull(id, "id");
        }
    }

    /** Leave the namespace unchanged; {@code reason} is for logs and metrics. */
    record Skip(String reason) implements Action {}

    /**
     * The change cannot be applied; it goes to the DLQ.
     *
     * @param kind a {@link FailureKind#word()} ({@code transform}, {@code type} …); another word is recorded as {@code
     *     transform}, with the word before the message
     * @param message one line naming the problem
     * @param detail more context (a JS stack, a Java stack trace), or empty
     */
    record Error(String kind, String message, String detail) implements Action {
        public Error {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(message, "message");
            detail = detail == null ? "" : detail;
        }

        public Error(FailureKind kind, String message, String detail) {
            this(kind.word(), message, detail);
        }
    }
}
