package io.puffgres.architecture;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Which module's main code each class comes from, read from the modules' {@code src/main/java} trees when the test
 * runs, so a new package or class is covered without editing the test. A class belongs to the module whose tree holds
 * its source file (nested and anonymous classes to their file's), which keeps a package split across two modules
 * apart. Classes from no tree (test code, the testkit, libraries) belong to none.
 */
final class ModuleMap {

    /** Module name → source files in it, as {@code io/puffgres/config/Secret.java}; in layer order, lowest first. */
    private final Map<String, Set<String>> sources;

    private final Map<String, String> moduleOfSource = new HashMap<>();

    ModuleMap(LinkedHashMap<String, Set<String>> sources) {
        this.sources = sources;
        sources.forEach((module, files) -> files.forEach(file -> moduleOfSource.put(file, module)));
    }

    /** The modules under {@code root}, in layer order, each read from {@code <module>/src/main/java}. */
    static ModuleMap read(Path root, List<String> modules) {
        LinkedHashMap<String, Set<String>> sources = new LinkedHashMap<>();
        for (String module : modules) {
            Path tree = root.resolve(module).resolve("src/main/java");
            if (!Files.isDirectory(tree)) {
                throw new IllegalStateException("module " + module + " has no source tree at " + tree);
            }
            try (Stream<Path> files = Files.walk(tree)) {
                sources.put(
                        module,
                        files.filter(f -> f.toString().endsWith(".java"))
                                .map(f -> tree.relativize(f).toString().replace('\\', '/'))
                                .collect(Collectors.toCollection(TreeSet::new)));
            } catch (IOException e) {
                throw new UncheckedIOException("could not list the sources of " + module + " in " + tree, e);
            }
        }
        return new ModuleMap(sources);
    }

    /** The repository's root: the nearest directory at or above the working directory with a puffgres-mapping. */
    static Path repositoryRoot() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve("puffgres-mapping")) && Files.exists(dir.resolve("pom.xml"))) {
                return dir;
            }
        }
        throw new IllegalStateException(
                "no puffgres-mapping directory at or above " + Path.of("").toAbsolutePath());
    }

    List<String> modules() {
        return List.copyOf(sources.keySet());
    }

    /** The modules above {@code module} in layer order. */
    List<String> above(String module) {
        List<String> all = modules();
        return all.subList(all.indexOf(module) + 1, all.size());
    }

    /** The packages with a source file in {@code module}, sub-packages included. */
    Set<String> packagesOf(String module) {
        Set<String> packages = new TreeSet<>();
        for (String file : sources.get(module)) {
            int slash = file.lastIndexOf('/');
            packages.add(slash < 0 ? "" : file.substring(0, slash).replace('/', '.'));
        }
        return packages;
    }

    /** The module whose main code holds {@code javaClass}'s source file. */
    Optional<String> moduleOf(JavaClass javaClass) {
        return Optional.ofNullable(moduleOfSource.get(sourceFile(javaClass)));
    }

    /** Classes of any of {@code modules}, described with the packages they come from. */
    DescribedPredicate<JavaClass> in(List<String> modules) {
        List<String> described = new ArrayList<>();
        for (String module : modules) {
            described.add(module + " (" + String.join(", ", packagesOf(module)) + ")");
        }
        Set<String> wanted = Set.copyOf(modules);
        return DescribedPredicate.describe(
                "are in " + String.join(" or ", described),
                c -> moduleOf(c).map(wanted::contains).orElse(false));
    }

    /** {@code io/puffgres/config/Secret.java}: from the class file's SourceFile attribute, else from its name. */
    private static String sourceFile(JavaClass type) {
        JavaClass c = type.isArray() ? type.getBaseComponentType() : type;
        if (c.isPrimitive() || c.getPackageName().isEmpty()) {
            return c.getName(); // in no module's tree
        }
        String dir = c.getPackageName().replace('.', '/');
        String file = c.getSource().flatMap(source -> source.getFileName()).orElseGet(() -> {
            String simple = c.getName().substring(c.getPackageName().length() + 1);
            int nested = simple.indexOf('$');
            return (nested < 0 ? simple : simple.substring(0, nested)) + ".java";
        });
        return dir.isEmpty() ? file : dir + "/" + file;
    }
}
