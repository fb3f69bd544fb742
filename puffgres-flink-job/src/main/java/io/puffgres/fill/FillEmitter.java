package io.puffgres.fill;

import io.puffgres.dlq.DlqEntry;
import io.puffgres.dlq.DlqSink;
import io.puffgres.dlq.DlqTable;
import io.puffgres.event.Op;
import io.puffgres.migration.Migration;
import io.puffgres.pipeline.Failure;
import io.puffgres.pipeline.MappedEvent;
import io.puffgres.pipeline.Router;
import io.puffgres.pipeline.Routing;
import io.puffgres.stream.JobSpec;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import org.apache.flink.api.connector.source.SourceOutput;
import org.apache.flink.connector.base.source.reader.RecordEmitter;
import org.apache.flink.metrics.Counter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Emits a fill's rows on the reader's task thread: each row is routed as the stream routes a change ({@link Router}:
 * the document id, only the mapping's columns) and emitted as {@link MappedEvent#filled} with its chunk's snapshot (a
 * sweep's DELETE of an id without a member row as {@link MappedEvent#absent}). A
 * row whose id cannot be a document id (NULL, negative, too long) goes to the DLQ as the route stage sends it, with
 * the same entry ({@link DlqEntry#of}), written before the chunk is reported finished; {@code --strict} stops there.
 */
final class FillEmitter implements RecordEmitter<ChunkSplitReader.FillRow, MappedEvent, ChunkProgress> {

    private static final Logger LOG = LoggerFactory.getLogger(FillEmitter.class);

    private final JobSpec spec;
    private final Migration migration;
    private final Router router;
    private final Counter rowsRead;
    private final Counter dlq;
    private final Counter absent;
    private DlqTable dlqTable;
    private Connection dlqConnection;

    FillEmitter(JobSpec spec, Migration migration, Counter rowsRead, Counter dlq, Counter absent) {
        this.spec = spec;
        this.migration = migration;
        // a TRUNCATE never comes from a fill, so no truncate keys; every fill row carries its own LSN
        this.router = new Router(migration, spec.snapshotLsn(), List.of());
        this.rowsRead = rowsRead;
        this.dlq = dlq;
        this.absent = absent;
    }

    @Override
    public void emitRecord(ChunkSplitReader.FillRow row, SourceOutput<MappedEvent> output, ChunkProgress progress)
            throws SQLException {
        Routing routing = router.route(row.event());
        for (MappedEvent change : routing.changes()) {
            output.collect(
                    change.kind() == MappedEvent.Kind.DELETE
                            ? MappedEvent.absent(change.id(), change.event(), row.snapshot())
                            : MappedEvent.filled(change.id(), change.event(), row.snapshot()));
        }
        for (Failure failure : routing.failures()) {
            toDlq(DlqEntry.of(migration, routing.event(), failure));
        }
        if (row.event().op() == Op.DELETE) {
            absent.inc(); // a sweep's finding, no row read: the ledger's rows stay the table's
        } else {
            progress.rows++;
            rowsRead.inc();
        }
    }

    private void toDlq(DlqEntry entry) throws SQLException {
        if (spec.strict()) {
            DlqSink.recordAndStop(spec, entry);
        }
        if (dlqConnection == null) {
            dlqTable = new DlqTable(spec.stateSchema());
            dlqConnection = spec.connect();
            dlqTable.ensure(dlqConnection);
        }
        if (dlqTable.insert(dlqConnection, entry)) {
            LOG.warn("DLQ: {}", entry);
        }
        dlq.inc();
    }

    void close() throws SQLException {
        if (dlqConnection != null) {
            dlqConnection.close();
        }
    }
}
