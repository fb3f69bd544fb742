package io.puffgres.dlq;

import io.puffgres.event.RowEvent;
import io.puffgres.migration.Migration;
import io.puffgres.pipeline.Failure;
import io.puffgres.transform.FailureKind;

/**
 * One change puffgres could not apply, on its way to {@code <state schema>.dlq}. A Flink POJO (public fields,
 * no-argument constructor), so it is serialized without Kryo.
 */
public class DlqEntry {

    /** WAL position of the change. */
    public long lsn;

    public String mapping;
    public int version;
    public String namespace;
    /** The document id in text form, or the raw id value when it could not be converted. */
    public String docId;
    /** The change as JSON ({@link EventJson}), so it can be inspected and retried. */
    public String event;
    /** Why: a {@link FailureKind#word()} (transform, type, id, attribute, membership, rejected …). */
    public String errorKind;

    public String message;
    /** A JS stack, a server message; may be empty. */
    public String detail;

    public DlqEntry() {}

    public DlqEntry(
            long lsn,
            String mapping,
            int version,
            String namespace,
            String docId,
            String event,
            String errorKind,
            String message,
            String detail) {
        this.lsn = lsn;
        this.mapping = mapping;
        this.version = version;
        this.namespace = namespace;
        this.docId = docId;
        this.event = event;
        this.errorKind = errorKind;
        this.message = message;
        this.detail = detail == null ? "" : detail;
    }

    /** The entry of {@code event}, a change of mapping {@code m} that failed with {@code failure}. */
    public static DlqEntry of(Migration m, RowEvent event, Failure failure) {
        return new DlqEntry(
                event.lsn(),
                m.mappingName(),
                m.version(),
                m.namespace(),
                failure.docId(),
                EventJson.encode(event),
                failure.kind().word(),
                failure.message(),
                failure.detail());
    }

    @Override
    public String toString() {
        return mapping + " v" + version + " id " + docId + " at " + lsn + ": " + errorKind + ": " + message;
    }
}
