package io.puffgres.dlq;

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
    /** A short stable word: transform, type, id, attribute, membership, rejected. */
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

    @Override
    public String toString() {
        return mapping + " v" + version + " id " + docId + " at " + lsn + ": " + errorKind + ": " + message;
    }
}
