package io.puffgres.cli.generate;

import io.puffgres.cli.CliException;
import io.puffgres.cli.ExitCode;
import io.puffgres.migration.Membership;
import io.puffgres.migration.Source;
import io.puffgres.migration.TransformSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Renders a {@link MigrationDraft} as a migration file (and its transform stub) and writes them into a project,
 * never replacing a file that exists.
 */
final class MigrationFiles {

    private static final Pattern BARE_KEY = Pattern.compile("[A-Za-z0-9_-]+");

    private final Path projectDir;

    /** @param projectDir the project directory (holding puffgres.toml) */
    MigrationFiles(Path projectDir) {
        this.projectDir = projectDir;
    }

    /** Where the draft's migration goes: {@code <project>/puffgres/migrations/NNNN_name.toml}. */
    Path migrationPath(MigrationDraft draft) {
        return projectDir.resolve("puffgres/migrations").resolve(draft.fileName());
    }

    /** Where the draft's transform stub goes, when it has one. */
    Optional<Path> stubPath(MigrationDraft draft) {
        return draft.transform().path().map(p -> projectDir.resolve("puffgres").resolve(p));
    }

    /** A project-relative path for messages. */
    String show(Path file) {
        return projectDir.relativize(file).toString();
    }

    /**
     * Writes the stub (if any) and then the migration.
     *
     * @return the files written, project-relative
     * @throws CliException when one of them exists already; then nothing is written
     */
    List<String> write(MigrationDraft draft) throws IOException {
        Optional<Path> stub = stubPath(draft);
        Path migration = migrationPath(draft);
        for (Path file : stub.map(s -> List.of(s, migration)).orElse(List.of(migration))) {
            if (Files.exists(file)) {
                throw exists(file);
            }
        }
        List<String> written = new ArrayList<>();
        if (stub.isPresent()) {
            String text = draft.transform().kind() == TransformSpec.Kind.JS
                    ? TransformStubs.js(draft)
                    : TransformStubs.java(draft);
            create(stub.get(), text);
            written.add(show(stub.get()));
        }
        try {
            create(migration, render(draft));
        } catch (IOException | CliException e) {
            if (stub.isPresent()) {
                Files.deleteIfExists(stub.get());
            }
            throw e;
        }
        written.add(0, show(migration));
        return written;
    }

    private void create(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        try {
            Files.writeString(file, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW);
        } catch (FileAlreadyExistsException e) {
            throw exists(file);
        }
    }

    private CliException exists(Path file) {
        return new CliException(
                ExitCode.USAGE,
                show(file) + " already exists; puffgres generate never overwrites a file",
                "choose another --mapping, --js-file or --java-class, or move the file away");
    }

    /** The migration file's text. */
    static String render(MigrationDraft d) {
        StringBuilder sb = new StringBuilder();
        Source src = d.source();
        sb.append("# Written by puffgres generate from ")
                .append(src.relation())
                .append("; edit it freely until puffgres apply records it.\n");
        sb.append("version = ").append(d.version()).append('\n');
        sb.append("mapping_name = ").append(quote(d.mappingName())).append('\n');
        sb.append("namespace = ").append(quote(d.namespace())).append('\n');
        sb.append("columns = [")
                .append(d.columns().stream().map(MigrationFiles::quote).collect(Collectors.joining(", ")))
                .append("]\n\n[source]\n");
        sb.append("schema = ").append(quote(src.schema())).append('\n');
        src.table().ifPresent(t -> sb.append("table = ").append(quote(t)).append('\n'));
        src.view().ifPresent(v -> sb.append("view = ").append(quote(v)).append('\n'));
        src.baseTable()
                .ifPresent(b -> sb.append("base_table = ").append(quote(b)).append('\n'));
        sb.append("\n[id]\ncolumn = ").append(quote(d.id().column())).append('\n');
        sb.append("type = ").append(quote(d.id().type().spelling())).append('\n');
        Membership m = d.membership();
        switch (m.mode()) {
            case ALL -> sb.append("\n# no [membership]: every row is a member\n");
            case DSL ->
                sb.append("\n[membership]\nmode = \"dsl\"\npredicate = ")
                        .append(quote(m.predicate().orElseThrow().text()))
                        .append('\n');
            case VIEW -> sb.append("\n[membership]\nmode = \"view\"\n");
            case LOOKUP ->
                sb.append("\n[membership]\nmode = \"lookup\"\nsql = ")
                        .append(quote(m.sql().orElseThrow()))
                        .append('\n');
        }
        TransformSpec t = d.transform();
        switch (t.kind()) {
            case IDENTITY -> sb.append("\n[transform]\nkind = \"identity\"\n");
            case JS ->
                sb.append("\n[transform]\nkind = \"js\"\npath = ")
                        .append(quote(t.path().orElseThrow()))
                        .append("\nentry = \"transform\"\n");
            case JAVA ->
                sb.append("\n[transform]\nkind = \"java\"\nclass = ")
                        .append(quote(t.className().orElseThrow()))
                        .append("\npath = ")
                        .append(quote(t.path().orElseThrow()))
                        .append('\n');
        }
        if (!d.fullText().isEmpty()) {
            sb.append("\n[tp_schema]\n");
            for (String column : d.fullText()) {
                sb.append(key(column)).append(" = { type = \"string\", full_text_search = true }\n");
            }
        }
        return sb.toString();
    }

    private static String key(String name) {
        return BARE_KEY.matcher(name).matches() ? name : quote(name);
    }

    /** A TOML basic string. */
    static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\t' -> sb.append("\\t");
                case '\r' -> sb.append("\\r");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        sb.append(String.format("\\u%04X", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }
}
