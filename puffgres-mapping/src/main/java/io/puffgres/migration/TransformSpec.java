package io.puffgres.migration;

import java.util.Optional;

/**
 * The {@code [transform]} of a mapping.
 *
 * @param path for js and java: the source file relative to the project's {@code puffgres/} directory
 * @param entry for js: the exported function to call
 * @param className for java: the class implementing {@code io.puffgres.transform.Transform}
 * @param retryErrors whether a transform error is retried before going to the DLQ
 */
public record TransformSpec(
        Kind kind, Optional<String> path, Optional<String> entry, Optional<String> className, boolean retryErrors) {

    public enum Kind {
        IDENTITY,
        JS,
        JAVA
    }

    public static TransformSpec identity() {
        return new TransformSpec(Kind.IDENTITY, Optional.empty(), Optional.empty(), Optional.empty(), false);
    }
}
