package io.puffgres.transform;

import java.util.List;

/**
 * A transform that cannot be built: a JS syntax error, a missing export, Java compiler errors, a class that does
 * not implement {@link Transform}. {@link #problems()} lists each as {@code file:line:column: message}.
 */
public final class TransformLoadException extends Exception {

    private final List<String> problems;

    public TransformLoadException(List<String> problems) {
        super(String.join("\n", problems));
        this.problems = List.copyOf(problems);
    }

    public TransformLoadException(String problem, Throwable cause) {
        super(problem, cause);
        this.problems = List.of(problem);
    }

    public List<String> problems() {
        return problems;
    }
}
