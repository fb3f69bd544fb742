package io.puffgres.cli;

import io.puffgres.config.ProjectConfig;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The one way a command opens the project's Postgres, and words what goes wrong with it: one line naming the server,
 * and a hint naming the connection settings where they came from, {@code [postgres]} keys in puffgres.toml or the
 * {@code PUFFGRES_POSTGRES_…} variables that override them. Every connection is new; the caller closes it. Never
 * prints the password.
 */
public final class PostgresAccess {

    /** The settings a failed connection comes down to, as {@code [postgres]} keys. */
    private static final List<String> CONNECTION_KEYS = List.of("url", "user", "password_env");

    private final ProjectConfig.Postgres config;
    private final Map<String, String> env;

    /** @param env the environment the project was loaded with (to tell what overrode puffgres.toml) */
    public PostgresAccess(ProjectConfig.Postgres config, Map<String, String> env) {
        this.config = config;
        this.env = env;
    }

    /**
     * A new connection; one that cannot be made is exit 1, {@code cannot connect to Postgres at URL: …}, with the
     * settings to check.
     */
    public Connection connect() {
        try {
            return open();
        } catch (SQLException e) {
            throw unreachable("connect to", e);
        }
    }

    /** A new connection, its failure left to the caller (e.g. {@code status}, which reports it and goes on). */
    public Connection open() throws SQLException {
        return config.connect();
    }

    /** {@code cannot VERB Postgres at URL: MESSAGE} (exit 1); the hint adds that the server must be up. */
    public CliException unreachable(String verb, SQLException e) {
        return new CliException(
                ExitCode.RUNTIME,
                "cannot " + verb + " Postgres at " + config.url() + ": " + e.getMessage(),
                hint() + ", and that the server is up");
    }

    /** A failure on an open connection: {@code Postgres: MESSAGE} (exit 1) with the settings to check. */
    public CliException failure(SQLException e) {
        return new CliException(ExitCode.RUNTIME, "Postgres: " + e.getMessage(), hint());
    }

    /** {@code check [postgres] url, user and password_env in puffgres.toml}, or the variables that override them. */
    public String hint() {
        return "check " + settings();
    }

    /**
     * The connection settings as the user gave them: {@code [postgres] url, user and password_env in puffgres.toml};
     * one set in the environment is named by its variable, e.g. {@code PUFFGRES_POSTGRES_URL in the environment,
     * [postgres] user and password_env in puffgres.toml}. A password given inside such a URL leaves password_env out.
     */
    public String settings() {
        List<String> fromEnv = new ArrayList<>();
        List<String> inFile = new ArrayList<>();
        for (String key : CONNECTION_KEYS) {
            String variable = "PUFFGRES_POSTGRES_" + key.toUpperCase(Locale.ROOT);
            if (env.containsKey(variable)) {
                fromEnv.add(variable);
            } else if (!key.equals("password_env") || !passwordInEnvUrl()) {
                inFile.add(key);
            }
        }
        String environment = fromEnv.isEmpty() ? "" : and(fromEnv) + " in the environment";
        String file = inFile.isEmpty() ? "" : "[postgres] " + and(inFile) + " in puffgres.toml";
        return environment.isEmpty() ? file : file.isEmpty() ? environment : environment + ", " + file;
    }

    private boolean passwordInEnvUrl() {
        return config.password()
                .filter(p -> p.envVar().equals("PUFFGRES_POSTGRES_URL"))
                .isPresent();
    }

    /** {@code a}, {@code a and b}, {@code a, b and c}. */
    private static String and(List<String> items) {
        int last = items.size() - 1;
        return last == 0 ? items.get(0) : String.join(", ", items.subList(0, last)) + " and " + items.get(last);
    }
}
