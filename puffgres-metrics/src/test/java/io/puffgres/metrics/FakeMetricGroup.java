package io.puffgres.metrics;

import java.util.Map;
import org.apache.flink.metrics.CharacterFilter;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.LogicalScopeProvider;
import org.apache.flink.metrics.Meter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.SimpleCounter;

/**
 * A metric group as Flink hands one to a reporter: scope variables and a logical scope ({@code taskmanager.job.task
 * .operator}); registering through it is not what a reporter does, so those methods refuse.
 */
final class FakeMetricGroup implements MetricGroup, LogicalScopeProvider {

    private final String logicalScope;
    private final Map<String, String> variables;

    FakeMetricGroup(String logicalScope, Map<String, String> variables) {
        this.logicalScope = logicalScope;
        this.variables = Map.copyOf(variables);
    }

    /** An operator's group on a TaskManager, as Flink builds it for an operator of a job's task. */
    static FakeMetricGroup operator(String jobName, String taskName, String operatorName, int subtask) {
        return new FakeMetricGroup(
                "taskmanager.job.task.operator",
                Map.of(
                        "<host>", "localhost",
                        "<tm_id>", "tm-1",
                        "<job_id>", "0123abcd",
                        "<job_name>", jobName,
                        "<task_name>", taskName,
                        "<task_id>", "t-1",
                        "<subtask_index>", String.valueOf(subtask),
                        "<operator_name>", operatorName,
                        "<operator_id>", "op-1"));
    }

    /** A task's group (no operator): its name is the chain of its operators'. */
    static FakeMetricGroup task(String jobName, String taskName) {
        return new FakeMetricGroup(
                "taskmanager.job.task",
                Map.of("<host>", "localhost", "<job_name>", jobName, "<task_name>", taskName, "<subtask_index>", "0"));
    }

    @Override
    public String getLogicalScope(CharacterFilter filter) {
        return getLogicalScope(filter, '.');
    }

    @Override
    public String getLogicalScope(CharacterFilter filter, char delimiter) {
        StringBuilder out = new StringBuilder();
        for (String part : logicalScope.split("\\.")) {
            out.append(out.length() == 0 ? "" : String.valueOf(delimiter)).append(filter.filterCharacters(part));
        }
        return out.toString();
    }

    @Override
    public MetricGroup getWrappedMetricGroup() {
        return this;
    }

    @Override
    public Map<String, String> getAllVariables() {
        return variables;
    }

    @Override
    public String[] getScopeComponents() {
        return logicalScope.split("\\.");
    }

    @Override
    public String getMetricIdentifier(String metricName) {
        return logicalScope + "." + metricName;
    }

    @Override
    public String getMetricIdentifier(String metricName, CharacterFilter filter) {
        return filter.filterCharacters(getMetricIdentifier(metricName));
    }

    @Override
    public Counter counter(String name) {
        return counter(name, new SimpleCounter());
    }

    @Override
    public <C extends Counter> C counter(String name, C counter) {
        throw new UnsupportedOperationException("a reporter only reads groups");
    }

    @Override
    public <T, G extends Gauge<T>> G gauge(String name, G gauge) {
        throw new UnsupportedOperationException("a reporter only reads groups");
    }

    @Override
    public <H extends Histogram> H histogram(String name, H histogram) {
        throw new UnsupportedOperationException("a reporter only reads groups");
    }

    @Override
    public <M extends Meter> M meter(String name, M meter) {
        throw new UnsupportedOperationException("a reporter only reads groups");
    }

    @Override
    public MetricGroup addGroup(String name) {
        throw new UnsupportedOperationException("a reporter only reads groups");
    }

    @Override
    public MetricGroup addGroup(String key, String value) {
        throw new UnsupportedOperationException("a reporter only reads groups");
    }
}
