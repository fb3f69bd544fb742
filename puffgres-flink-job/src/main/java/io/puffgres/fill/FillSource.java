package io.puffgres.fill;

import io.puffgres.migration.Migration;
import io.puffgres.pipeline.MappedEvent;
import io.puffgres.stream.JobSpec;
import io.puffgres.stream.MappedEventSerializer;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MeterView;
import org.apache.flink.metrics.groups.SourceReaderMetricGroup;

/**
 * A fill of one mapping's namespace as a bounded Flink source: the mapping's table read in chunks by key range, each
 * chunk in a snapshot of its own, its rows emitted as {@link MappedEvent#filled} with the document id the stream would
 * give them, for the mapping's keyed writer (docs/job.md, "Filling a namespace"). A fill that sweeps ({@link
 * FillRequest#sweep()}) then pages through the namespace's document ids, each page in a snapshot of its own, and
 * emits {@link MappedEvent#absent} for each id without a member row, which the writer deletes where the per-id rules
 * let it. It ends once every chunk and page is read; the job's checkpoints go on after it. Resumable: a restore reads
 * only the chunks and pages not finished in its checkpoint.
 *
 * <p>Metrics: on each reader {@code fillRowsRead} and {@code fillRowsPerSecond} (and {@code fillDlq}, rows whose id
 * went to the DLQ; {@code fillAbsent}, ids the sweep found without a member row); on the enumerator (JobManager
 * operator metrics) {@code fillChunksDone}, {@code fillRowsDone}, {@code fillChunksTotal} (-1 until every chunk is
 * planned) and {@code fillRowsEstimate} (-1 unknown). The ledger ({@link FillLedger}) row of {@link
 * FillRequest#fillId()} records start, progress, end or failure.
 */
public final class FillSource
        implements Source<MappedEvent, ChunkSplit, FillEnumeratorState>, ResultTypeQueryable<MappedEvent> {

    private static final long serialVersionUID = 1L;

    private final JobSpec spec;
    private final FillRequest request;

    public FillSource(JobSpec spec, FillRequest request) {
        this.spec = spec;
        this.request = request;
    }

    /** The uid to give the source's operator: per fill, so another fill of the same mapping starts afresh. */
    public String uid() {
        return request.mapping() + "-v" + request.version() + "-fill-" + request.fillId();
    }

    /** The operator's name, as the web UI shows it. */
    public String name() {
        return request.mapping() + ": fill";
    }

    public FillRequest request() {
        return request;
    }

    @Override
    public Boundedness getBoundedness() {
        return Boundedness.BOUNDED;
    }

    @Override
    public SourceReader<MappedEvent, ChunkSplit> createReader(SourceReaderContext context) {
        SourceReaderMetricGroup metrics = context.metricGroup();
        Counter rows = metrics.counter("fillRowsRead");
        metrics.meter("fillRowsPerSecond", new MeterView(rows));
        Counter dlq = metrics.counter("fillDlq");
        Counter absent = metrics.counter("fillAbsent");
        return new FillReader(
                () -> new ChunkSplitReader(spec, request, ChunkReader.DEFAULT_FETCH_SIZE),
                new FillEmitter(spec, migration(spec, request), rows, dlq, absent),
                context);
    }

    @Override
    public SplitEnumerator<ChunkSplit, FillEnumeratorState> createEnumerator(
            SplitEnumeratorContext<ChunkSplit> context) {
        return new FillEnumerator(context, spec, request, null);
    }

    @Override
    public SplitEnumerator<ChunkSplit, FillEnumeratorState> restoreEnumerator(
            SplitEnumeratorContext<ChunkSplit> context, FillEnumeratorState state) {
        return new FillEnumerator(context, spec, request, state);
    }

    @Override
    public SimpleVersionedSerializer<ChunkSplit> getSplitSerializer() {
        return ChunkSplitSerializer.INSTANCE;
    }

    @Override
    public SimpleVersionedSerializer<FillEnumeratorState> getEnumeratorCheckpointSerializer() {
        return FillEnumeratorStateSerializer.INSTANCE;
    }

    @Override
    public TypeInformation<MappedEvent> getProducedType() {
        return MappedEventSerializer.TYPE;
    }

    /** The migration a fill reads: the mapping at the fill's version (the job may run an older one beside it). */
    static Migration migration(JobSpec spec, FillRequest request) {
        return spec.project().migrations().stream()
                .filter(m -> m.mappingName().equals(request.mapping()) && m.version() == request.version())
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("fill " + request.fillId() + ": mapping "
                        + request.mapping() + " v" + request.version() + " is not in the project"));
    }
}
