package io.puffgres.source;

import io.puffgres.event.RowEvent;
import io.puffgres.testkit.PostgresCluster;
import io.puffgres.testkit.PostgresDatabase;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.cdc.connectors.base.options.StartupOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.SinkFunction;

/** The Flink CDC source as the job builds it, alone in a local MiniCluster, into a test's sink. */
public final class StreamFixture {

    private StreamFixture() {}

    /**
     * Starts the source on {@code tables} ({@code schema.table}) of {@code db} through {@code slot} and {@code
     * publication}, checkpointing every second.
     */
    public static JobClient start(
            PostgresDatabase db,
            List<String> tables,
            String slot,
            String publication,
            String plugin,
            StartupOptions startup,
            SinkFunction<RowEvent> sink)
            throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(1);
        env.enableCheckpointing(1000);
        env.fromSource(
                        PostgresCdcSources.build(new PostgresCdcSources.Settings(
                                "127.0.0.1",
                                PostgresCluster.shared().port(),
                                db.name(),
                                "postgres",
                                "unused",
                                Map.of(),
                                tables,
                                slot,
                                publication,
                                plugin,
                                startup,
                                Optional.empty())),
                        WatermarkStrategy.noWatermarks(),
                        "cdc")
                .addSink(sink);
        return env.executeAsync("stream " + slot);
    }
}
