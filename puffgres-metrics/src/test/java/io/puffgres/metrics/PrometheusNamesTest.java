package io.puffgres.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.model.snapshots.Labels;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PrometheusNamesTest {

    @Test
    void metricNamesKeepOnlyWhatPrometheusAllows() {
        assertThat(PrometheusNames.metricName("eventsInPerSecond")).isEqualTo("eventsInPerSecond");
        assertThat(PrometheusNames.metricName("Status.JVM.Memory.Heap.Used")).isEqualTo("Status_JVM_Memory_Heap_Used");
        assertThat(PrometheusNames.metricName("a-b c:d")).isEqualTo("a_b_c:d");
        assertThat(PrometheusNames.metricName("9lives")).isEqualTo("_9lives");
        assertThat(PrometheusNames.metricName("")).isEqualTo("_");
    }

    @Test
    void labelNamesAreTheVariablesWithoutBrackets() {
        assertThat(PrometheusNames.labelName("<job_name>")).isEqualTo("job_name");
        assertThat(PrometheusNames.labelName("<tm_id>")).isEqualTo("tm_id");
        assertThat(PrometheusNames.labelName("<a.b:c>")).isEqualTo("a_b_c");
        assertThat(PrometheusNames.labelName("<__name__>")).isEqualTo("_name__");
        assertThat(PrometheusNames.labelName("<1st>")).isEqualTo("_1st");
    }

    @Test
    void theFamilyIsFlinkThenTheLogicalScopeThenTheName() {
        FakeMetricGroup group =
                FakeMetricGroup.operator("puffgres", "orders: apply + write", "orders: apply + write", 0);
        assertThat(PrometheusNames.family(group, "eventsIn")).isEqualTo("flink_taskmanager_job_task_operator_eventsIn");
        assertThat(PrometheusNames.family(new FakeMetricGroup("jobmanager.Status.JVM", Map.of()), "Memory.Heap.Used"))
                .isEqualTo("flink_jobmanager_Status_JVM_Memory_Heap_Used");
    }

    @Test
    void labelsAreTheScopeVariablesWithTheOperatorsMapping() {
        Labels labels = PrometheusNames.labels(FakeMetricGroup.operator(
                "puffgres: orders", "Source: postgres cdc -> orders: route", "orders: route", 1));
        assertThat(labels.get("job_name")).isEqualTo("puffgres: orders");
        assertThat(labels.get("task_name")).isEqualTo("Source: postgres cdc -> orders: route");
        assertThat(labels.get("operator_name")).isEqualTo("orders: route");
        assertThat(labels.get("subtask_index")).isEqualTo("1");
        assertThat(labels.get("mapping")).isEqualTo("orders");
        assertThat(labels.contains("mapping_version")).isFalse();
    }

    @Test
    void anOlderVersionsOperatorsGetItsVersion() {
        Labels labels = PrometheusNames.labels(
                FakeMetricGroup.operator("puffgres", "orders@v2: apply + write", "orders@v2: apply + write", 0));
        assertThat(labels.get("mapping")).isEqualTo("orders");
        assertThat(labels.get("mapping_version")).isEqualTo("2");
    }

    @Test
    void aTaskMetricTakesTheMappingOfItsChainAndOthersGetNone() {
        assertThat(PrometheusNames.labels(FakeMetricGroup.task("puffgres", "orders: lookup"))
                        .get("mapping"))
                .isEqualTo("orders");
        assertThat(PrometheusNames.labels(FakeMetricGroup.operator("puffgres", "dlq: postgres", "dlq: postgres", 0))
                        .contains("mapping"))
                .isFalse();
        assertThat(PrometheusNames.labels(
                                new FakeMetricGroup("taskmanager.Status", Map.of("<host>", "h", "<tm_id>", "t")))
                        .contains("mapping"))
                .isFalse();
    }

    @Test
    void theOperatorsMappingWinsOverItsTasks() {
        Labels labels = PrometheusNames.labels(FakeMetricGroup.operator(
                "puffgres", "Source: orders: fill -> orders: apply + write", "Source: items: fill", 0));
        assertThat(labels.get("mapping")).isEqualTo("items");
    }
}
