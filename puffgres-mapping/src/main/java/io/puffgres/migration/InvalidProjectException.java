package io.puffgres.migration;

import io.puffgres.config.Diagnostic;
import java.util.List;

/**
 * A project with problems; {@link #diagnostics()} has every one of them, in file and line order, and {@link
 * #parsed()} the migrations that parsed without problems of their own (so their transforms can still be checked).
 */
public final class InvalidProjectException extends Exception {

    private final List<Diagnostic> diagnostics;
    private final List<Migration> parsed;

    public InvalidProjectException(List<Diagnostic> diagnostics) {
        this(diagnostics, List.of());
    }

    public InvalidProjectException(List<Diagnostic> diagnostics, List<Migration> parsed) {
        super(diagnostics.size() + " problem(s), first: " + diagnostics.get(0).render());
        this.diagnostics = List.copyOf(diagnostics);
        this.parsed = List.copyOf(parsed);
    }

    public List<Diagnostic> diagnostics() {
        return diagnostics;
    }

    /** The migrations without problems of their own, in version order. */
    public List<Migration> parsed() {
        return parsed;
    }
}
