package io.puffgres.dlq;

import io.puffgres.event.RowEvent;
import java.time.Instant;
import java.util.Optional;

/**
 * One row of the DLQ table as {@code puffgres dlq} reads it. Immutable.
 *
 * @param lsn WAL position of the change (unsigned)
 * @param version the mapping version that failed
 * @param event the change as {@link EventJson} text
 * @param retryCount how many {@code dlq retry} runs failed again
 * @param resolvedAt when a retry succeeded; empty while unresolved
 */
public record DlqRecord(
        long id,
        long lsn,
        String mapping,
        int version,
        String namespace,
        String docId,
        String event,
        String errorKind,
        String errorMessage,
        String errorDetail,
        int retryCount,
        Instant firstFailedAt,
        Instant lastFailedAt,
        Optional<Instant> resolvedAt) {

    /** The LSN in Postgres notation. */
    public String lsnText() {
        return RowEvent.lsnText(lsn);
    }
}
