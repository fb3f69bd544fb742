package io.puffgres.fill;

import io.puffgres.pipeline.MappedEvent;
import io.puffgres.stream.JobSpec;
import io.puffgres.stream.MappedEventSerializer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.jobgraph.SavepointRestoreSettings;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.SinkFunction;
import org.apache.flink.streaming.api.functions.source.SourceFunction;

/**
 * A MiniCluster running jobs of one fill source into a collecting sink, beside an idle unbounded source that stands for
 * the stream (so the job, and its checkpoints, go on after the fill ends, as in puffgres's job).
 */
final class FillCluster implements AutoCloseable {

    /** Times each document id was emitted, per run (the MiniCluster runs in this JVM). */
    static final Map<String, Map<String, AtomicInteger>> SEEN = new ConcurrentHashMap<>();

    /** Times each document id was found absent by a sweep, per run. */
    static final Map<String, Map<String, AtomicInteger>> ABSENT = new ConcurrentHashMap<>();

    private final MiniCluster cluster;

    FillCluster() throws Exception {
        cluster = new MiniCluster(new MiniClusterConfiguration.Builder()
                .setConfiguration(new Configuration())
                .setNumTaskManagers(1)
                .setNumSlotsPerTaskManager(4)
                .build());
        cluster.start();
    }

    /** Starts {@code source} at parallelism {@code parallelism}, restoring {@code savepoint} when given. */
    JobID start(String run, JobSpec spec, FillRequest request, int parallelism, Path savepoint) throws Exception {
        SEEN.put(run, new ConcurrentHashMap<>());
        ABSENT.put(run, new ConcurrentHashMap<>());
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(parallelism);
        env.enableCheckpointing(Duration.ofMillis(200).toMillis());
        FillSource source = new FillSource(spec, request);
        DataStream<MappedEvent> fill = env.fromSource(source, WatermarkStrategy.noWatermarks(), source.name())
                .uid(source.uid());
        DataStream<MappedEvent> stream =
                env.addSource(new Idle(), "stream", MappedEventSerializer.TYPE).setParallelism(1);
        fill.union(stream).addSink(new Collect(run)).name("collect");
        JobGraph graph = env.getStreamGraph().getJobGraph();
        if (savepoint != null) {
            graph.setSavepointRestoreSettings(SavepointRestoreSettings.forPath(savepoint.toString(), false));
        }
        return cluster.submitJob(graph).get().getJobID();
    }

    /** A savepoint of the running job (it goes on running). */
    Path savepoint(JobID job, Path dir) throws Exception {
        return Path.of(java.net.URI.create(
                cluster.triggerSavepoint(job, dir.toUri().toString(), false, SavepointFormatType.CANONICAL)
                        .get()));
    }

    void cancel(JobID job) throws Exception {
        cluster.cancelJob(job).get();
        cluster.requestJobResult(job).get();
    }

    @Override
    public void close() throws Exception {
        cluster.close();
    }

    /** Counts each document id it receives under its run, rows and absent ids apart; checks each is a fill's. */
    private static final class Collect implements SinkFunction<MappedEvent> {
        private static final long serialVersionUID = 1L;
        private final String run;

        Collect(String run) {
            this.run = run;
        }

        @Override
        public void invoke(MappedEvent e, Context context) {
            if (!e.isFill()
                    || e.kind() == MappedEvent.Kind.TRUNCATE
                    || e.event().lsn() != e.fill().horizon()) {
                throw new IllegalStateException("not a fill row: " + e);
            }
            (e.kind() == MappedEvent.Kind.DELETE ? ABSENT : SEEN)
                    .get(run)
                    .computeIfAbsent(e.id(), id -> new AtomicInteger())
                    .incrementAndGet();
        }
    }

    /** Emits nothing until cancelled: the stream beside the fill. */
    private static final class Idle implements SourceFunction<MappedEvent> {
        private static final long serialVersionUID = 1L;
        private transient CountDownLatch cancelled;

        @Override
        public void run(SourceContext<MappedEvent> ctx) throws InterruptedException {
            cancelled = new CountDownLatch(1);
            cancelled.await();
        }

        @Override
        public void cancel() {
            if (cancelled != null) {
                cancelled.countDown();
            }
        }
    }
}
