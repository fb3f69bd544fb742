package io.puffgres.migration;

import io.puffgres.config.Diagnostic;
import io.puffgres.transform.IdentityTransform;
import io.puffgres.transform.JavaTransformCompiler;
import io.puffgres.transform.JsTransform;
import io.puffgres.transform.Transform;
import io.puffgres.transform.TransformLoadException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Builds the {@link Transform} a migration names: identity, a JS module, or a Java class compiled from the
 * project's {@code puffgres/transforms}. Java sources are compiled once, on first use, into a classes directory.
 * Not thread-safe; transforms it creates are not shared between threads.
 */
public final class MigrationTransforms implements AutoCloseable {

    /** The name of the temporary classes directories, {@code puffgres-classes<random>}. */
    static final String TEMP_PREFIX = "puffgres-classes";

    private final Path projectDir;
    private final List<Migration> migrations;
    private final boolean temporary;
    private Path classesDir;
    private ClassLoader javaClasses;

    /** Compiles Java transforms into {@code classesDir}, which the caller owns. */
    public MigrationTransforms(Project project, Path classesDir) {
        this(project.dir(), project.migrations(), classesDir);
    }

    /**
     * The transforms of {@code migrations} (in version order) of the project in {@code projectDir}, for a project
     * that did not load: {@code validate} checks the transforms of the migrations that parsed in the same pass as
     * the problems of the others.
     */
    public MigrationTransforms(Path projectDir, List<Migration> migrations, Path classesDir) {
        this.projectDir = projectDir;
        this.migrations = List.copyOf(migrations);
        this.classesDir = classesDir;
        this.temporary = false;
    }

    /**
     * Compiles Java transforms into a temporary directory, made when the first Java transform is built (a project
     * without any makes none) and deleted by {@link #close()}, once the transforms built here are no longer used.
     */
    public MigrationTransforms(Project project) {
        this.projectDir = project.dir();
        this.migrations = List.copyOf(project.migrations());
        this.temporary = true;
    }

    private Path puffgresDir() {
        return projectDir.resolve("puffgres");
    }

    /** A new transform instance for {@code migration}. */
    public Transform create(Migration migration) throws TransformLoadException {
        return switch (migration.transform().kind()) {
            case IDENTITY -> identity(migration);
            case JS ->
                JsTransform.load(
                        jsFile(migration), migration.transform().entry().orElse("transform"), migration.tpSchema());
            case JAVA ->
                JavaTransformCompiler.instantiate(
                        javaClasses(), migration.transform().className().orElseThrow());
        };
    }

    private static Transform identity(Migration m) throws TransformLoadException {
        try {
            return new IdentityTransform(m.id().column(), m.columns(), m.tpSchema());
        } catch (IllegalArgumentException e) {
            throw new TransformLoadException(List.of(e.getMessage()));
        }
    }

    private ClassLoader javaClasses() throws TransformLoadException {
        Path compiled = projectDir.resolve(ProjectBundle.COMPILED_DIR);
        if (javaClasses == null && Files.isDirectory(compiled)) {
            javaClasses = JavaTransformCompiler.load(compiled); // a bundled project: compiled where it was submitted
        }
        if (javaClasses == null) {
            if (classesDir == null) {
                try {
                    classesDir = Files.createTempDirectory(TEMP_PREFIX);
                } catch (IOException e) {
                    throw new TransformLoadException("cannot create a directory for compiled transforms: " + e, e);
                }
            }
            javaClasses =
                    JavaTransformCompiler.compile(puffgresDir(), puffgresDir().resolve("transforms"), classesDir);
        }
        return javaClasses;
    }

    /**
     * Builds and closes the transform of every effective mapping, reporting each problem (JS syntax, missing
     * export, Java compiler errors, bad attribute names) as a diagnostic of the migration file.
     */
    public List<Diagnostic> check() {
        List<Diagnostic> problems = new ArrayList<>();
        for (Migration m : Project.latestPerMapping(migrations)) {
            try (Transform t = create(m)) {
                // built and closed: the transform loads
            } catch (TransformLoadException e) {
                e.problems().forEach(p -> problems.add(new Diagnostic(m.file().toString(), 0, 0, "transform", p)));
            } catch (Exception e) {
                problems.add(new Diagnostic(m.file().toString(), 0, 0, "transform", "closing failed: " + e));
            }
        }
        return problems;
    }

    /** The classes directory, once there is one. */
    Optional<Path> classesDir() {
        return Optional.ofNullable(classesDir);
    }

    /** Deletes the temporary classes directory, if this made one; a caller's directory stays. */
    @Override
    public void close() throws IOException {
        if (!temporary || classesDir == null) {
            return;
        }
        try (Stream<Path> paths = Files.walk(classesDir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
        classesDir = null;
        javaClasses = null;
    }

    private Path jsFile(Migration migration) throws TransformLoadException {
        Path file = puffgresDir().resolve(migration.transform().path().orElseThrow());
        if (!Files.isRegularFile(file)) {
            throw new TransformLoadException(List.of("file not found: " + projectDir.relativize(file)));
        }
        return file;
    }
}
