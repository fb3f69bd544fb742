package io.puffgres.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MeterView;
import org.apache.flink.metrics.MetricConfig;
import org.apache.flink.metrics.SimpleCounter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PrometheusReporterTest {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    private PrometheusReporter reporter(String port) {
        MetricConfig config = new MetricConfig();
        config.setProperty("port", port);
        PrometheusReporter reporter = new PrometheusReporter();
        reporter.open(config);
        open.add(reporter::close);
        return reporter;
    }

    /** A port bound on loopback for as long as the test runs. */
    private ServerSocket hold(int port) throws IOException {
        ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress());
        open.add(socket);
        return socket;
    }

    /** The sample lines of a scrape (no comments), as Prometheus reads them. */
    private static List<String> scrape(PrometheusReporter reporter) throws Exception {
        String body = HTTP.send(
                        HttpRequest.newBuilder(URI.create(reporter.url())).build(), BodyHandlers.ofString())
                .body();
        return body.lines().filter(l -> !l.startsWith("#") && !l.isBlank()).toList();
    }

    @Test
    void servesOnLoopbackAtTheFirstFreePortOfTheRange() throws Exception {
        ServerSocket taken = hold(0);
        int first = taken.getLocalPort();
        PrometheusReporter reporter = reporter(first + "-" + (first + 20));
        assertThat(reporter.url()).startsWith("http://127.0.0.1:").endsWith("/metrics");
        int port = URI.create(reporter.url()).getPort();
        assertThat(port).isBetween(first + 1, first + 20);
        assertThat(scrape(reporter)).isEmpty();
    }

    @Test
    void noFreePortInTheRangeFailsNamingTheRange() throws Exception {
        int first = hold(0).getLocalPort();
        assertThatThrownBy(() -> reporter(String.valueOf(first)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith(
                        "no port of " + first + " is free on 127.0.0.1 for the Prometheus metrics" + " reporter")
                .hasMessageContaining("widen metrics.reporter.<name>.port");
    }

    @Test
    void aMalformedPortIsRefusedWithWhatItGot() {
        assertThatThrownBy(() -> reporter("92x49"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("metrics.reporter.<name>.port must be a port or a range such as 9249-9269 (got \"92x49\")");
        assertThatThrownBy(() -> PortRange.parse("9300-9200")).isInstanceOf(IllegalArgumentException.class);
        assertThat(PortRange.parse(" 9249 - 9269 ")).isEqualTo(new PortRange(9249, 9269));
        assertThat(PortRange.parse("9249").toString()).isEqualTo("9249");
    }

    @Test
    void servesEachKindOfMetricWithItsLabelsUntilItIsRemoved() throws Exception {
        PrometheusReporter reporter = reporter("0");
        FakeMetricGroup writer =
                FakeMetricGroup.operator("puffgres", "orders: apply + write", "orders: apply + write", 0);
        SimpleCounter events = new SimpleCounter();
        events.inc(42);
        Gauge<Long> lag = () -> 1500L;
        Gauge<Boolean> snapshotting = () -> true;
        Gauge<String> text = () -> "not a number";
        SampleHistogram latency = new SampleHistogram();
        for (long ms = 1; ms <= 100; ms++) {
            latency.update(ms);
        }
        MeterView rate = new MeterView(events, 10);
        reporter.notifyOfAddedMetric(events, "eventsIn", writer);
        reporter.notifyOfAddedMetric(lag, "lagMs", writer);
        reporter.notifyOfAddedMetric(snapshotting, "isSnapshotting", writer);
        reporter.notifyOfAddedMetric(text, "description", writer);
        reporter.notifyOfAddedMetric(latency, "writeLatencyMs", writer);
        reporter.notifyOfAddedMetric(rate, "eventsInPerSecond", writer);

        String labels = "{host=\"localhost\",job_id=\"0123abcd\",job_name=\"puffgres\",mapping=\"orders\","
                + "operator_id=\"op-1\",operator_name=\"orders: apply + write\",subtask_index=\"0\",task_id=\"t-1\","
                + "task_name=\"orders: apply + write\",tm_id=\"tm-1\"}";
        String quantile = "{host=\"localhost\",job_id=\"0123abcd\",job_name=\"puffgres\",mapping=\"orders\","
                + "operator_id=\"op-1\",operator_name=\"orders: apply + write\",subtask_index=\"0\",task_id=\"t-1\","
                + "task_name=\"orders: apply + write\",tm_id=\"tm-1\",quantile=\"0.5\"}";
        String family = "flink_taskmanager_job_task_operator_";
        assertThat(scrape(reporter))
                .contains(
                        family + "eventsIn" + labels + " 42.0",
                        family + "lagMs" + labels + " 1500.0",
                        family + "isSnapshotting" + labels + " 1.0",
                        family + "eventsInPerSecond" + labels + " 0.0",
                        family + "writeLatencyMs_count" + labels + " 100",
                        family + "writeLatencyMs" + quantile + " 50.0")
                .noneMatch(l -> l.contains("description"));

        reporter.notifyOfRemovedMetric(events, "eventsIn", writer);
        reporter.notifyOfRemovedMetric(latency, "writeLatencyMs", writer);
        assertThat(scrape(reporter))
                .noneMatch(l -> l.startsWith(family + "eventsIn{"))
                .noneMatch(l -> l.startsWith(family + "writeLatencyMs"))
                .anyMatch(l -> l.startsWith(family + "lagMs{"));
    }

    @Test
    void seriesOfOneFamilyDifferByLabelsAndAnOlderVersionIsLabelled() throws Exception {
        PrometheusReporter reporter = reporter("0");
        SimpleCounter newest = new SimpleCounter();
        newest.inc(5);
        SimpleCounter older = new SimpleCounter();
        older.inc(7);
        reporter.notifyOfAddedMetric(
                newest, "eventsIn", FakeMetricGroup.operator("p", "orders: apply + write", "orders: apply + write", 0));
        reporter.notifyOfAddedMetric(
                older,
                "eventsIn",
                FakeMetricGroup.operator("p", "orders@v1: apply + write", "orders@v1: apply + write", 0));
        List<String> lines = scrape(reporter);
        assertThat(lines)
                .filteredOn(l -> l.startsWith("flink_taskmanager_job_task_operator_eventsIn{"))
                .hasSize(2)
                .anyMatch(l -> l.contains("mapping=\"orders\"") && !l.contains("mapping_version") && l.endsWith(" 5.0"))
                .anyMatch(l -> l.contains("mapping=\"orders\",mapping_version=\"1\"") && l.endsWith(" 7.0"));
    }

    @Test
    void aMetricRegisteredAgainUnderItsNameOutlivesTheRemovalOfTheFirst() throws Exception {
        PrometheusReporter reporter = reporter("0");
        FakeMetricGroup group = new FakeMetricGroup("jobmanager", Map.of("<host>", "h"));
        SimpleCounter first = new SimpleCounter();
        SimpleCounter second = new SimpleCounter();
        second.inc(3);
        reporter.notifyOfAddedMetric(first, "numRestarts", group);
        reporter.notifyOfAddedMetric(second, "numRestarts", group);
        reporter.notifyOfRemovedMetric(first, "numRestarts", group);
        assertThat(scrape(reporter)).containsExactly("flink_jobmanager_numRestarts{host=\"h\"} 3.0");
    }
}
