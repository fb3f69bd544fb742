package io.puffgres.cli.generate;

import io.puffgres.document.IdType;
import io.puffgres.event.PgType;
import io.puffgres.membership.Predicate;
import io.puffgres.membership.PredicateParser;
import io.puffgres.membership.PredicateSyntaxException;
import io.puffgres.membership.PredicateTypeException;
import io.puffgres.migration.Migration;
import io.puffgres.migration.Project;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.lang.model.SourceVersion;

/**
 * The checks and defaults behind {@code puffgres generate}'s answers, the same whether an answer is typed or
 * given as a flag. Each check returns the problem, or empty when the answer is fine. Stateless.
 */
final class DraftChecks {

    // the rules of MigrationParser (package-private in io.puffgres.migration), checked here while typing
    static final Pattern MAPPING_NAME = Migration.MAPPING_NAME;
    static final Pattern NAMESPACE = Migration.NAMESPACE;
    private static final Pattern JS_FILE = Pattern.compile("[A-Za-z0-9_.-]+\\.js");
    private static final Pattern COLUMN_IN_MESSAGE = Pattern.compile("column \"([^\"]+)\"");
    private static final Pattern QUOTED_VALUE = Pattern.compile("\"([^\"]*)\"");
    private static final Pattern LOOKUP_START = Pattern.compile("(?is)\\s*(SELECT|WITH)\\b.*");
    // a mapping name stays within MigrationParser's 63 characters; cut derived names to this
    private static final int MAX_MAPPING_NAME = 63;

    private DraftChecks() {}

    /** A mapping name from a relation name: lower case, other characters as {@code _}, starting with a letter. */
    static String mappingNameFor(String relation) {
        String s = relation.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]+", "_");
        s = s.replaceFirst("^[^a-z]+", "").replaceFirst("_+$", "");
        if (s.isEmpty()) {
            s = "mapping";
        }
        return s.length() > MAX_MAPPING_NAME ? s.substring(0, MAX_MAPPING_NAME) : s;
    }

    static Optional<InputProblem> mappingName(String name) {
        return MAPPING_NAME.matcher(name).matches()
                ? Optional.empty()
                : Optional.of(InputProblem.of("a mapping name is lower case letters, digits and _, starting with a"
                        + " letter, at most 63 characters"));
    }

    /** A namespace no other mapping writes to (the same mapping's earlier versions may). */
    static Optional<InputProblem> namespace(String namespace, String mapping, Project project) {
        if (!NAMESPACE.matcher(namespace).matches()) {
            return Optional.of(InputProblem.of("a namespace is 1 to 128 characters of A-Z a-z 0-9 - _ ."));
        }
        for (Migration m : project.effectiveMappings()) {
            if (m.namespace().equals(namespace) && !m.mappingName().equals(mapping)) {
                return Optional.of(InputProblem.of("namespace \"" + namespace + "\" is written by mapping "
                        + m.mappingName() + " (" + m.file() + "); each namespace has one mapping"));
            }
        }
        return Optional.empty();
    }

    /** Parses {@code text} and binds it to {@code types}, as validate and the job will. */
    static Optional<InputProblem> predicate(String text, Map<String, PgType> types) {
        try {
            PredicateParser.parse(text).bind(types);
            return Optional.empty();
        } catch (PredicateSyntaxException e) {
            return Optional.of(new InputProblem(e.getMessage(), e.line() == 1 ? e.column() : 0));
        } catch (PredicateTypeException e) {
            int column = columnOf(e.problems().get(0), text);
            return Optional.of(new InputProblem((column > 0 ? "1:" + column + ": " : "") + e.getMessage(), column));
        }
    }

    /** The parsed predicate; only for text {@link #predicate} accepted. */
    static Predicate parsedPredicate(String text) {
        try {
            return PredicateParser.parse(text);
        } catch (PredicateSyntaxException e) {
            throw new IllegalStateException("checked before: " + e.getMessage(), e);
        }
    }

    /**
     * Where a type problem is in the predicate (1-based), 0 when not found: the column it names, else the literal
     * it quotes (the binder's messages carry no position).
     */
    private static int columnOf(String problem, String text) {
        Matcher named = COLUMN_IN_MESSAGE.matcher(problem);
        if (!named.find()) {
            Matcher quotedValue = QUOTED_VALUE.matcher(problem);
            while (quotedValue.find()) {
                int at = text.indexOf("'" + quotedValue.group(1).replace("'", "''") + "'");
                if (at >= 0) {
                    return at + 1;
                }
            }
            return 0;
        }
        String column = named.group(1);
        Matcher quoted = Pattern.compile(Pattern.quote("\"" + column.replace("\"", "\"\"") + "\""))
                .matcher(text);
        if (quoted.find()) {
            return quoted.start() + 1;
        }
        Matcher bare = Pattern.compile("(?i)(?<![\\w\"'])" + Pattern.quote(column) + "(?![\\w\"'])")
                .matcher(text);
        return bare.find() ? bare.start() + 1 : 0;
    }

    /** The cheap part of a lookup query's check; Postgres plans it afterwards. */
    static Optional<InputProblem> lookupShape(String sql) {
        if (!LOOKUP_START.matcher(sql).matches()) {
            return Optional.of(InputProblem.of("a lookup is a query: start it with SELECT or WITH"));
        }
        if (!sql.contains("$1")) {
            return Optional.of(InputProblem.of("use $1 for the id of the row, e.g. SELECT 1 FROM t WHERE id = $1"));
        }
        return Optional.empty();
    }

    /** The id types a column of {@code type} can give, the natural one first. */
    static List<IdType> idTypes(PgType type) {
        if (type.array()) {
            return List.of(IdType.STRING);
        }
        return switch (type.category()) {
            case INTEGER -> List.of(IdType.UINT, IdType.INT, IdType.STRING);
            case NUMERIC -> List.of(IdType.UINT, IdType.STRING);
            case UUID -> List.of(IdType.UUID, IdType.STRING);
            case TEXT -> List.of(IdType.STRING, IdType.UUID);
            default -> List.of(IdType.STRING);
        };
    }

    static Optional<InputProblem> jsFile(String name, Path transformsDir) {
        if (!JS_FILE.matcher(name).matches()) {
            return Optional.of(InputProblem.of("a file name in puffgres/transforms ending in .js, e.g. pages.js"));
        }
        return exists(transformsDir.resolve(name));
    }

    static Optional<InputProblem> javaClass(String name, Path transformsDir) {
        if (!SourceVersion.isName(name)) {
            return Optional.of(InputProblem.of(
                    "a Java class name, optionally with a package: PagesTransform or" + " com.example.PagesTransform"));
        }
        return exists(transformsDir.resolve(simpleName(name) + ".java"));
    }

    private static Optional<InputProblem> exists(Path file) {
        return Files.exists(file)
                ? Optional.of(InputProblem.of("puffgres/transforms/" + file.getFileName()
                        + " already exists; puffgres generate never overwrites a file"))
                : Optional.empty();
    }

    /** {@code pages_public} → {@code PagesPublicTransform}. */
    static String javaClassFor(String mapping) {
        StringBuilder sb = new StringBuilder();
        for (String part : mapping.split("_")) {
            if (!part.isEmpty()) {
                sb.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1));
            }
        }
        return sb.append("Transform").toString();
    }

    static String simpleName(String className) {
        return className.substring(className.lastIndexOf('.') + 1);
    }
}
