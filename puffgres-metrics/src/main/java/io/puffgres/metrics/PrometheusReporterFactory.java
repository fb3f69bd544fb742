package io.puffgres.metrics;

import java.util.Properties;
import org.apache.flink.metrics.reporter.MetricReporter;
import org.apache.flink.metrics.reporter.MetricReporterFactory;

/**
 * Flink's entry point to {@link PrometheusReporter}: {@code metrics.reporter.<name>.factory.class:
 * io.puffgres.metrics.PrometheusReporterFactory}. Found through {@code META-INF/services} on the classpath (embedded
 * runs) or in {@code plugins/puffgres-metrics/} (a cluster).
 */
public final class PrometheusReporterFactory implements MetricReporterFactory {

    @Override
    public MetricReporter createMetricReporter(Properties properties) {
        return new PrometheusReporter();
    }
}
