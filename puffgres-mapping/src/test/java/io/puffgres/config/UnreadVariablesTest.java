package io.puffgres.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tomlj.Toml;

/** The warnings of {@link ProjectConfigLoader} for {@code PUFFGRES_…} variables puffgres does not read. */
class UnreadVariablesTest {

    private static List<String> warnings(String toml, Map<String, String> env) {
        List<Diagnostic> out = new ArrayList<>();
        List<Diagnostic> warnings = new ArrayList<>();
        ProjectConfigLoader.load("puffgres.toml", Toml.parse(toml), env, out, warnings);
        return warnings.stream().map(Diagnostic::render).toList();
    }

    private static final String VALID =
            "[postgres]\nurl = \"postgres://db/app\"\n[turbopuffer]\nbase_url = \"http://127.0.0.1:7474\"\n";

    @Test
    void warnsOfATypoNamingTheVariableItWasMeantToBe() {
        assertThat(warnings(VALID, Map.of("PUFFGRES_POSTGRES_ULR", "postgres://other/app")))
                .containsExactly("env PUFFGRES_POSTGRES_ULR: puffgres reads no such variable, so it has no effect;"
                        + " did you mean PUFFGRES_POSTGRES_URL?");
    }

    @Test
    void warnsWithoutAGuessWhenNothingIsClose() {
        assertThat(warnings(VALID, Map.of("PUFFGRES_SOMETHING_ELSE_ENTIRELY", "1")))
                .containsExactly("env PUFFGRES_SOMETHING_ELSE_ENTIRELY: puffgres reads no such variable, so it has no"
                        + " effect (PUFFGRES_<TABLE>_<KEY> overrides a key of puffgres.toml)");
    }

    @Test
    void saysThatThePasswordVariableOfTheDocsIsUnreadWithoutPasswordEnv() {
        assertThat(warnings(VALID, Map.of("PUFFGRES_PG_PASSWORD", "secret")))
                .containsExactly("env PUFFGRES_PG_PASSWORD: is set, but no password_env names it, so puffgres does"
                        + " not read it (add password_env = \"PUFFGRES_PG_PASSWORD\" to [postgres])");
    }

    @Test
    void staysQuietOnKeysSecretsNamedInTheFileAndPuffgresOwnVariables() {
        String toml = VALID.replace("[turbopuffer]", "password_env = \"PUFFGRES_PG_PASSWORD\"\n[turbopuffer]")
                + "api_key_env = \"PUFFGRES_TPUF_KEY\"\n";
        assertThat(warnings(
                        toml,
                        Map.of(
                                "PUFFGRES_PG_PASSWORD", "pw",
                                "PUFFGRES_TPUF_KEY", "key",
                                "PUFFGRES_FLINK_PARALLELISM", "2",
                                "PUFFGRES_STATE_SCHEMA", "s",
                                "PUFFGRES_LOG_LEVEL", "INFO",
                                "PUFFGRES_JAVA_OPTS", "-Xmx1g",
                                "PUFFGRES_PG_BIN", "/usr/lib/postgresql/15/bin",
                                "DATABASE_URL", "postgres://elsewhere/x")))
                .isEmpty();
    }

    @Test
    void warnsEvenWhenTheProjectIsInvalid() {
        assertThat(warnings("[postgres]\n", Map.of("PUFFGRES_POSTGRES_ULR", "postgres://db/app")))
                .singleElement()
                .asString()
                .startsWith("env PUFFGRES_POSTGRES_ULR:");
    }
}
