package io.puffgres.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.tomlj.Toml;

/** {@code [postgres] url} and its overrides as {@link ProjectConfigLoader} reads them: forms, users, passwords. */
class PostgresUrlConfigTest {

    private final List<Diagnostic> problems = new ArrayList<>();

    private Optional<ProjectConfig.Postgres> load(String postgresTable, Map<String, String> env) {
        String toml = "[postgres]\n" + postgresTable + "\n[turbopuffer]\nbase_url = \"http://127.0.0.1:7474\"\n";
        return ProjectConfigLoader.load("puffgres.toml", Toml.parse(toml), env, problems, new ArrayList<>())
                .map(ProjectConfig::postgres);
    }

    private List<String> rendered() {
        return problems.stream().map(Diagnostic::render).toList();
    }

    @Test
    void acceptsALibpqUrlInTheFileWithItsUserAndTlsParameters() {
        ProjectConfig.Postgres pg = load(
                        "url = \"postgresql://app@db.example:6543/shop?sslmode=verify-full&sslrootcert=/etc/ca.pem\"",
                        Map.of())
                .orElseThrow();
        assertThat(pg.url())
                .isEqualTo(new PostgresUrl(
                        "db.example", 6543, "shop", Map.of("sslmode", "verify-full", "sslrootcert", "/etc/ca.pem")));
        assertThat(pg.user()).contains("app");
        assertThat(pg.password()).isEmpty();
    }

    @Test
    void refusesAPasswordInTheFileAtItsLineWithoutShowingIt() {
        assertThat(load("slot = \"s\"\nurl = \"postgresql://app:hunter2@db/shop\"", Map.of()))
                .isEmpty();
        assertThat(rendered())
                .singleElement()
                .asString()
                .startsWith("puffgres.toml:3:1: postgres.url: holds a password, and a password never goes in a file")
                .contains("password_env")
                .doesNotContain("hunter2");

        problems.clear();
        assertThat(load("url = \"jdbc:postgresql://db/shop?password=hunter2\"", Map.of()))
                .isEmpty();
        assertThat(rendered())
                .singleElement()
                .asString()
                .contains("holds a password")
                .doesNotContain("hunter2");
    }

    @Test
    void takesThePasswordOfAUrlFromTheEnvironmentAsTheSecret() {
        ProjectConfig.Postgres pg = load(
                        "url = \"jdbc:postgresql://ignored/db\"",
                        Map.of("PUFFGRES_POSTGRES_URL", "postgres://app:hunter2@db.example/shop?sslmode=require"))
                .orElseThrow();
        assertThat(pg.url()).isEqualTo(new PostgresUrl("db.example", 5432, "shop", Map.of("sslmode", "require")));
        assertThat(pg.user()).contains("app");
        assertThat(pg.password()).map(Secret::reveal).contains("hunter2");
        assertThat(pg.toString()).doesNotContain("hunter2");
    }

    @Test
    void aPasswordInTheEnvironmentUrlAndPasswordEnvBothIsAnError() {
        assertThat(load(
                        "url = \"postgres://db/shop\"\npassword_env = \"PG_PW\"",
                        Map.of("PG_PW", "other", "PUFFGRES_POSTGRES_URL", "postgres://app:hunter2@db/shop")))
                .isEmpty();
        assertThat(rendered())
                .containsExactly("env PUFFGRES_POSTGRES_URL: postgres.url: holds a password, and"
                        + " postgres.password_env names one too (PG_PW); keep one");
    }

    @Test
    void aUserInTheUrlAndADifferentUserKeyIsAnErrorNamingBoth() {
        assertThat(load("url = \"postgresql://app@db/shop\"\nuser = \"puffgres\"", Map.of()))
                .isEmpty();
        assertThat(rendered())
                .containsExactly("puffgres.toml:3:1: postgres.user: \"puffgres\" differs from the user \"app\" in"
                        + " postgres.url; name the user in one place");

        problems.clear();
        assertThat(load("url = \"jdbc:postgresql://db/shop?user=app\"\nuser = \"app\"", Map.of()))
                .map(ProjectConfig.Postgres::user)
                .contains(Optional.of("app"));
    }

    @Test
    void aBadUrlInTheEnvironmentIsReportedAtTheVariable() {
        assertThat(load("url = \"postgres://db/shop\"", Map.of("PUFFGRES_POSTGRES_URL", "postgres://db")))
                .isEmpty();
        assertThat(rendered())
                .containsExactly("env PUFFGRES_POSTGRES_URL: postgres.url: names no database: add /DATABASE after the"
                        + " host");
    }

    @Test
    void aBadUrlInTheFileIsReportedAtItsLine() {
        assertThat(load("url = \"mysql://db/shop\"", Map.of())).isEmpty();
        assertThat(rendered())
                .containsExactly("puffgres.toml:2:1: postgres.url: must start with jdbc:postgresql://, postgresql:// or"
                        + " postgres://");
    }
}
