package io.puffgres.migration;

import io.puffgres.config.ProjectConfig;
import io.puffgres.config.ProjectConfigLoader;
import io.puffgres.transform.JavaTransformCompiler;
import io.puffgres.transform.TransformLoadException;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * A project as the job carries it, so that no task reads the project directory (a cluster's machines do not have it):
 * {@code puffgres.toml}, the migrations the job runs, every file under {@code puffgres/transforms}, the Java
 * transforms compiled on the submitting machine (a cluster's JVM may have no compiler), and the {@code PUFFGRES_…}
 * overrides of puffgres.toml keys set in the submitting shell. Secrets never go in, not even from a {@code PUFFGRES_…}
 * variable: a task reads the variables that {@code password_env} and {@code api_key_env} name from its own
 * environment. Immutable; safe to share.
 *
 * @param id a digest of the contents: two bundles with one id hold the same project
 * @param files path relative to the project directory → contents
 * @param overrides {@code PUFFGRES_<TABLE>_<KEY>} → value, as the submitting shell had them
 */
public record ProjectBundle(String id, Map<String, byte[]> files, Map<String, String> overrides)
        implements Serializable {

    /** Where the compiled Java transforms go in a bundle; {@link MigrationTransforms} loads them from there. */
    public static final String COMPILED_DIR = "puffgres/compiled-transforms";

    private static final long serialVersionUID = 1L;

    public ProjectBundle {
        files = Map.copyOf(files);
        overrides = Map.copyOf(overrides);
    }

    /**
     * Packs {@code project} (restricted to the migrations the job runs) as loaded with {@code env}.
     *
     * @throws IllegalArgumentException when {@code PUFFGRES_POSTGRES_URL} holds a password: it would travel with the
     *     job
     * @throws TransformLoadException when a Java transform does not compile
     */
    public static ProjectBundle of(Project project, Map<String, String> env) throws TransformLoadException {
        if (project.config()
                .postgres()
                .password()
                .filter(p -> p.envVar().equals(URL_VARIABLE))
                .isPresent()) {
            throw new IllegalArgumentException(URL_VARIABLE + " holds a password, which would travel inside the job to"
                    + " the cluster: set [postgres] password_env and that variable in the cluster's environment");
        }
        Map<String, byte[]> files = new TreeMap<>();
        Path dir = project.dir();
        add(files, dir, dir.resolve("puffgres.toml"));
        for (Migration m : project.migrations()) {
            add(files, dir, dir.resolve(m.file()));
        }
        Path transforms = project.puffgresDir().resolve("transforms");
        if (Files.isDirectory(transforms)) {
            addTree(files, transforms, dir);
            if (project.migrations().stream().anyMatch(m -> m.transform().kind() == TransformSpec.Kind.JAVA)) {
                addCompiled(files, project, transforms);
            }
        }
        Set<String> secrets = secretVariables(project.config());
        Map<String, String> overrides = new TreeMap<>();
        env.forEach((name, value) -> {
            if (name.startsWith("PUFFGRES_") && !CLIENT_ONLY.contains(name) && !secrets.contains(name)) {
                overrides.put(name, value);
            }
        });
        return new ProjectBundle(digest(files, overrides), files, overrides);
    }

    /**
     * The project directory this bundle unpacks to under {@code root}: written once (a second call, or another task
     * of the JVM, finds it there), each file as packed, and deleted when the JVM that unpacked it ends.
     */
    public Path unpack(Path root) {
        Path target = root.resolve("puffgres-project-" + id);
        if (Files.isDirectory(target)) {
            return target;
        }
        try {
            Files.createDirectories(root);
            Path tmp = Files.createTempDirectory(root, "unpacking-");
            for (Map.Entry<String, byte[]> f : files.entrySet()) {
                Path file = tmp.resolve(f.getKey()).normalize();
                if (!file.startsWith(tmp)) {
                    throw new IOException("a bundled path leaves the project: " + f.getKey());
                }
                Files.createDirectories(file.getParent());
                Files.write(file, f.getValue());
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | java.nio.file.DirectoryNotEmptyException e) {
                deleteTree(tmp); // another task unpacked it first
                return target;
            }
            deleteOnExit(target);
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot unpack the project under " + root, e);
        }
    }

    /**
     * The environment a task loads the bundled project with: its own variables, and the submitting shell's
     * overrides for the keys its own environment does not set (the cluster knows best how it reaches Postgres).
     */
    public Map<String, String> environment(Map<String, String> own) {
        Map<String, String> env = new HashMap<>(overrides);
        env.putAll(own);
        return env;
    }

    /** The variable that may hold the whole Postgres URL, password included. */
    private static final String URL_VARIABLE = "PUFFGRES_POSTGRES_URL";

    /** Variables for the machine puffgres runs on, not for the job. */
    private static final List<String> CLIENT_ONLY =
            List.of("PUFFGRES_LOG_LEVEL", "PUFFGRES_JAVA_OPTS", "PUFFGRES_PG_BIN", "PUFFGRES_FLINK_CONF_DIR");

    /**
     * The variables that hold secrets, whatever their names: those {@code password_env} and {@code api_key_env} name
     * (a {@code PUFFGRES_…} name would otherwise pass for an override) and the password variable the docs suggest.
     */
    private static Set<String> secretVariables(ProjectConfig config) {
        Set<String> names = new HashSet<>();
        names.add(ProjectConfigLoader.SUGGESTED_PASSWORD_ENV);
        config.postgres().password().ifPresent(p -> names.add(p.envVar()));
        names.add(config.turbopuffer().apiKeyEnv());
        config.embeddings().ifPresent(e -> names.add(e.apiKeyEnv()));
        return names;
    }

    private static void add(Map<String, byte[]> files, Path dir, Path file) {
        try {
            files.put(dir.relativize(file).toString().replace('\\', '/'), Files.readAllBytes(file));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /** Adds every file under {@code tree}, named relative to {@code relativeTo}. */
    private static void addTree(Map<String, byte[]> files, Path tree, Path relativeTo) {
        try (Stream<Path> paths = Files.walk(tree)) {
            paths.filter(Files::isRegularFile).forEach(p -> add(files, relativeTo, p));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + tree, e);
        }
    }

    private static void addCompiled(Map<String, byte[]> files, Project project, Path transforms)
            throws TransformLoadException {
        Path classes;
        try {
            classes = Files.createTempDirectory("puffgres-bundle-classes");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a directory for compiled transforms", e);
        }
        try {
            JavaTransformCompiler.compile(project.puffgresDir(), transforms, classes);
            Map<String, byte[]> compiled = new TreeMap<>();
            addTree(compiled, classes, classes);
            compiled.forEach((path, bytes) -> files.put(COMPILED_DIR + "/" + path, bytes));
        } finally {
            try {
                deleteTree(classes);
            } catch (IOException e) {
                // a leftover temporary directory is harmless
            }
        }
    }

    /**
     * Deletes the unpacked project when the JVM ends (a {@code puffgres run} process, a TaskManager): the JVM deletes
     * in the reverse order of registration, so the directories are registered before what they hold.
     */
    private static void deleteOnExit(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.comparingInt(Path::getNameCount))
                    .forEach(p -> p.toFile().deleteOnExit());
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p :
                    paths.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static String digest(Map<String, byte[]> files, Map<String, String> overrides) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            files.forEach((path, bytes) -> {
                sha.update(path.getBytes(StandardCharsets.UTF_8));
                sha.update((byte) 0);
                sha.update(Integer.toString(bytes.length).getBytes(StandardCharsets.UTF_8));
                sha.update((byte) 0);
                sha.update(bytes);
            });
            overrides.forEach((k, v) -> sha.update((k + "=" + v + "\0").getBytes(StandardCharsets.UTF_8)));
            return HexFormat.of().formatHex(sha.digest(), 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
