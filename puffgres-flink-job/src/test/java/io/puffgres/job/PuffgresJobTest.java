package io.puffgres.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.puffgres.dlq.DlqEntry;
import io.puffgres.event.Op;
import io.puffgres.event.RelationId;
import io.puffgres.event.RowEvent;
import io.puffgres.pipeline.MappedEvent;
import io.puffgres.route.EventRouter;
import io.puffgres.sink.MappingWriter;
import io.puffgres.stream.JobSpec;
import io.puffgres.stream.MappedEventSerializer;
import io.puffgres.stream.WriterMetric;
import java.time.Instant;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.jobgraph.JobVertex;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;

class PuffgresJobTest {

    @Test
    void atParallelismOneTheWriterRunsInTheTaskBeforeIt() {
        JobGraph graph = graph(1);
        assertThat(graph.getNumberOfVertices()).isEqualTo(1);
        assertThat(graph.getVertices().iterator().next().getName()).endsWith("-> items" + WriterMetric.WRITE_SUFFIX);
    }

    @Test
    void atHigherParallelismChangesAreShuffledByDocumentId() {
        JobGraph graph = graph(2);
        assertThat(graph.getNumberOfVertices()).isEqualTo(2);
        JobVertex writer = graph.getVerticesSortedTopologicallyFromSources().get(1);
        assertThat(writer.getName()).isEqualTo("items" + WriterMetric.WRITE_SUFFIX);
        assertThat(writer.getInputs().get(0).getShipStrategyName()).isEqualTo("HASH");
    }

    /** Changes → keyById → a mapping writer, at {@code parallelism}. */
    private static JobGraph graph(int parallelism) {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(parallelism);
        DataStream<MappedEvent> changes = env.fromSequence(1, 10)
                .map(
                        n -> new MappedEvent(
                                n.toString(),
                                MappedEvent.Kind.DELETE,
                                new RowEvent(
                                        Op.TRUNCATE,
                                        new RelationId("public", "items"),
                                        null,
                                        null,
                                        n,
                                        n,
                                        Instant.EPOCH)),
                        MappedEventSerializer.TYPE);
        PuffgresJob.keyById(changes, parallelism)
                .transform(
                        "items" + WriterMetric.WRITE_SUFFIX,
                        TypeInformation.of(DlqEntry.class),
                        new MappingWriter(new JobSpec("/nowhere", 0, "puffgres", Map.of("items", 1), false), "items"))
                .setMaxParallelism(EventRouter.MAX_PARALLELISM);
        return env.getStreamGraph().getJobGraph();
    }
}
