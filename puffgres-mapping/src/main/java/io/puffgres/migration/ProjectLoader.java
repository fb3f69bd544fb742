package io.puffgres.migration;

import io.puffgres.config.Diagnostic;
import io.puffgres.config.ProjectConfig;
import io.puffgres.config.ProjectConfigLoader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.stream.Stream;
import org.tomlj.Toml;
import org.tomlj.TomlArray;
import org.tomlj.TomlParseError;
import org.tomlj.TomlParseResult;
import org.tomlj.TomlPosition;

/**
 * Loads a project directory: {@code puffgres.toml} and {@code puffgres/migrations/NNNN_name.toml}. Checks each
 * file and the rules across files (unique, increasing versions; one effective mapping per namespace), and
 * reports every problem at once. Reads only; never writes.
 */
public final class ProjectLoader {

    static final String CONFIG_FILE = "puffgres.toml";
    static final String MIGRATIONS_DIR = "puffgres/migrations";

    private ProjectLoader() {}

    /**
     * Loads the project in {@code dir} with environment {@code env} (for {@code PUFFGRES_…} overrides and
     * secrets).
     *
     * @throws InvalidProjectException with every problem found
     */
    public static Project load(Path dir, Map<String, String> env) throws InvalidProjectException {
        return load(dir, env, new ArrayList<>());
    }

    /**
     * As {@link #load(Path, Map)}, and adds to {@code warnings} what is suspect but not wrong: {@code PUFFGRES_…}
     * variables puffgres does not read. The warnings are there whether the project is valid or not.
     */
    public static Project load(Path dir, Map<String, String> env, List<Diagnostic> warnings)
            throws InvalidProjectException {
        Path projectDir = dir.toAbsolutePath().normalize();
        List<Diagnostic> out = new ArrayList<>();
        Optional<ProjectConfig> config = loadConfig(projectDir, env, out, warnings);
        List<Migration> migrations = loadMigrations(projectDir, out);
        checkAcrossFiles(projectDir, migrations, out);
        if (!out.isEmpty()) {
            out.sort(Diagnostic.ORDER);
            throw new InvalidProjectException(out, migrations);
        }
        return new Project(projectDir, config.orElseThrow(), migrations);
    }

    private static Optional<ProjectConfig> loadConfig(
            Path dir, Map<String, String> env, List<Diagnostic> out, List<Diagnostic> warnings) {
        Path file = dir.resolve(CONFIG_FILE);
        if (!Files.isRegularFile(file)) {
            out.add(new Diagnostic(CONFIG_FILE, 0, 0, "", "file not found in " + dir + " (run puffgres init)"));
            return Optional.empty();
        }
        TomlParseResult toml;
        try {
            toml = Toml.parse(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            out.add(new Diagnostic(CONFIG_FILE, 0, 0, "", "cannot read the file: " + e.getMessage()));
            return Optional.empty();
        }
        if (toml.hasErrors()) {
            for (TomlParseError e : toml.errors()) {
                out.add(new Diagnostic(
                        CONFIG_FILE, e.position().line(), e.position().column(), "", "TOML syntax: " + e.getMessage()));
            }
            return Optional.empty();
        }
        return ProjectConfigLoader.load(CONFIG_FILE, toml, env, out, warnings);
    }

    private static List<Migration> loadMigrations(Path dir, List<Diagnostic> out) {
        Path migrationsDir = dir.resolve(MIGRATIONS_DIR);
        if (!Files.isDirectory(migrationsDir)) {
            out.add(new Diagnostic(MIGRATIONS_DIR, 0, 0, "", "directory not found (run puffgres init)"));
            return List.of();
        }
        List<Path> files;
        try (Stream<Path> list = Files.list(migrationsDir)) {
            files = list.filter(p -> p.getFileName().toString().endsWith(".toml"))
                    .sorted(Comparator.comparing(p -> p.getFileName().toString()))
                    .toList();
        } catch (IOException e) {
            out.add(new Diagnostic(MIGRATIONS_DIR, 0, 0, "", "cannot list the directory: " + e.getMessage()));
            return List.of();
        }
        checkVersionsUnique(dir, files, out);
        List<Migration> migrations = new ArrayList<>();
        for (Path file : files) {
            MigrationParser.parse(dir, file, out).ifPresent(migrations::add);
        }
        migrations.sort(Comparator.comparingInt(Migration::version));
        return migrations;
    }

    private static void checkVersionsUnique(Path dir, List<Path> files, List<Diagnostic> out) {
        Map<Long, Path> seen = new HashMap<>();
        for (Path file : files) {
            Matcher m = MigrationParser.FILE_NAME.matcher(file.getFileName().toString());
            if (!m.matches()) {
                continue;
            }
            long version = Long.parseLong(m.group(1));
            Path earlier = seen.putIfAbsent(version, file);
            if (earlier != null) {
                TomlPosition at = positionOf(file, "version");
                out.add(new Diagnostic(
                        dir.relativize(file).toString(),
                        at.line(),
                        at.column(),
                        "version",
                        "version " + version + " is also used by " + dir.relativize(earlier)
                                + "; versions must be unique and increasing"));
            }
        }
    }

    private static void checkAcrossFiles(Path dir, List<Migration> migrations, List<Diagnostic> out) {
        Map<String, Migration> byNamespace = new HashMap<>();
        for (Migration m : Project.latestPerMapping(migrations)) {
            Migration other = byNamespace.putIfAbsent(m.namespace(), m);
            if (other != null) {
                TomlPosition at = positionOf(dir.resolve(m.file()), "namespace");
                out.add(new Diagnostic(
                        m.file().toString(),
                        at.line(),
                        at.column(),
                        "namespace",
                        "namespace \"" + m.namespace() + "\" is already written by mapping " + other.mappingName()
                                + " (" + other.file() + "); each namespace has one mapping"));
            }
        }
    }

    /**
     * A problem found outside the file (e.g. in the Postgres catalog) with field {@code key} of migration {@code m},
     * at the field's position in the file, as validate reports problems.
     *
     * @param key a dotted field path, e.g. {@code membership.predicate}
     * @param element the index of the array element meant ({@code columns}), or -1 for the field itself
     */
    public static Diagnostic diagnostic(Path projectDir, Migration m, String key, int element, String message) {
        TomlPosition at = positionOf(projectDir.resolve(m.file()), key, element);
        return new Diagnostic(m.file().toString(), at.line(), at.column(), key, message);
    }

    private static TomlPosition positionOf(Path file, String key) {
        return positionOf(file, key, -1);
    }

    private static TomlPosition positionOf(Path file, String key, int element) {
        try {
            TomlParseResult toml = Toml.parse(file);
            if (toml.get(key) instanceof TomlArray array && element >= 0 && element < array.size()) {
                return firstCharacterFrom(Files.readAllLines(file), array.inputPositionOf(element));
            }
            TomlPosition p = toml.inputPositionOf(key);
            return p == null ? TomlPosition.positionAt(1, 1) : p;
        } catch (IOException e) {
            return TomlPosition.positionAt(1, 1);
        }
    }

    /**
     * tomlj puts an array element that starts a line at the end of the line before it (after the comma): the first
     * non-blank character from {@code at} on is where the element is.
     */
    private static TomlPosition firstCharacterFrom(List<String> lines, TomlPosition at) {
        for (int line = at.line(), from = at.column() - 1; line <= lines.size(); line++, from = 0) {
            String text = lines.get(line - 1);
            for (int i = Math.max(from, 0); i < text.length(); i++) {
                if (!Character.isWhitespace(text.charAt(i))) {
                    return TomlPosition.positionAt(line, i + 1);
                }
            }
        }
        return at;
    }
}
