package io.puffgres.cluster;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where a built checkout keeps what a local cluster is made of: Flink's jars ({@code puffgres-cluster/target/lib}, the
 * lib/ of a Flink distribution), the Flink configuration ({@code flink-conf/config.yaml}) and, once built, the metrics
 * plugin. Found from the location of this class, so the dev script and the tests of any module of the reactor agree.
 *
 * @param repoRoot the checkout's root directory
 * @param libDir the directory holding Flink's jars
 */
public record ClusterFiles(Path repoRoot, Path libDir) {

    /** The repository's Flink configuration, relative to its root. */
    static final String FLINK_CONFIG = "flink-conf/config.yaml";

    /** How to get the jars when they are missing. */
    private static final String BUILD_HINT = "build them: mvn -B -ntp -q -pl puffgres-cluster package -DskipTests";

    /**
     * The files of the checkout this class was loaded from ({@code puffgres-cluster/target/classes} or the module's jar
     * in {@code puffgres-cluster/target}).
     *
     * @throws IllegalStateException when the class was not loaded from a checkout's build, or the jars are missing
     */
    public static ClusterFiles locate() {
        Path loadedFrom;
        try {
            loadedFrom = Path.of(ClusterFiles.class
                    .getProtectionDomain()
                    .getCodeSource()
                    .getLocation()
                    .toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("cannot tell where puffgres-cluster was loaded from; " + BUILD_HINT, e);
        }
        Path target = loadedFrom.getParent();
        Path libDir = target.resolve("lib");
        if (!Files.isDirectory(libDir)) {
            throw new IllegalStateException("Flink's jars not found in " + libDir + "; " + BUILD_HINT);
        }
        return new ClusterFiles(target.getParent().getParent(), libDir);
    }

    /** The Flink configuration every cluster process reads (copied into the cluster's conf directory). */
    public Path flinkConfig() {
        return repoRoot.resolve(FLINK_CONFIG);
    }
}
