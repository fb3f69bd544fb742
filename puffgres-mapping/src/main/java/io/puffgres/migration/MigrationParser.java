package io.puffgres.migration;

import io.puffgres.config.Diagnostic;
import io.puffgres.config.TomlScope;
import io.puffgres.document.AttributeSchema;
import io.puffgres.document.IdType;
import io.puffgres.membership.Predicate;
import io.puffgres.membership.PredicateParser;
import io.puffgres.membership.PredicateSyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.tomlj.Toml;
import org.tomlj.TomlParseError;
import org.tomlj.TomlParseResult;
import org.tomlj.TomlTable;

/**
 * Parses and checks one migration file on its own; cross-file rules live in {@link ProjectLoader}. Every
 * problem is reported, none stops the parse.
 */
final class MigrationParser {

    static final Pattern FILE_NAME = Pattern.compile("(\\d{4,})_([A-Za-z0-9_-]+)\\.toml");
    static final Pattern NAMESPACE = Migration.NAMESPACE;
    static final Pattern MAPPING_NAME = Migration.MAPPING_NAME;
    private static final Pattern TP_TYPE =
            Pattern.compile("(\\[\\])?(string|int|uint|float|uuid|datetime|bool)|\\[[1-9][0-9]{0,4}\\]f(32|16)");

    private static final Set<String> TOP_KEYS = Set.of(
            "version",
            "mapping_name",
            "namespace",
            "columns",
            "source",
            "id",
            "membership",
            "transform",
            "tp_schema",
            "write",
            "versioning");
    private static final Set<String> SCHEMA_OPTIONS =
            Set.of("type", "filterable", "full_text_search", "regex", "glob", "ann", "flatten");

    private final Path projectDir;
    private final Path file;
    private final String source;
    private final List<Diagnostic> out;

    private MigrationParser(Path projectDir, Path file, List<Diagnostic> out) {
        this.projectDir = projectDir;
        this.file = file;
        this.source = projectDir.relativize(file).toString();
        this.out = out;
    }

    /** Parses {@code file}; returns empty when it has problems, which are added to {@code out}. */
    static Optional<Migration> parse(Path projectDir, Path file, List<Diagnostic> out) {
        return new MigrationParser(projectDir, file, out).run();
    }

    private Optional<Migration> run() {
        int before = out.size();
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (java.io.IOException e) {
            out.add(new Diagnostic(source, 0, 0, "", "cannot read the file: " + e.getMessage()));
            return Optional.empty();
        }
        Matcher name = FILE_NAME.matcher(file.getFileName().toString());
        if (!name.matches()) {
            out.add(new Diagnostic(
                    source,
                    0,
                    0,
                    "",
                    "the file name must be NNNN_name.toml (a version of 4 or more digits, '_', a name)"));
        }
        TomlParseResult toml = Toml.parse(new String(bytes, StandardCharsets.UTF_8));
        if (toml.hasErrors()) {
            for (TomlParseError e : toml.errors()) {
                out.add(new Diagnostic(
                        source, e.position().line(), e.position().column(), "", "TOML syntax: " + messageOf(e)));
            }
            return Optional.empty();
        }
        TomlScope root = TomlScope.root(source, toml, out);
        root.allowOnly(TOP_KEYS);

        Optional<Long> version = root.integer("version", true);
        if (version.isPresent() && version.get() < 1) {
            root.error("version", "must be a positive integer (got " + version.get() + ")");
        } else if (version.isPresent() && name.matches() && version.get() != Long.parseLong(name.group(1))) {
            root.error(
                    "version",
                    "must equal the number in the file name (" + Long.parseLong(name.group(1)) + "), got "
                            + version.get());
        }
        Optional<String> mappingName = root.string("mapping_name", true);
        mappingName
                .filter(n -> !MAPPING_NAME.matcher(n).matches())
                .ifPresent(n -> root.error(
                        "mapping_name",
                        "must be lower case letters, digits and _, starting with a letter, at most 63"
                                + " characters (got \"" + n + "\")"));
        Optional<String> namespace = root.string("namespace", true);
        namespace
                .filter(n -> !NAMESPACE.matcher(n).matches())
                .ifPresent(n -> root.error(
                        "namespace",
                        "must be 1 to 128 characters of A-Z a-z 0-9 - _ . (got " + TomlScope.show(n) + ")"));
        Optional<List<String>> columnList = root.strings("columns", true);
        List<String> columns = columnList.orElse(List.of());
        Set<String> columnSet = new LinkedHashSet<>();
        for (String c : columns) {
            if (c.isEmpty()) {
                root.error("columns", "column names must not be empty");
            } else if (!columnSet.add(c)) {
                root.error("columns", "column \"" + c + "\" is listed twice");
            }
        }
        // without a usable columns list, "not listed in columns" would only repeat that problem
        ColumnCheck check = new ColumnCheck(columnSet, columnList.isPresent());

        Optional<Source> src = root.table("source", true).flatMap(this::source);
        Optional<IdSpec> id = root.table("id", true).flatMap(t -> id(t, check));
        Membership membership = root.table("membership", false)
                .map(t -> membership(t, check, src))
                .orElse(Membership.all());
        TransformSpec transform =
                root.table("transform", false).map(this::transform).orElse(TransformSpec.identity());
        Map<String, AttributeSchema> tpSchema =
                root.table("tp_schema", false).map(this::tpSchema).orElse(Map.of());
        WriteSettings write = root.table("write", false).map(this::write).orElse(WriteSettings.defaults());
        Versioning versioning =
                root.table("versioning", false).map(t -> versioning(t, check)).orElse(Versioning.sourceLsn());
        String transformChecksum = transformChecksum(transform);

        if (out.size() > before) {
            return Optional.empty();
        }
        return Optional.of(new Migration(
                projectDir.relativize(file),
                version.orElseThrow().intValue(),
                mappingName.orElseThrow(),
                namespace.orElseThrow(),
                columns,
                src.orElseThrow(),
                id.orElseThrow(),
                membership,
                transform,
                tpSchema,
                write,
                versioning,
                checksum(bytes),
                transformChecksum));
    }

    /** Reports a column that is not in {@code columns} (only when {@code columns} itself was given). */
    private record ColumnCheck(Set<String> columns, boolean known) {
        void require(TomlScope scope, String key, String column, String what) {
            if (known && !columns.contains(column)) {
                scope.error(key, what + " \"" + column + "\" is not listed in columns");
            }
        }
    }

    private Optional<Source> source(TomlScope t) {
        t.allowOnly(Set.of("schema", "table", "view", "base_table"));
        String schema = t.string("schema", false).orElse("public");
        Optional<String> table = t.string("table", false);
        Optional<String> view = t.string("view", false);
        Optional<String> baseTable = t.string("base_table", false);
        if (table.isPresent() && view.isPresent()) {
            t.error("view", "give either table or view, not both");
            return Optional.empty();
        }
        if (table.isEmpty() && view.isEmpty()) {
            if (!t.has("table") && !t.has("view")) {
                t.errorHere("needs a table or a view");
            }
            return Optional.empty();
        }
        if (table.isPresent() && baseTable.isPresent()) {
            t.error("base_table", "only a view source has a base_table");
        }
        return Optional.of(new Source(schema, table, view, baseTable));
    }

    private Optional<IdSpec> id(TomlScope t, ColumnCheck check) {
        t.allowOnly(Set.of("column", "type"));
        Optional<String> column = t.string("column", true);
        column.ifPresent(c -> check.require(t, "column", c, "id column"));
        Optional<IdType> type = t.string("type", true).flatMap(s -> {
            Optional<IdType> parsed = IdType.parse(s);
            if (parsed.isEmpty()) {
                t.error("type", "must be one of uint, int, uuid, string (got \"" + s + "\")");
            }
            return parsed;
        });
        return column.isPresent() && type.isPresent()
                ? Optional.of(new IdSpec(column.get(), type.get()))
                : Optional.empty();
    }

    private Membership membership(TomlScope t, ColumnCheck check, Optional<Source> src) {
        t.allowOnly(Set.of("mode", "predicate", "sql"));
        String mode = t.string("mode", true).orElse("");
        Optional<String> predicateText = t.string("predicate", false);
        Optional<String> sql = t.string("sql", false);
        switch (mode) {
            case "dsl" -> {
                if (predicateText.isEmpty() && !t.has("predicate")) {
                    t.error("predicate", "is required when mode = \"dsl\"");
                }
                sql.ifPresent(s -> t.error("sql", "is only used with mode = \"lookup\""));
                Optional<Predicate> predicate = predicateText.flatMap(text -> parsePredicate(t, text));
                predicate.ifPresent(p -> p.columns().forEach(c -> check.require(t, "predicate", c, "column")));
                return new Membership(Membership.Mode.DSL, predicate, Optional.empty());
            }
            case "view" -> {
                if (src.isPresent() && !src.get().isView()) {
                    t.error("mode", "mode = \"view\" needs source.view, but the source is a table");
                }
                predicateText.ifPresent(p -> t.error("predicate", "is only used with mode = \"dsl\""));
                sql.ifPresent(s -> t.error("sql", "is only used with mode = \"lookup\""));
                return new Membership(Membership.Mode.VIEW, Optional.empty(), Optional.empty());
            }
            case "lookup" -> {
                if (sql.isEmpty() && !t.has("sql")) {
                    t.error("sql", "is required when mode = \"lookup\"");
                }
                sql.filter(s -> !s.contains("$1"))
                        .ifPresent(s ->
                                t.error("sql", "must use $1 for the id of the row (got " + TomlScope.show(s) + ")"));
                predicateText.ifPresent(p -> t.error("predicate", "is only used with mode = \"dsl\""));
                return new Membership(Membership.Mode.LOOKUP, Optional.empty(), sql);
            }
            default -> {
                if (t.has("mode") && t.table().get("mode") instanceof String) {
                    t.error("mode", "must be one of dsl, view, lookup (got \"" + mode + "\")");
                }
                return Membership.all();
            }
        }
    }

    private Optional<Predicate> parsePredicate(TomlScope t, String text) {
        try {
            return Optional.of(PredicateParser.parse(text));
        } catch (PredicateSyntaxException e) {
            t.error("predicate", e.getMessage() + " (in " + TomlScope.show(text) + ")");
            return Optional.empty();
        }
    }

    private TransformSpec transform(TomlScope t) {
        t.allowOnly(Set.of("kind", "path", "entry", "class", "retry_errors"));
        String kindText = t.string("kind", false).orElse("identity");
        Optional<String> path = t.string("path", false);
        Optional<String> entry = t.string("entry", false);
        Optional<String> className = t.string("class", false);
        boolean retry = t.bool("retry_errors").orElse(false);
        TransformSpec.Kind kind;
        switch (kindText) {
            case "identity" -> {
                kind = TransformSpec.Kind.IDENTITY;
                path.ifPresent(p -> t.error("path", "is only used with kind = \"js\" or \"java\""));
            }
            case "js" -> {
                kind = TransformSpec.Kind.JS;
                if (path.isEmpty() && !t.has("path")) {
                    t.error("path", "is required when kind = \"js\"");
                }
                path.ifPresent(p -> requireFile(t, p));
                entry = Optional.of(entry.orElse("transform"));
            }
            case "java" -> {
                kind = TransformSpec.Kind.JAVA;
                if (className.isEmpty() && !t.has("class")) {
                    t.error(
                            "class",
                            "is required when kind = \"java\" (the class implementing"
                                    + " io.puffgres.transform.Transform)");
                }
                if (path.isEmpty() && className.isPresent()) {
                    String simple = className.get().substring(className.get().lastIndexOf('.') + 1);
                    path = Optional.of("transforms/" + simple + ".java");
                }
                path.ifPresent(p -> requireFile(t, p));
            }
            default -> {
                t.error("kind", "must be one of identity, js, java (got \"" + kindText + "\")");
                kind = TransformSpec.Kind.IDENTITY;
            }
        }
        return new TransformSpec(kind, path, entry, className, retry);
    }

    /** The checksum of the transform's source file; empty for identity or a file {@link #requireFile} refused. */
    private String transformChecksum(TransformSpec transform) {
        if (transform.path().isEmpty()) {
            return "";
        }
        Path resolved =
                projectDir.resolve("puffgres").resolve(transform.path().get()).normalize();
        if (!Files.isRegularFile(resolved)) {
            return "";
        }
        try {
            return checksum(Files.readAllBytes(resolved));
        } catch (java.io.IOException e) {
            out.add(new Diagnostic(
                    source, 0, 0, "transform.path", "cannot read " + projectDir.relativize(resolved) + ": " + e));
            return "";
        }
    }

    private void requireFile(TomlScope t, String path) {
        Path resolved = projectDir.resolve("puffgres").resolve(path).normalize();
        if (!resolved.startsWith(projectDir.resolve("puffgres").normalize())) {
            t.error("path", "must stay inside the puffgres/ directory (got \"" + path + "\")");
        } else if (!Files.isRegularFile(resolved)) {
            t.error(t.has("path") ? "path" : "class", "file not found: " + projectDir.relativize(resolved));
        }
    }

    private Map<String, AttributeSchema> tpSchema(TomlScope t) {
        Map<String, AttributeSchema> hints = new LinkedHashMap<>();
        for (String attribute : t.table().keySet()) {
            Object v = t.table().get(List.of(attribute));
            if (v instanceof String type) {
                if (checkType(t, attribute, type)) {
                    hints.put(attribute, AttributeSchema.ofType(type));
                }
            } else if (v instanceof TomlTable) {
                t.table(attribute, false).flatMap(this::attributeSchema).ifPresent(s -> hints.put(attribute, s));
            } else {
                t.error(attribute, "must be a type string or a table (got " + TomlScope.show(v) + ")");
            }
        }
        return hints;
    }

    private Optional<AttributeSchema> attributeSchema(TomlScope a) {
        a.allowOnly(SCHEMA_OPTIONS);
        Optional<String> type = a.string("type", false).filter(ty -> checkType(a, "type", ty));
        Map<String, Object> options = new LinkedHashMap<>();
        for (String flag : List.of("filterable", "regex", "glob")) {
            a.bool(flag).ifPresent(b -> options.put(flag, b));
        }
        for (String nested : List.of("full_text_search", "ann")) {
            Object v = a.table().get(List.of(nested));
            if (v instanceof Boolean b) {
                options.put(nested, b);
            } else if (v instanceof TomlTable table) {
                options.put(nested, table.toMap());
            } else if (v != null) {
                a.error(nested, "must be true, false or a table (got " + TomlScope.show(v) + ")");
            }
        }
        boolean flatten = a.bool("flatten").orElse(false);
        return Optional.of(new AttributeSchema(type, options, flatten));
    }

    private static boolean checkType(TomlScope t, String key, String type) {
        if (!TP_TYPE.matcher(type).matches()) {
            t.error(
                    key,
                    "unknown turbopuffer type \"" + type + "\" (use string, int, uint, float, uuid, datetime,"
                            + " bool, []T arrays, or [N]f32 / [N]f16 vectors)");
            return false;
        }
        return true;
    }

    private WriteSettings write(TomlScope t) {
        t.allowOnly(Set.of("batch_max_rows", "batch_max_bytes", "flush_interval_ms"));
        return new WriteSettings(
                t.integerIn("batch_max_rows", 1, WriteSettings.MAX_BATCH_ROWS)
                        .orElse((long) WriteSettings.DEFAULT_BATCH_MAX_ROWS)
                        .intValue(),
                t.integerIn("batch_max_bytes", WriteSettings.MIN_BATCH_BYTES, WriteSettings.MAX_BATCH_BYTES)
                        .orElse(WriteSettings.DEFAULT_BATCH_MAX_BYTES),
                t.integerIn("flush_interval_ms", 1, WriteSettings.MAX_FLUSH_INTERVAL_MS)
                        .orElse(WriteSettings.DEFAULT_FLUSH_INTERVAL_MS));
    }

    private Versioning versioning(TomlScope t, ColumnCheck check) {
        t.allowOnly(Set.of("mode", "column"));
        String mode = t.string("mode", false).orElse("source_lsn");
        Optional<String> column = t.string("column", false);
        switch (mode) {
            case "source_lsn" -> {
                column.ifPresent(c -> t.error("column", "is only used with mode = \"column\""));
                return Versioning.sourceLsn();
            }
            case "column" -> {
                if (column.isEmpty() && !t.has("column")) {
                    t.error("column", "is required when mode = \"column\"");
                }
                column.ifPresent(c -> check.require(t, "column", c, "versioning column"));
                return new Versioning(Versioning.Mode.COLUMN, column);
            }
            default -> {
                t.error("mode", "must be source_lsn or column (got \"" + mode + "\")");
                return Versioning.sourceLsn();
            }
        }
    }

    private static String messageOf(TomlParseError e) {
        String m = e.getMessage();
        return m.toLowerCase(Locale.ROOT).startsWith("unexpected")
                ? Character.toLowerCase(m.charAt(0)) + m.substring(1)
                : m;
    }

    /** SHA-256 hex of the bytes with CRLF normalised to LF, so a checkout's line endings do not matter. */
    static String checksum(byte[] bytes) {
        String text = new String(bytes, StandardCharsets.UTF_8).replace("\r\n", "\n");
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(sha.digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always available", e);
        }
    }
}
