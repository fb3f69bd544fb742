package io.puffgres.poll;

import io.puffgres.event.RowEvent;
import io.puffgres.stream.JobSpec;
import io.puffgres.stream.RowEventSerializer;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * The wal2json poll source ({@code puffgres run --poll}, docs/job.md "Poll mode"): the job's changes read with
 * {@code pg_logical_slot_get_changes} over a plain SQL connection instead of the replication protocol, as the same
 * {@link RowEvent}s the streaming source emits. It reads through a copy of the job's slot and moves the job's slot only
 * when a checkpoint completes ({@link PollReader}); metrics in {@link PollFigures}.
 */
public final class PollSource implements Source<RowEvent, PollSplit, Boolean>, ResultTypeQueryable<RowEvent> {

    private static final long serialVersionUID = 1L;

    private final JobSpec spec;
    private final PollSettings settings;

    public PollSource(JobSpec spec, PollSettings settings) {
        this.spec = spec;
        this.settings = settings;
    }

    @Override
    public Boundedness getBoundedness() {
        return Boundedness.CONTINUOUS_UNBOUNDED;
    }

    @Override
    public SourceReader<RowEvent, PollSplit> createReader(SourceReaderContext context) {
        return new PollReader(
                spec, settings, new PollFigures(context.metricGroup()), "puffgres " + context.getIndexOfSubtask());
    }

    @Override
    public SplitEnumerator<PollSplit, Boolean> createEnumerator(SplitEnumeratorContext<PollSplit> context) {
        return new PollEnumerator(context, settings.slot(), false);
    }

    @Override
    public SplitEnumerator<PollSplit, Boolean> restoreEnumerator(
            SplitEnumeratorContext<PollSplit> context, Boolean assigned) {
        return new PollEnumerator(context, settings.slot(), assigned);
    }

    @Override
    public SimpleVersionedSerializer<PollSplit> getSplitSerializer() {
        return PollSplitSerializer.INSTANCE;
    }

    @Override
    public SimpleVersionedSerializer<Boolean> getEnumeratorCheckpointSerializer() {
        return PollSplitSerializer.Assigned.INSTANCE;
    }

    @Override
    public TypeInformation<RowEvent> getProducedType() {
        return RowEventSerializer.TYPE;
    }
}
