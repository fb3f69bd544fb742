package io.puffgres.config;

import java.util.Comparator;

/**
 * One problem found in a project file or the environment.
 *
 * @param source the file relative to the project directory ({@code puffgres/migrations/0001_pages.toml}), or
 *     {@code env PUFFGRES_X} for an environment override
 * @param line 1-based line, 0 when the problem has no position (a whole file, an env var)
 * @param column 1-based column, 0 when the problem has no position
 * @param path the field path ({@code membership.predicate}), empty for the whole file
 * @param message what is wrong, naming the value where it helps
 */
public record Diagnostic(String source, int line, int column, String path, String message) {

    /** Orders by source, line, column, then path. */
    public static final Comparator<Diagnostic> ORDER = Comparator.comparing(Diagnostic::source)
            .thenComparingInt(Diagnostic::line)
            .thenComparingInt(Diagnostic::column)
            .thenComparing(Diagnostic::path);

    /** {@code source:line:column: path: message}, the position and path left out when absent. */
    public String render() {
        StringBuilder sb = new StringBuilder(source);
        if (line > 0) {
            sb.append(':').append(line).append(':').append(column);
        }
        sb.append(": ");
        if (!path.isEmpty()) {
            sb.append(path).append(": ");
        }
        return sb.append(message).toString();
    }

    @Override
    public String toString() {
        return render();
    }
}
