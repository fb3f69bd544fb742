package io.puffgres.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The puffgres Prometheus reporter as a Flink plugin: {@code flink-conf/config.yaml} names its factory, and Flink loads
 * it from {@code plugins/puffgres-metrics/} of the cluster. Until the module {@code puffgres-metrics} is built the jar is
 * absent: Flink then logs that the reporter's factory is missing and runs without it.
 *
 * <p>This class is the one place that knows where the jar comes from.
 */
final class MetricsPlugin {

    /** The plugin jar the module {@code puffgres-metrics} builds, relative to the checkout's root. */
    static final String PLUGIN_JAR = "puffgres-metrics/target/puffgres-metrics-plugin.jar";

    /** The plugin's own directory under the cluster's plugins directory (Flink gives each one a class loader). */
    static final String PLUGIN_DIR = "puffgres-metrics";

    private MetricsPlugin() {}

    /**
     * Copies the plugin jar into {@code pluginsDir/puffgres-metrics/} when it has been built.
     *
     * @return whether the plugin is installed
     */
    static boolean install(Path repoRoot, Path pluginsDir) throws IOException {
        Path jar = repoRoot.resolve(PLUGIN_JAR);
        if (!Files.isRegularFile(jar)) {
            return false;
        }
        Path dir = Files.createDirectories(pluginsDir.resolve(PLUGIN_DIR));
        Files.copy(jar, dir.resolve(jar.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        return true;
    }
}
