package io.puffgres.migration;

import io.puffgres.config.Diagnostic;
import java.util.List;

/** A project with problems; {@link #diagnostics()} has every one of them, in file and line order. */
public final class InvalidProjectException extends Exception {

    private final List<Diagnostic> diagnostics;

    public InvalidProjectException(List<Diagnostic> diagnostics) {
        super(diagnostics.size() + " problem(s), first: " + diagnostics.get(0).render());
        this.diagnostics = List.copyOf(diagnostics);
    }

    public List<Diagnostic> diagnostics() {
        return diagnostics;
    }
}
