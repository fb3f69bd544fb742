package io.puffgres.metrics;

import io.prometheus.metrics.model.snapshots.Labels;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.flink.metrics.CharacterFilter;
import org.apache.flink.metrics.LogicalScopeProvider;
import org.apache.flink.metrics.MetricGroup;

/**
 * How a Flink metric is named and labelled in Prometheus, the way Flink's own Prometheus reporter does it: the family
 * is {@code flink_<logical scope>_<metric name>} ({@code flink_taskmanager_job_task_operator_eventsIn}), each scope
 * variable is a label without its angle brackets ({@code <job_name>} → {@code job_name}), and characters Prometheus
 * does not allow become {@code _}. On top of Flink's labels, the metrics of the job's per-mapping operators and tasks
 * get {@code mapping} and, for an older version run beside the newest, {@code mapping_version} ({@link
 * OperatorMapping}).
 */
final class PrometheusNames {

    /** The label naming the puffgres mapping. */
    static final String MAPPING = "mapping";

    /** The label naming the mapping's migration version, only for the operators of an older version ({@code @vN}). */
    static final String MAPPING_VERSION = "mapping_version";

    /** Flink's scope variables the mapping is read from, the operator's first (more precise than its task's). */
    private static final String OPERATOR_NAME = "<operator_name>";

    private static final String TASK_NAME = "<task_name>";

    /** Replaces what the Prometheus text format does not allow in a metric name with {@code _}. */
    static final CharacterFilter METRIC_CHARACTERS = PrometheusNames::metricName;

    private PrometheusNames() {}

    /** {@code text} with each character outside {@code [a-zA-Z0-9_:]} replaced by {@code _}, and no leading digit. */
    static String metricName(String text) {
        StringBuilder out = new StringBuilder(text.length() + 1);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            out.append(isLetter(c) || isDigit(c) || c == '_' || c == ':' ? c : '_');
        }
        if (out.length() == 0 || isDigit(out.charAt(0))) {
            out.insert(0, '_');
        }
        return out.toString();
    }

    /**
     * A label name from a Flink scope variable: without the angle brackets, {@code [a-zA-Z0-9_]} only, no leading
     * digit, and not starting with {@code __} (reserved for Prometheus's own labels).
     */
    static String labelName(String variable) {
        String name = variable.startsWith("<") && variable.endsWith(">") && variable.length() > 1
                ? variable.substring(1, variable.length() - 1)
                : variable;
        String cleaned = metricName(name).replace(':', '_');
        while (cleaned.startsWith("__")) {
            cleaned = cleaned.substring(1);
        }
        return cleaned;
    }

    /**
     * The family of metric {@code name} registered in {@code group}: {@code flink_<logical scope>_<name>}. A group
     * without a logical scope (never one Flink hands to a reporter) gives {@code flink_<name>}.
     */
    static String family(MetricGroup group, String name) {
        String scope;
        try {
            scope = LogicalScopeProvider.castFrom(group).getLogicalScope(METRIC_CHARACTERS, '_');
        } catch (IllegalStateException e) {
            scope = "";
        }
        return "flink_" + (scope.isEmpty() ? "" : scope + "_") + metricName(name);
    }

    /** The labels of a metric of {@code group}: its scope variables, and the mapping labels where they apply. */
    static Labels labels(MetricGroup group) {
        Map<String, String> variables = group.getAllVariables();
        Map<String, String> labels = new TreeMap<>();
        variables.forEach((variable, value) -> labels.put(labelName(variable), value));
        Optional<OperatorMapping> mapping = Optional.ofNullable(variables.get(OPERATOR_NAME))
                .flatMap(OperatorMapping::ofOperator)
                .or(() -> Optional.ofNullable(variables.get(TASK_NAME)).flatMap(OperatorMapping::ofTask));
        mapping.ifPresent(m -> {
            // a user variable of the same name (addGroup(key, value)) keeps its value: it was set on purpose
            labels.putIfAbsent(MAPPING, m.mapping());
            m.version().ifPresent(v -> labels.putIfAbsent(MAPPING_VERSION, v));
        });
        Labels.Builder builder = Labels.builder();
        labels.forEach(builder::label);
        return builder.build();
    }

    private static boolean isLetter(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }
}
