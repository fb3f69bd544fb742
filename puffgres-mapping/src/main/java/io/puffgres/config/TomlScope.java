package io.puffgres.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.tomlj.TomlArray;
import org.tomlj.TomlPosition;
import org.tomlj.TomlTable;

/**
 * Typed, position-aware reads from one TOML table that record every problem as a {@link Diagnostic} instead
 * of stopping. Not thread-safe; one per file being loaded.
 */
public final class TomlScope {

    private final String source;
    private final TomlTable table;
    private final String path;
    private final TomlPosition position;
    private final List<Diagnostic> out;

    private TomlScope(String source, TomlTable table, String path, TomlPosition position, List<Diagnostic> out) {
        this.source = source;
        this.table = table;
        this.path = path;
        this.position = position;
        this.out = out;
    }

    /** The scope of a whole document; problems go to {@code out}. */
    public static TomlScope root(String source, TomlTable table, List<Diagnostic> out) {
        return new TomlScope(source, table, "", TomlPosition.positionAt(1, 1), out);
    }

    /** The underlying table. */
    public TomlTable table() {
        return table;
    }

    /** The dotted path of {@code key} in this scope. */
    public String pathOf(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    /** Whether the table has {@code key}. */
    public boolean has(String key) {
        return table.contains(List.of(key));
    }

    /** Records a problem at {@code key} (or at this table when the key is absent). */
    public void error(String key, String message) {
        TomlPosition at = has(key) ? table.inputPositionOf(List.of(key)) : position;
        out.add(new Diagnostic(source, at.line(), at.column(), pathOf(key), message));
    }

    /** Records a problem about this table as a whole. */
    public void errorHere(String message) {
        out.add(new Diagnostic(source, position.line(), position.column(), path, message));
    }

    /** Reports every key not in {@code allowed}. */
    public void allowOnly(Set<String> allowed) {
        for (String key : table.keySet()) {
            if (!allowed.contains(key)) {
                error(key, "unknown key (allowed: " + String.join(", ", new TreeSet<>(allowed)) + ")");
            }
        }
    }

    public Optional<TomlScope> table(String key, boolean required) {
        Object v = value(key, required);
        if (v == null) {
            return Optional.empty();
        }
        if (!(v instanceof TomlTable t)) {
            error(key, "must be a table (got " + show(v) + ")");
            return Optional.empty();
        }
        return Optional.of(new TomlScope(source, t, pathOf(key), table.inputPositionOf(List.of(key)), out));
    }

    /** The sub-table at {@code key}, or an empty one positioned at this table when it is absent. */
    public TomlScope section(String key) {
        return table(key, false)
                .orElseGet(() -> new TomlScope(source, org.tomlj.Toml.parse(""), pathOf(key), position, out));
    }

    public Optional<String> string(String key, boolean required) {
        Object v = value(key, required);
        if (v == null) {
            return Optional.empty();
        }
        if (!(v instanceof String s)) {
            error(key, "must be a string (got " + show(v) + ")");
            return Optional.empty();
        }
        return Optional.of(s);
    }

    public Optional<Long> integer(String key, boolean required) {
        Object v = value(key, required);
        if (v == null) {
            return Optional.empty();
        }
        if (!(v instanceof Long l)) {
            error(key, "must be an integer (got " + show(v) + ")");
            return Optional.empty();
        }
        return Optional.of(l);
    }

    public Optional<Boolean> bool(String key) {
        Object v = value(key, false);
        if (v == null) {
            return Optional.empty();
        }
        if (!(v instanceof Boolean b)) {
            error(key, "must be true or false (got " + show(v) + ")");
            return Optional.empty();
        }
        return Optional.of(b);
    }

    /** An array of strings; an empty array counts as missing when required. */
    public Optional<List<String>> strings(String key, boolean required) {
        Object v = value(key, required);
        if (v == null) {
            return Optional.empty();
        }
        if (!(v instanceof TomlArray array)) {
            error(key, "must be an array of strings (got " + show(v) + ")");
            return Optional.empty();
        }
        List<String> values = new ArrayList<>();
        for (int i = 0; i < array.size(); i++) {
            Object item = array.get(i);
            if (!(item instanceof String s)) {
                error(key, "must be an array of strings (item " + (i + 1) + " is " + show(item) + ")");
                return Optional.empty();
            }
            values.add(s);
        }
        if (values.isEmpty() && required) {
            error(key, "must list at least one entry");
            return Optional.empty();
        }
        return Optional.of(Collections.unmodifiableList(values));
    }

    /** A bounded integer; reports values outside {@code [min, max]}. */
    public Optional<Long> integerIn(String key, long min, long max) {
        Optional<Long> v = integer(key, false);
        if (v.isPresent() && (v.get() < min || v.get() > max)) {
            error(key, "must be between " + min + " and " + max + " (got " + v.get() + ")");
            return Optional.empty();
        }
        return v;
    }

    private Object value(String key, boolean required) {
        Object v = table.get(List.of(key));
        if (v == null && required) {
            out.add(new Diagnostic(source, position.line(), position.column(), pathOf(key), "is required"));
        }
        return v;
    }

    /** A value as it reads in a message: strings quoted, tables and arrays by kind. */
    public static String show(Object v) {
        if (v instanceof String s) {
            return "\"" + (s.length() > 60 ? s.substring(0, 57) + "..." : s) + "\"";
        }
        if (v instanceof TomlTable) {
            return "a table";
        }
        if (v instanceof TomlArray) {
            return "an array";
        }
        return String.valueOf(v);
    }
}
