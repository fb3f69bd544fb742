package io.puffgres.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ResourceParamsTest {

    @Test
    void readsJvmFlagsAndPropertiesFromTheResultLinesOnly() {
        String output = String.join(
                "\n",
                "INFO  [] - Loading configuration property: taskmanager.numberOfTaskSlots, 2",
                "BASH_JAVA_UTILS_EXEC_RESULT:-Xmx436207608 -Xms436207608 -XX:MaxDirectMemorySize=248302798",
                "BASH_JAVA_UTILS_EXEC_RESULT:-D taskmanager.cpu.cores=2.0 -D taskmanager.memory.task.off-heap.size=0b");

        ResourceParams params = ResourceParams.parse(output);

        assertThat(params.jvmArgs())
                .containsExactly("-Xmx436207608", "-Xms436207608", "-XX:MaxDirectMemorySize=248302798");
        assertThat(params.dynamicArgs())
                .containsExactly("-D", "taskmanager.cpu.cores=2.0", "-D", "taskmanager.memory.task.off-heap.size=0b");
    }

    @Test
    void acceptsAnEmptyPropertiesLineAndAMissingOne() {
        assertThat(ResourceParams.parse("BASH_JAVA_UTILS_EXEC_RESULT:-Xmx1\nBASH_JAVA_UTILS_EXEC_RESULT:")
                        .dynamicArgs())
                .isEmpty();
        assertThat(ResourceParams.parse("BASH_JAVA_UTILS_EXEC_RESULT:-Xmx1").dynamicArgs())
                .isEmpty();
    }

    @Test
    void refusesOutputWithoutAResultAndQuotesIt() {
        assertThatThrownBy(() -> ResourceParams.parse("Exception in thread main: bad memory size\n"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("BASH_JAVA_UTILS_EXEC_RESULT")
                .hasMessageContaining("bad memory size");
    }
}
