package io.puffgres.config;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A secret read from an environment variable. {@link #toString()} names the variable, never the value, so a
 * secret can be logged, put in an exception or a record safely; only {@link #reveal()} gives the value.
 */
public final class Secret {

    private final String envVar;
    private final String value;

    private Secret(String envVar, String value) {
        this.envVar = Objects.requireNonNull(envVar, "envVar");
        this.value = Objects.requireNonNull(value, "value");
    }

    /** The secret in {@code envVar} of {@code env}, empty when the variable is unset or blank. */
    public static Optional<Secret> fromEnv(String envVar, Map<String, String> env) {
        String v = env.get(envVar);
        return v == null || v.isBlank() ? Optional.empty() : Optional.of(new Secret(envVar, v));
    }

    /** A secret not taken from the environment (tests, values typed at a prompt). */
    public static Secret of(String source, String value) {
        return new Secret(source, value);
    }

    /** The name of the environment variable (or other source) holding the secret. */
    public String envVar() {
        return envVar;
    }

    /** The secret value; pass it straight to the place that needs it, never to a log. */
    public String reveal() {
        return value;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Secret s && envVar.equals(s.envVar) && value.equals(s.value);
    }

    @Override
    public int hashCode() {
        return envVar.hashCode();
    }

    @Override
    public String toString() {
        return "Secret[" + envVar + "]";
    }
}
