package io.puffgres.job;

import io.puffgres.dlq.DlqEntry;
import io.puffgres.dlq.DlqSink;
import io.puffgres.event.PgIdentifiers;
import io.puffgres.event.RelationId;
import io.puffgres.event.RowEvent;
import io.puffgres.fill.FillSource;
import io.puffgres.lookup.RowLookup;
import io.puffgres.migration.Membership;
import io.puffgres.pipeline.MappedEvent;
import io.puffgres.route.EventRouter;
import io.puffgres.sink.MappingWriter;
import io.puffgres.sink.StampFloor;
import io.puffgres.stream.JobSpec;
import io.puffgres.stream.MappedEventSerializer;
import io.puffgres.stream.WriterMetric;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamUtils;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The job graph: one source of changes (Flink CDC's stream or the poll source), then per mapping {@code <mapping>: route} → {@code <mapping>: lookup} →
 * keyBy(id) ({@link #keyById}) → {@code <mapping>: apply + write}, with a {@code <mapping>: fill} source joining it for
 * each fill the run makes; every DLQ entry goes to one Postgres sink.
 * Operator names carry the mapping name; uids carry name and version, so a restart restores each mapping's state and
 * a new version starts fresh.
 */
public final class PuffgresJob {

    /** Concurrent Postgres lookups per subtask (view and lookup membership, unchanged TOAST). */
    static final int LOOKUP_POOL = 4;

    private static final TypeInformation<DlqEntry> DLQ_TYPE = TypeInformation.of(DlqEntry.class);

    private PuffgresJob() {}

    /**
     * Adds the job to {@code env}: a pipeline per mapping key ({@link JobSpec#key}), in the order of {@code relations}.
     *
     * @param source the changes: Flink CDC's stream or the poll source
     * @param sourceName the source operator's name ({@code postgres cdc}, {@code postgres poll}); its uid follows it, so
     *     a run that switches source does not restore the other's state
     * @param relations the table CDC follows for each mapping key of {@code spec}
     * @param fills fill sources, each feeding the pipeline of its mapping's newest version: before the lookup stage
     *     for {@code lookup} membership (which decides it), else straight to the keyed writer
     */
    public static void build(
            StreamExecutionEnvironment env,
            JobSpec spec,
            Source<RowEvent, ?, ?> source,
            String sourceName,
            Map<String, RelationId> relations,
            List<FillSource> fills) {
        DataStream<RowEvent> events = env.fromSource(source, WatermarkStrategy.noWatermarks(), sourceName)
                .uid(sourceName.replace(' ', '-') + "-source");
        List<DataStream<DlqEntry>> dlq = new ArrayList<>();
        for (Map.Entry<String, RelationId> mapping : relations.entrySet()) {
            String name = mapping.getKey();
            String uid = JobSpec.mappingName(name) + "-v" + spec.versions().get(name);
            RelationId table = mapping.getValue();
            SingleOutputStreamOperator<MappedEvent> routed = events.process(
                            new EventRouter(spec, name, table.schema(), table.name(), env.getParallelism()),
                            MappedEventSerializer.TYPE)
                    .name(name + ": route")
                    .uid(uid + "-route");
            dlq.add(routed.getSideOutput(EventRouter.DLQ));
            List<DataStream<MappedEvent>> filled = new ArrayList<>();
            for (FillSource fill : fills) {
                if (fill.request().mapping().equals(name)) {
                    filled.add(env.fromSource(fill, WatermarkStrategy.noWatermarks(), fill.name())
                            .uid(fill.uid()));
                }
            }
            boolean lookupDecides = spec.mapping(name).membership().mode() == Membership.Mode.LOOKUP;
            SingleOutputStreamOperator<MappedEvent> looked = union(routed, lookupDecides ? filled : List.of())
                    .transform(
                            name + WriterMetric.LOOKUP_SUFFIX,
                            MappedEventSerializer.TYPE,
                            new RowLookup(spec, name, PgIdentifiers.quote(table), LOOKUP_POOL))
                    .uid(uid + "-lookup");
            dlq.add(keyById(union(looked, lookupDecides ? List.of() : filled), env.getParallelism())
                    .transform(
                            name + WriterMetric.WRITE_SUFFIX,
                            DLQ_TYPE,
                            filled.isEmpty()
                                    ? new MappingWriter(spec, name)
                                    : new MappingWriter(spec, name, StampFloor.walInsertPosition(spec)))
                    .uid(uid + "-write")
                    .setMaxParallelism(EventRouter.MAX_PARALLELISM));
        }
        DataStream<DlqEntry> all = dlq.get(0);
        if (dlq.size() > 1) {
            all = all.union(dlq.subList(1, dlq.size()).toArray(DataStream[]::new));
        }
        all.sinkTo(new DlqSink(spec)).name("dlq: postgres").uid("dlq-sink").setParallelism(1);
    }

    private static DataStream<MappedEvent> union(DataStream<MappedEvent> stream, List<DataStream<MappedEvent>> more) {
        return more.isEmpty() ? stream : stream.union(more.toArray(DataStream[]::new));
    }

    /**
     * The stream keyed by document id. At parallelism 1 every key group is the one writer subtask's, so the stream
     * is only declared keyed (a forward connection): the writer then runs in the source's task, without a shuffle
     * that serializes every change and deserializes it again. Keyed state is the same either way, so a run at
     * another parallelism restores it.
     */
    static KeyedStream<MappedEvent, String> keyById(DataStream<MappedEvent> events, int parallelism) {
        return parallelism == 1
                ? DataStreamUtils.reinterpretAsKeyedStream(events, MappedEvent::id, Types.STRING)
                : events.keyBy(MappedEvent::id, Types.STRING);
    }
}
