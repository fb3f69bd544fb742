package io.puffgres.metrics;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricConfig;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.reporter.MetricReporter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Flink metrics reporter that serves every metric of its process (JobManager, TaskManager, or an embedded
 * MiniCluster) to Prometheus over HTTP, named and labelled as {@link PrometheusNames} says. Options, under
 * {@code metrics.reporter.<name>.}: {@code host} (default {@value #DEFAULT_HOST}) and {@code port} (one port or a
 * range such as {@code 9249-9269}; the first free one is taken; default {@value #DEFAULT_PORT}).
 *
 * <p>Pull only: nothing is computed until Prometheus scrapes; a metric removed by Flink (its task or job ended) is
 * gone from the next scrape. Each reporter has its own registry, so two MiniClusters in one JVM do not mix.
 */
public final class PrometheusReporter implements MetricReporter {

    private static final Logger LOG = LoggerFactory.getLogger(PrometheusReporter.class);

    /** Loopback unless widened: the metrics name jobs, tables and hosts. */
    static final String DEFAULT_HOST = "127.0.0.1";

    /** The port Flink's own Prometheus reporter uses by default. */
    static final String DEFAULT_PORT = "9249";

    private final FlinkMetricsCollector metrics = new FlinkMetricsCollector();
    private MetricsEndpoint endpoint;

    @Override
    public void open(MetricConfig config) {
        String host = config.getString("host", DEFAULT_HOST).strip();
        PortRange ports = PortRange.parse(config.getString("port", DEFAULT_PORT));
        PrometheusRegistry registry = new PrometheusRegistry();
        registry.register(metrics);
        endpoint = MetricsEndpoint.start(host, ports, registry);
        LOG.info("Prometheus metrics reporter serving {}", endpoint.url());
    }

    /** Where the metrics are served, {@code http://host:port/metrics}; null before {@link #open}. */
    public String url() {
        return endpoint == null ? null : endpoint.url();
    }

    @Override
    public void close() {
        if (endpoint != null) {
            endpoint.close();
            endpoint = null;
        }
    }

    @Override
    public void notifyOfAddedMetric(Metric metric, String name, MetricGroup group) {
        metrics.add(metric, name, group);
    }

    @Override
    public void notifyOfRemovedMetric(Metric metric, String name, MetricGroup group) {
        metrics.remove(metric, name, group);
    }
}
