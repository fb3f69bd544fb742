package io.puffgres.metrics;

import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The puffgres mapping an operator or task works for, read from its name. The job names its operators
 * {@code <key>: route}, {@code <key>: lookup}, {@code <key>: apply + write} and {@code <key>: fill}, where the key is
 * the mapping name, or {@code <mapping>@v<N>} for an older version that runs beside the newest while its namespace is
 * filled (see {@code io.puffgres.stream.JobSpec#key} and {@code io.puffgres.stream.WriterMetric}). Flink prefixes a
 * source operator with {@code "Source: "} and names a task after its chained operators ({@code a -> b},
 * {@code a -> (b, c)}). Other names ({@code postgres cdc}, {@code dlq: postgres}) belong to no mapping.
 *
 * <p>This module depends on no puffgres module (it ships alone as a Flink plugin), so the stage names are repeated
 * here; a test of the launcher checks them against the names the job really gives.
 *
 * @param mapping the mapping name, without {@code @vN}
 * @param version the migration version when the name carries one ({@code @vN}); the newest version's names do not
 */
record OperatorMapping(String mapping, Optional<String> version) {

    /** What follows the mapping key in the names of the job's per-mapping operators. */
    static final Set<String> STAGES = Set.of("route", "lookup", "apply + write", "fill");

    private static final Pattern OPERATOR = Pattern.compile(
            "(?:Source: )?(?<mapping>[^:@]+?)(?:@v(?<version>\\d+))?: (?<stage>route|lookup|apply \\+ write|fill)");

    /** Splits a chained task name into its operators' names: {@code a -> (b, c)} is a, b and c. */
    private static final Pattern CHAIN = Pattern.compile("\\s*(?:->|[(),])\\s*");

    /** The mapping of one operator's name; empty when it is not one of the job's per-mapping operators. */
    static Optional<OperatorMapping> ofOperator(String name) {
        Matcher m = OPERATOR.matcher(name.strip());
        if (!m.matches()) {
            return Optional.empty();
        }
        return Optional.of(new OperatorMapping(m.group("mapping"), Optional.ofNullable(m.group("version"))));
    }

    /**
     * The mapping of a task, from the names of the operators chained in it: the one mapping (and version) they
     * share; empty when none is a per-mapping operator, or when they work for different mappings (a label would
     * then be a guess).
     */
    static Optional<OperatorMapping> ofTask(String taskName) {
        Set<OperatorMapping> found = new LinkedHashSet<>();
        for (String part : CHAIN.split(taskName)) {
            ofOperator(part).ifPresent(found::add);
        }
        return found.size() == 1 ? Optional.of(found.iterator().next()) : Optional.empty();
    }
}
