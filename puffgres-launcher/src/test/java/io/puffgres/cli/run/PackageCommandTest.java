package io.puffgres.cli.run;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.puffgres.job.ClusterMain;
import io.puffgres.migration.ProjectBundle;
import java.io.ObjectInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The job jar {@code puffgres package} writes: the job jar it started from, plus the packed project. */
class PackageCommandTest {

    @TempDir
    Path tmp;

    private static final Map<String, String> ENTRIES = Map.of(
            "io/puffgres/job/ClusterMain.class", "not really a class",
            "META-INF/services/org.apache.flink.table.factories.Factory", "some.Factory\n",
            "flink-conf/config.yaml", "parallelism.default: 1\n");

    /** A small jar standing in for the job jar, with a manifest naming the entry class and a stale bundle. */
    private Path jobJar() throws Exception {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, ClusterMain.class.getName());
        Path jar = tmp.resolve("puffgres-job.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), manifest)) {
            for (Map.Entry<String, String> e : ENTRIES.entrySet()) {
                out.putNextEntry(new JarEntry(e.getKey()));
                out.write(e.getValue().getBytes(UTF_8));
                out.closeEntry();
            }
            out.putNextEntry(new JarEntry(ClusterMain.BUNDLE_ENTRY)); // from an earlier package run
            out.write("stale".getBytes(UTF_8));
            out.closeEntry();
        }
        return jar;
    }

    @Test
    void keepsEveryEntryAndTheManifestAndAddsTheBundle() throws Exception {
        ProjectBundle bundle = new ProjectBundle(
                "0123456789abcdef01234567",
                Map.of("puffgres.toml", "[postgres]\n".getBytes(UTF_8)),
                Map.of("PUFFGRES_FLINK_PARALLELISM", "2"));
        Path output = tmp.resolve("out/job.jar");
        Files.createDirectories(output.getParent());

        PackageCommand.write(jobJar(), bundle, output);

        try (JarFile jar = new JarFile(output.toFile())) {
            assertThat(jar.getManifest().getMainAttributes().getValue(Attributes.Name.MAIN_CLASS))
                    .isEqualTo(ClusterMain.class.getName());
            Map<String, String> kept = new LinkedHashMap<>();
            for (String name : ENTRIES.keySet()) {
                kept.put(
                        name,
                        new String(jar.getInputStream(jar.getJarEntry(name)).readAllBytes(), UTF_8));
            }
            assertThat(kept).isEqualTo(ENTRIES);
            assertThat(jar.stream().map(JarEntry::getName))
                    .as("one bundle, the new one")
                    .containsOnlyOnce(ClusterMain.BUNDLE_ENTRY)
                    .hasSize(ENTRIES.size() + 2); // the manifest and the bundle
            try (ObjectInputStream in =
                    new ObjectInputStream(jar.getInputStream(jar.getJarEntry(ClusterMain.BUNDLE_ENTRY)))) {
                ProjectBundle read = (ProjectBundle) in.readObject();
                assertThat(read.id()).isEqualTo(bundle.id());
                assertThat(read.files().get("puffgres.toml"))
                        .isEqualTo(bundle.files().get("puffgres.toml"));
                assertThat(read.overrides()).isEqualTo(bundle.overrides());
            }
        }
        try (var left = Files.list(output.getParent())) {
            assertThat(left).as("no temporary file left").containsExactly(output);
        }
    }
}
