package io.puffgres.metrics;

import java.util.Arrays;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.HistogramStatistics;

/** A histogram over every value it got, its quantiles by nearest rank (Flink's own ones live in flink-runtime). */
final class SampleHistogram implements Histogram {

    private long[] values = new long[0];

    @Override
    public void update(long value) {
        values = Arrays.copyOf(values, values.length + 1);
        values[values.length - 1] = value;
    }

    @Override
    public long getCount() {
        return values.length;
    }

    @Override
    public HistogramStatistics getStatistics() {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        return new HistogramStatistics() {
            @Override
            public double getQuantile(double quantile) {
                return sorted.length == 0 ? Double.NaN : sorted[(int) Math.ceil(quantile * sorted.length) - 1];
            }

            @Override
            public long[] getValues() {
                return sorted.clone();
            }

            @Override
            public int size() {
                return sorted.length;
            }

            @Override
            public double getMean() {
                return Arrays.stream(sorted).average().orElse(Double.NaN);
            }

            @Override
            public double getStdDev() {
                return 0;
            }

            @Override
            public long getMax() {
                return sorted.length == 0 ? 0 : sorted[sorted.length - 1];
            }

            @Override
            public long getMin() {
                return sorted.length == 0 ? 0 : sorted[0];
            }
        };
    }
}
