package io.puffgres.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClusterHomeTest {

    @TempDir
    Path repo;

    @TempDir
    Path dir;

    @Test
    void writesTheRepositoryConfigAndLog4jAndLeavesTheReporterOutUntilItsJarIsBuilt() throws IOException {
        Files.createDirectories(repo.resolve("flink-conf"));
        Files.writeString(repo.resolve(ClusterFiles.FLINK_CONFIG), "rest:\n  port: 8081\n");
        ClusterHome home = new ClusterHome(dir);

        boolean metrics = home.prepare(new ClusterFiles(repo, repo.resolve("lib")));

        assertThat(metrics).isFalse();
        assertThat(home.confDir().resolve("config.yaml")).hasContent("rest:\n  port: 8081\n");
        assertThat(home.confDir().resolve("log4j.properties")).content().contains("${sys:log.file}");
        assertThat(home.checkpointDir()).isDirectory();
        assertThat(home.savepointDir()).isDirectory();
        assertThat(home.pluginsDir()).isEmptyDirectory();
    }

    @Test
    void installsTheMetricsPluginOnceBuilt() throws IOException {
        Files.createDirectories(repo.resolve("flink-conf"));
        Files.writeString(repo.resolve(ClusterFiles.FLINK_CONFIG), "{}\n");
        Path jar = repo.resolve(MetricsPlugin.PLUGIN_JAR);
        Files.createDirectories(jar.getParent());
        Files.writeString(jar, "jar bytes");
        ClusterHome home = new ClusterHome(dir);

        assertThat(home.prepare(new ClusterFiles(repo, repo.resolve("lib")))).isTrue();
        assertThat(home.pluginsDir().resolve("puffgres-metrics/puffgres-metrics-plugin.jar"))
                .hasContent("jar bytes");
    }

    @Test
    void refusesACheckoutWithoutFlinkConf() {
        assertThatThrownBy(() -> new ClusterHome(dir).prepare(new ClusterFiles(repo, repo.resolve("lib"))))
                .hasMessageContaining("flink-conf/config.yaml")
                .hasMessageContaining("the checkout needs flink-conf/");
    }
}
