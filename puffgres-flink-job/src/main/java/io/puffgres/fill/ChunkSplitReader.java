package io.puffgres.fill;

import io.puffgres.event.RowEvent;
import io.puffgres.event.Snapshot;
import io.puffgres.migration.Migration;
import io.puffgres.stream.JobSpec;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.Deque;
import org.apache.flink.connector.base.source.reader.RecordsBySplits;
import org.apache.flink.connector.base.source.reader.RecordsWithSplitIds;
import org.apache.flink.connector.base.source.reader.splitreader.SplitReader;
import org.apache.flink.connector.base.source.reader.splitreader.SplitsAddition;
import org.apache.flink.connector.base.source.reader.splitreader.SplitsChange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A reader's fetcher: reads its chunks one after another with {@link ChunkReader} (a sweep page with {@link
 * SweepReader}), handing rows to the task a batch at a time. Flink's queue between this fetcher and the task holds two
 * batches, so a task that cannot emit (back pressure) stops the fetcher, and the reader holds a few batches however
 * large the chunk. Runs on the fetcher thread; {@link #cancel} may come from another.
 */
final class ChunkSplitReader implements SplitReader<ChunkSplitReader.FillRow, ChunkSplit> {

    private static final Logger LOG = LoggerFactory.getLogger(ChunkSplitReader.class);

    /** One row read and the snapshot it was read in, on its way from the fetcher to the task. */
    record FillRow(RowEvent event, Snapshot snapshot) {}

    private final JobSpec spec;
    private final FillRequest request;
    private final int batchRows;
    private final Deque<ChunkSplit> chunks = new ArrayDeque<>();

    private Connection connection;
    private ChunkReader reader;
    private SweepReader sweeper;
    private ChunkSplit current;
    private volatile ChunkReader.Cursor cursor;

    ChunkSplitReader(JobSpec spec, FillRequest request, int batchRows) {
        this.spec = spec;
        this.request = request;
        this.batchRows = batchRows;
    }

    @Override
    public RecordsWithSplitIds<FillRow> fetch() throws IOException {
        RecordsBySplits.Builder<FillRow> batch = new RecordsBySplits.Builder<>();
        try {
            if (cursor == null) {
                current = chunks.poll();
                if (current == null) {
                    return batch.build();
                }
                if (current.chunk().kind() == Chunk.Kind.SWEEP) {
                    return sweep(batch);
                }
                cursor = reader().open(connection, current.chunk());
            }
            String split = current.splitId();
            cursor.read(batchRows, (row, snapshot) -> batch.add(split, new FillRow(row, snapshot)));
            if (cursor.exhausted()) {
                cursor.close();
                cursor = null;
                batch.addFinishedSplit(split);
            }
            return batch.build();
        } catch (SQLException | FillTableException e) {
            throw new IOException(
                    "fill " + request.fillId() + " of mapping " + request.mapping() + ": cannot read chunk "
                            + (current == null ? "" : current.chunk()) + ": " + e.getMessage(),
                    e);
        }
    }

    /** A sweep page, read whole in one batch (a page holds at most {@link NamespaceIds#PAGE_SIZE} ids). */
    private RecordsWithSplitIds<FillRow> sweep(RecordsBySplits.Builder<FillRow> batch)
            throws SQLException, FillTableException {
        String split = current.splitId();
        reader(); // resolves the table
        sweeper.read(connection, current.chunk(), (row, snapshot) -> batch.add(split, new FillRow(row, snapshot)));
        batch.addFinishedSplit(split);
        return batch.build();
    }

    /** The chunk reader, once the table is resolved on this reader's own connection. */
    private ChunkReader reader() throws SQLException, FillTableException {
        if (reader == null) {
            connection = spec.connect();
            Migration migration = FillSource.migration(spec, request);
            FillTable table = FillTable.resolve(connection, migration);
            reader = new ChunkReader(table, batchRows);
            sweeper = new SweepReader(table, migration.id().type());
        }
        return reader;
    }

    @Override
    public void handleSplitsChanges(SplitsChange<ChunkSplit> change) {
        if (change instanceof SplitsAddition<ChunkSplit> added) {
            chunks.addAll(added.splits());
        }
    }

    @Override
    public void wakeUp() {
        // fetch() returns after one batch; nothing blocks for long enough to need waking
    }

    /** Stops a running chunk query, so that closing the reader does not wait for Postgres. */
    void cancel() {
        ChunkReader.Cursor running = cursor;
        if (running != null) {
            try {
                running.cancel();
            } catch (SQLException e) {
                LOG.warn("fill {}: cannot cancel the chunk query: {}", request.fillId(), e.getMessage());
            }
        }
    }

    @Override
    public void close() throws Exception {
        try {
            if (cursor != null) {
                cursor.close();
            }
        } catch (SQLException e) {
            // the connection goes next; an aborted chunk is read again by whoever gets it
        } finally {
            if (connection != null) {
                connection.close();
            }
        }
    }
}
