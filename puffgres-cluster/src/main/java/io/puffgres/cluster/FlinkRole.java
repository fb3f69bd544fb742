package io.puffgres.cluster;

/** The two kinds of process of a standalone session cluster, with the entry point Flink's own scripts start. */
public enum FlinkRole {
    JOB_MANAGER("org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint", "GET_JM_RESOURCE_PARAMS"),
    TASK_MANAGER("org.apache.flink.runtime.taskexecutor.TaskManagerRunner", "GET_TM_RESOURCE_PARAMS");

    private final String mainClass;
    private final String resourceCommand;

    FlinkRole(String mainClass, String resourceCommand) {
        this.mainClass = mainClass;
        this.resourceCommand = resourceCommand;
    }

    /** The class the process runs, started with {@code --configDir DIR} and {@code -D key=value} properties. */
    public String mainClass() {
        return mainClass;
    }

    /** The {@code BashJavaUtils} command that turns the memory configuration into JVM flags and properties. */
    String resourceCommand() {
        return resourceCommand;
    }
}
