package io.puffgres.transform;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.Constructor;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/**
 * Compiles the {@code .java} transforms of a project ({@code puffgres/transforms/**.java}) with the JDK's
 * compiler against the classpath puffgres runs with, and loads them in a child class loader. Compiler errors
 * come back as {@code transforms/Foo.java:12:5: error: ';' expected}.
 */
public final class JavaTransformCompiler {

    private JavaTransformCompiler() {}

    /**
     * Compiles every {@code .java} file under {@code transformsDir} into {@code outputDir}.
     *
     * @param baseDir the directory diagnostics are relative to (the project's {@code puffgres/})
     * @return a class loader for the compiled classes
     * @throws TransformLoadException listing every compiler error with file, line and column
     */
    public static ClassLoader compile(Path baseDir, Path transformsDir, Path outputDir) throws TransformLoadException {
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        if (compiler == null) {
            throw new TransformLoadException(List.of("no Java compiler available: run puffgres on a JDK, not a JRE"));
        }
        List<Path> sources;
        try (Stream<Path> walk = Files.walk(transformsDir)) {
            sources = walk.filter(p -> p.toString().endsWith(".java")).sorted().toList();
            Files.createDirectories(outputDir);
        } catch (IOException e) {
            throw new TransformLoadException("cannot read " + transformsDir + ": " + e.getMessage(), e);
        }
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        try (StandardJavaFileManager files =
                compiler.getStandardFileManager(diagnostics, Locale.ROOT, StandardCharsets.UTF_8)) {
            List<String> options = List.of(
                    "-d",
                    outputDir.toString(),
                    "-classpath",
                    System.getProperty("java.class.path"),
                    "--release",
                    "17",
                    "-proc:none",
                    "-Xlint:none");
            StringWriter output = new StringWriter();
            boolean ok = compiler.getTask(
                            new PrintWriter(output),
                            files,
                            diagnostics,
                            options,
                            null,
                            files.getJavaFileObjectsFromPaths(sources))
                    .call();
            List<String> problems = new ArrayList<>();
            for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
                if (d.getKind() == Diagnostic.Kind.ERROR) {
                    String file = d.getSource() == null
                            ? "transforms"
                            : baseDir.relativize(Path.of(d.getSource().toUri())).toString();
                    problems.add(file + ":" + d.getLineNumber() + ":" + d.getColumnNumber() + ": error: "
                            + d.getMessage(Locale.ROOT).lines().findFirst().orElse(""));
                }
            }
            if (!ok) {
                if (problems.isEmpty()) {
                    problems.add("transforms: the Java compiler failed: "
                            + output.toString().strip());
                }
                throw new TransformLoadException(problems);
            }
        } catch (IOException e) {
            throw new TransformLoadException("cannot compile " + transformsDir + ": " + e.getMessage(), e);
        }
        return load(outputDir);
    }

    /** A class loader for transforms compiled earlier into {@code classesDir} (e.g. on the machine that submitted). */
    public static ClassLoader load(Path classesDir) throws TransformLoadException {
        try {
            return new URLClassLoader(
                    new URL[] {classesDir.toUri().toURL()}, JavaTransformCompiler.class.getClassLoader());
        } catch (MalformedURLException e) {
            throw new TransformLoadException("bad classes directory " + classesDir, e);
        }
    }

    /**
     * Instantiates {@code className} from {@code loader}, which must implement {@link Transform} and have a public
     * no-argument constructor. The result turns exceptions thrown by {@code apply} into {@link Action.Error}.
     */
    public static Transform instantiate(ClassLoader loader, String className) throws TransformLoadException {
        Class<?> type;
        try {
            type = Class.forName(className, true, loader);
        } catch (ClassNotFoundException | LinkageError e) {
            throw new TransformLoadException(
                    List.of("class " + className + " not found among the compiled transforms"));
        }
        if (!Transform.class.isAssignableFrom(type)) {
            throw new TransformLoadException(
                    List.of("class " + className + " does not implement " + Transform.class.getName()));
        }
        try {
            Constructor<?> constructor = type.getConstructor();
            return new GuardedTransform((Transform) constructor.newInstance(), className);
        } catch (NoSuchMethodException e) {
            throw new TransformLoadException(List.of("class " + className + " needs a public no-argument constructor"));
        } catch (ReflectiveOperationException | RuntimeException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new TransformLoadException("class " + className + " could not be created: " + cause, cause);
        }
    }

    /** Turns a user transform's exceptions into {@link Action.Error} with the stack trace as detail. */
    private record GuardedTransform(Transform delegate, String className) implements Transform {
        @Override
        public Action apply(io.puffgres.event.RowEvent event, io.puffgres.document.DocId id, TransformContext ctx) {
            try {
                Action action = delegate.apply(event, id, ctx);
                return action == null ? new Action.Skip(className + " returned null") : action;
            } catch (EmbeddingException e) {
                return new Action.Error(FailureKind.EMBED, e.getMessage(), "");
            } catch (Exception | StackOverflowError e) {
                StringWriter trace = new StringWriter();
                e.printStackTrace(new PrintWriter(trace));
                return new Action.Error(FailureKind.TRANSFORM, className + ": " + e, trace.toString());
            }
        }

        @Override
        public void close() throws Exception {
            delegate.close();
        }
    }
}
