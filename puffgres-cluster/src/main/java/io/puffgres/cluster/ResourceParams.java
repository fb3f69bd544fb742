package io.puffgres.cluster;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The memory settings of one process as Flink's {@code BashJavaUtils} computes them from the configuration, as Flink's
 * scripts use them: JVM flags ({@code -Xmx}, {@code -Xms}, {@code -XX:MaxDirectMemorySize}, {@code
 * -XX:MaxMetaspaceSize}) and {@code -D} properties naming every derived size. A TaskManager refuses to start without
 * the latter.
 *
 * @param jvmArgs the JVM flags, one element each
 * @param dynamicArgs the properties as program arguments ({@code -D}, {@code key=value}, …)
 */
record ResourceParams(List<String> jvmArgs, List<String> dynamicArgs) {

    /** The prefix of BashJavaUtils's result lines; the lines without it are its log. */
    static final String RESULT_PREFIX = "BASH_JAVA_UTILS_EXEC_RESULT:";

    ResourceParams {
        jvmArgs = List.copyOf(jvmArgs);
        dynamicArgs = List.copyOf(dynamicArgs);
    }

    /**
     * Reads BashJavaUtils's output: the first result line holds the JVM flags, the second (if any) the properties.
     *
     * @throws IllegalArgumentException when the output holds no result line
     */
    static ResourceParams parse(String output) {
        List<String> results = new ArrayList<>();
        for (String line : output.split("\\R")) {
            if (line.startsWith(RESULT_PREFIX)) {
                results.add(line.substring(RESULT_PREFIX.length()).trim());
            }
        }
        if (results.isEmpty()) {
            throw new IllegalArgumentException("no " + RESULT_PREFIX + " line in: " + output.strip());
        }
        return new ResourceParams(words(results.get(0)), results.size() > 1 ? words(results.get(1)) : List.of());
    }

    private static List<String> words(String line) {
        return line.isEmpty() ? List.of() : Arrays.asList(line.split("\\s+"));
    }
}
