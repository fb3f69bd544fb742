package io.puffgres.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FlinkLauncherTest {

    private final ClusterHome home = new ClusterHome(Path.of("/tmp/cluster-home"));
    private final ClusterFiles files = new ClusterFiles(Path.of("/repo"), Path.of("/repo/puffgres-cluster/target/lib"));
    private final ResourceParams memory = new ResourceParams(List.of("-Xmx100", "-Xms100"), List.of("-D", "a=1"));

    @Test
    void startsTheRoleEntryPointWithFlinksJarsMemoryFlagsAndProperties() {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("rest.port", "18081");
        properties.put("taskmanager.resource-id", "taskmanager-1");

        List<String> command = new FlinkLauncher(files, home, Map.of(), false)
                .command(FlinkRole.TASK_MANAGER, "taskmanager-1", memory, properties);

        assertThat(command.get(0)).endsWith("/bin/java");
        assertThat(command).containsSubsequence("-Xmx100", "-Xms100");
        assertThat(command)
                .containsSubsequence(
                        "-classpath",
                        "/repo/puffgres-cluster/target/lib/*",
                        "org.apache.flink.runtime.taskexecutor.TaskManagerRunner",
                        "--configDir",
                        "/tmp/cluster-home/conf",
                        "-D",
                        "a=1",
                        "-D",
                        "rest.port=18081",
                        "-D",
                        "taskmanager.resource-id=taskmanager-1");
        assertThat(command)
                .contains(
                        "-Dlog.file=/tmp/cluster-home/log/taskmanager-1.log",
                        "-Dlog4j.configurationFile=file:/tmp/cluster-home/conf/log4j.properties");
        assertThat(command.indexOf("-Xmx100")).isLessThan(command.indexOf("-classpath"));
    }

    @Test
    void passesFlinksJdk17OpensAndExports() {
        List<String> command = new FlinkLauncher(files, home, Map.of(), false)
                .command(FlinkRole.JOB_MANAGER, "jobmanager", memory, Map.of());

        assertThat(command)
                .contains(
                        "--add-opens=java.base/java.util=ALL-UNNAMED",
                        "--add-opens=java.base/java.lang=ALL-UNNAMED",
                        "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED")
                .allSatisfy(arg -> assertThat(arg).doesNotContain("${"));
        assertThat(command).contains("org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint");
    }

    @Test
    void runsDetachedProcessesInASessionOfTheirOwn() {
        List<String> attached = new FlinkLauncher(files, home, Map.of(), false)
                .command(FlinkRole.JOB_MANAGER, "jobmanager", memory, Map.of());
        List<String> detached = new FlinkLauncher(files, home, Map.of(), true)
                .command(FlinkRole.JOB_MANAGER, "jobmanager", memory, Map.of());

        assertThat(attached.get(0)).endsWith("/bin/java");
        assertThat(detached.get(0)).isEqualTo("setsid");
        assertThat(detached.subList(1, detached.size())).isEqualTo(attached);
    }
}
