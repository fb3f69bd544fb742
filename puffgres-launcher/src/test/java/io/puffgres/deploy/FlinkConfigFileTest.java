package io.puffgres.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.configuration.MetricOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.contrib.streaming.state.RocksDBConfigurableOptions;
import org.apache.flink.streaming.api.environment.ExecutionCheckpointingOptions;
import org.junit.jupiter.api.Test;

/**
 * The repository's {@code flink-conf/config.yaml} as Flink itself reads it ({@link GlobalConfiguration}, the loader of
 * the cluster entrypoints and of the official image): a key Flink does not parse the way the file means it would show
 * up here as a default value.
 */
class FlinkConfigFileTest {

    /** The directory the embedded runs, {@code dev/cluster} and docker-compose.yml read. */
    static final Path FLINK_CONF = Path.of("..", "flink-conf");

    private static Configuration load() {
        return GlobalConfiguration.loadConfiguration(FLINK_CONF.toString());
    }

    @Test
    void keepsStateInRocksDbWithIncrementalCheckpointsRetainedOnCancel() {
        Configuration conf = load();
        assertThat(conf.get(StateBackendOptions.STATE_BACKEND)).isEqualTo("rocksdb");
        assertThat(conf.get(CheckpointingOptions.INCREMENTAL_CHECKPOINTS)).isTrue();
        assertThat(conf.get(RocksDBConfigurableOptions.USE_BLOOM_FILTER)).isTrue();
        assertThat(conf.get(CheckpointingOptions.MAX_RETAINED_CHECKPOINTS)).isEqualTo(3);
        assertThat(conf.get(ExecutionCheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION))
                .isEqualTo(ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        assertThat(conf.get(ExecutionCheckpointingOptions.CHECKPOINTING_INTERVAL))
                .isEqualTo(Duration.ofSeconds(10));
        assertThat(conf.get(ExecutionCheckpointingOptions.TOLERABLE_FAILURE_NUMBER))
                .isEqualTo(Integer.MAX_VALUE);
        assertThat(conf.get(CheckpointingOptions.CHECKPOINTS_DIRECTORY))
                .isEqualTo("file:///tmp/puffgres-cluster/checkpoints");
        assertThat(conf.get(CheckpointingOptions.SAVEPOINT_DIRECTORY))
                .isEqualTo("file:///tmp/puffgres-cluster/savepoints");
    }

    @Test
    void restartsWithExponentialDelay() {
        assertThat(load().get(RestartStrategyOptions.RESTART_STRATEGY)).isEqualTo("exponential-delay");
    }

    @Test
    void reportsMetricsThroughThePuffgresPrometheusReporterOnLoopback() {
        Configuration conf = load();
        assertThat(conf.get(MetricOptions.REPORTERS_LIST)).isEqualTo("prometheus");
        assertThat(conf.get(reporterKey("factory.class"))).isEqualTo("io.puffgres.metrics.PrometheusReporterFactory");
        assertThat(conf.get(reporterKey("host"))).isEqualTo("127.0.0.1");
        assertThat(conf.get(reporterKey("port"))).isEqualTo("9249-9269");
        assertThat(conf.get(MetricOptions.METRIC_FETCHER_UPDATE_INTERVAL)).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void servesTheRestApiOnLoopbackAndTakesJobJarsOfGraalJsSize() {
        Configuration conf = load();
        assertThat(conf.get(RestOptions.BIND_ADDRESS)).isEqualTo("localhost");
        assertThat(conf.get(RestOptions.PORT)).isEqualTo(8081);
        assertThat(conf.get(RestOptions.SERVER_MAX_CONTENT_LENGTH)).isGreaterThanOrEqualTo(256 << 20);
        assertThat(conf.get(RestOptions.CLIENT_MAX_CONTENT_LENGTH)).isGreaterThanOrEqualTo(256 << 20);
    }

    /** A key of the {@code prometheus} reporter; Flink declares these per reporter name, so no constant exists. */
    static org.apache.flink.configuration.ConfigOption<String> reporterKey(String key) {
        return ConfigOptions.key("metrics.reporter.prometheus." + key)
                .stringType()
                .noDefaultValue();
    }
}
