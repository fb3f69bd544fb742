package io.puffgres.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.puffgres.config.PostgresUrl;
import io.puffgres.config.ProjectConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The settings a Postgres error tells the user to check, named where they came from. */
class PostgresAccessTest {

    private static String settings(String url, String source, Map<String, String> env) {
        PostgresUrl.Parsed parsed = PostgresUrl.parse(url, source);
        ProjectConfig.Postgres config =
                new ProjectConfig.Postgres(parsed.url(), parsed.user(), parsed.password(), "puffgres", "puffgres");
        return new PostgresAccess(config, env).settings();
    }

    @Test
    void namesTheFileKeysWhenNothingOverridesThem() {
        assertThat(settings("jdbc:postgresql://db/app", "postgres.url", Map.of()))
                .isEqualTo("[postgres] url, user and password_env in puffgres.toml");
    }

    @Test
    void namesEachVariableThatOverridesAKey() {
        String url = "jdbc:postgresql://db/app";
        assertThat(settings(url, "PUFFGRES_POSTGRES_URL", Map.of("PUFFGRES_POSTGRES_URL", url)))
                .isEqualTo("PUFFGRES_POSTGRES_URL in the environment, [postgres] user and password_env in"
                        + " puffgres.toml");
        assertThat(settings(url, "postgres.url", Map.of("PUFFGRES_POSTGRES_USER", "app")))
                .isEqualTo("PUFFGRES_POSTGRES_USER in the environment, [postgres] url and password_env in"
                        + " puffgres.toml");
        assertThat(settings(
                        url,
                        "PUFFGRES_POSTGRES_URL",
                        Map.of(
                                "PUFFGRES_POSTGRES_URL", url,
                                "PUFFGRES_POSTGRES_USER", "app",
                                "PUFFGRES_POSTGRES_PASSWORD_ENV", "PW")))
                .isEqualTo("PUFFGRES_POSTGRES_URL, PUFFGRES_POSTGRES_USER and PUFFGRES_POSTGRES_PASSWORD_ENV in the"
                        + " environment");
    }

    @Test
    void leavesPasswordEnvOutWhenThePasswordCameInTheVariablesUrl() {
        String url = "postgresql://app:secret@db/app";
        assertThat(settings(url, "PUFFGRES_POSTGRES_URL", Map.of("PUFFGRES_POSTGRES_URL", url)))
                .isEqualTo("PUFFGRES_POSTGRES_URL in the environment, [postgres] user in puffgres.toml")
                .doesNotContain("secret");
    }
}
