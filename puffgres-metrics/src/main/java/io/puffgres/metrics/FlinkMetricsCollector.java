package io.puffgres.metrics;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Quantile;
import io.prometheus.metrics.model.snapshots.Quantiles;
import io.prometheus.metrics.model.snapshots.SummarySnapshot;
import io.prometheus.metrics.model.snapshots.SummarySnapshot.SummaryDataPointSnapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.HistogramStatistics;
import org.apache.flink.metrics.Meter;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Flink metrics registered with the reporter, read at each scrape. As Flink's own Prometheus reporter does,
 * counters, gauges and meters (their per-second rate) are Prometheus gauges (a Flink counter may go down, and
 * restarts reset it), and a histogram is a summary with its quantiles and count. Gauges whose value is not a number
 * (nor a boolean, served as 1 or 0) are skipped: a string or a map has no place in a time series.
 *
 * <p>Thread-safe: Flink adds and removes metrics from its task threads while the HTTP server's threads scrape.
 */
final class FlinkMetricsCollector implements MultiCollector {

    private static final Logger LOG = LoggerFactory.getLogger(FlinkMetricsCollector.class);

    /** The quantiles a histogram is served with: Flink's own reporter's. */
    static final double[] QUANTILES = {0.5, 0.75, 0.95, 0.98, 0.99, 0.999};

    /** One series: its family and labels. */
    private record Series(String family, Labels labels) {}

    private final ConcurrentMap<Series, Metric> metrics = new ConcurrentHashMap<>();

    /** Serves {@code metric}, named {@code name} in {@code group}, from the next scrape on. */
    void add(Metric metric, String name, MetricGroup group) {
        Series series = new Series(PrometheusNames.family(group, name), PrometheusNames.labels(group));
        Metric before = metrics.put(series, metric);
        if (before != null && before != metric) {
            LOG.debug("metric {}{} registered twice; serving the newer one", series.family(), series.labels());
        }
    }

    /** Stops serving {@code metric} (a task or job ended); another metric registered since under its name stays. */
    void remove(Metric metric, String name, MetricGroup group) {
        metrics.remove(new Series(PrometheusNames.family(group, name), PrometheusNames.labels(group)), metric);
    }

    /** How many series are served. */
    int size() {
        return metrics.size();
    }

    @Override
    public MetricSnapshots collect() {
        Map<String, List<Map.Entry<Series, Metric>>> families = new TreeMap<>();
        for (Map.Entry<Series, Metric> e : metrics.entrySet()) {
            families.computeIfAbsent(e.getKey().family(), f -> new ArrayList<>())
                    .add(e);
        }
        List<MetricSnapshot> snapshots = new ArrayList<>(families.size());
        families.forEach((family, series) -> {
            boolean summary = series.get(0).getValue() instanceof Histogram;
            MetricSnapshot snapshot = summary ? summary(family, series) : gauge(family, series);
            if (snapshot != null) {
                snapshots.add(snapshot);
            }
        });
        return new MetricSnapshots(snapshots);
    }

    private static MetricSnapshot gauge(String family, List<Map.Entry<Series, Metric>> series) {
        GaugeSnapshot.Builder out = GaugeSnapshot.builder().name(family).help(help(family));
        int points = 0;
        for (Map.Entry<Series, Metric> e : series) {
            OptionalDouble value = value(e.getValue());
            if (value.isPresent()) {
                out.dataPoint(GaugeDataPointSnapshot.builder()
                        .value(value.getAsDouble())
                        .labels(e.getKey().labels())
                        .build());
                points++;
            }
        }
        return points == 0 ? null : out.build();
    }

    private static MetricSnapshot summary(String family, List<Map.Entry<Series, Metric>> series) {
        SummarySnapshot.Builder out = SummarySnapshot.builder().name(family).help(help(family));
        for (Map.Entry<Series, Metric> e : series) {
            if (e.getValue() instanceof Histogram histogram) { // a family is one kind; another kind is a name clash
                HistogramStatistics statistics = histogram.getStatistics();
                Quantiles.Builder quantiles = Quantiles.builder();
                for (double q : QUANTILES) {
                    quantiles.quantile(new Quantile(q, statistics.getQuantile(q)));
                }
                out.dataPoint(SummaryDataPointSnapshot.builder()
                        .count(histogram.getCount())
                        .quantiles(quantiles.build())
                        .labels(e.getKey().labels())
                        .build());
            }
        }
        return out.build();
    }

    /** A counter's count, a meter's rate, a numeric or boolean gauge's value; empty for anything else. */
    static OptionalDouble value(Metric metric) {
        if (metric instanceof Counter counter) {
            return OptionalDouble.of(counter.getCount());
        }
        if (metric instanceof Meter meter) {
            return OptionalDouble.of(meter.getRate());
        }
        if (metric instanceof Gauge<?> gauge) {
            Object value;
            try {
                value = gauge.getValue();
            } catch (RuntimeException e) { // one broken gauge must not fail the whole scrape
                LOG.debug("gauge {} failed: {}", gauge, e.toString());
                return OptionalDouble.empty();
            }
            if (value instanceof Number number) {
                return OptionalDouble.of(number.doubleValue());
            }
            if (value instanceof Boolean bool) {
                return OptionalDouble.of(bool ? 1 : 0);
            }
        }
        return OptionalDouble.empty();
    }

    private static String help(String family) {
        return "Flink metric " + family;
    }
}
