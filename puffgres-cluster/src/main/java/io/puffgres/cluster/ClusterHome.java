package io.puffgres.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The working directory of one local cluster, shared by all its processes as a real cluster's shared path would be:
 * {@code conf/} (the repository's {@code config.yaml} and the processes' Log4j configuration), {@code log/},
 * {@code pids/}, {@code plugins/}, {@code checkpoints/} and {@code savepoints/}.
 *
 * @param dir the directory; created by {@link #prepare(ClusterFiles)}
 */
public record ClusterHome(Path dir) {

    /** The Log4j 2 configuration of the processes, a resource of this module. */
    private static final String LOG4J_RESOURCE = "log4j.properties";

    public ClusterHome {
        dir = dir.toAbsolutePath().normalize();
    }

    /**
     * Creates the directories and writes the configuration: a copy of the repository's {@code config.yaml} (the
     * processes' {@code -D} properties go on top of it), the Log4j configuration, and the metrics plugin when built.
     * Overwrites the configuration of an earlier cluster in the same directory; keeps its checkpoints and logs.
     *
     * @return whether the metrics plugin is installed
     */
    public boolean prepare(ClusterFiles files) throws IOException {
        Path config = files.flinkConfig();
        if (!Files.isRegularFile(config)) {
            throw new IOException("Flink configuration not found: " + config + "; the checkout needs flink-conf/");
        }
        for (Path d : new Path[] {confDir(), logDir(), pidDir(), pluginsDir(), checkpointDir(), savepointDir()}) {
            Files.createDirectories(d);
        }
        Files.copy(config, confDir().resolve("config.yaml"), StandardCopyOption.REPLACE_EXISTING);
        try (InputStream log4j = ClusterHome.class.getResourceAsStream(LOG4J_RESOURCE)) {
            Files.copy(log4j, log4jConfig(), StandardCopyOption.REPLACE_EXISTING);
        }
        return MetricsPlugin.install(files.repoRoot(), pluginsDir());
    }

    /** The {@code --configDir} of every process. */
    public Path confDir() {
        return dir.resolve("conf");
    }

    Path log4jConfig() {
        return confDir().resolve(LOG4J_RESOURCE);
    }

    public Path logDir() {
        return dir.resolve("log");
    }

    /** The Log4j file of the process named {@code name} ({@code jobmanager}, {@code taskmanager-1}, …). */
    public Path logFile(String name) {
        return logDir().resolve(name + ".log");
    }

    /** Where the process named {@code name} writes its stdout and stderr (JVM crashes, early start-up errors). */
    public Path outFile(String name) {
        return logDir().resolve(name + ".out");
    }

    public Path pidDir() {
        return dir.resolve("pids");
    }

    public Path pluginsDir() {
        return dir.resolve("plugins");
    }

    public Path checkpointDir() {
        return dir.resolve("checkpoints");
    }

    public Path savepointDir() {
        return dir.resolve("savepoints");
    }
}
