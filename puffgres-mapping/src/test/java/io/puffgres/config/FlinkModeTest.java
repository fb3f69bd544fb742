package io.puffgres.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.tomlj.Toml;

/**
 * {@code [flink] mode} as {@link ProjectConfigLoader} reads it: only {@code embedded} runs, so {@code remote} is an
 * error at its line (or at {@code PUFFGRES_FLINK_MODE}) instead of a project that silently runs embedded.
 */
class FlinkModeTest {

    private static final String VALID =
            "[postgres]\nurl = \"postgres://db/app\"\n[turbopuffer]\nbase_url = \"http://127.0.0.1:7474\"\n";

    private final List<Diagnostic> problems = new ArrayList<>();

    private Optional<ProjectConfig> load(String flinkTable, Map<String, String> env) {
        return ProjectConfigLoader.load(
                "puffgres.toml", Toml.parse(VALID + "[flink]\n" + flinkTable), env, problems, new ArrayList<>());
    }

    private List<String> rendered() {
        return problems.stream().map(Diagnostic::render).toList();
    }

    @Test
    void runsEmbeddedByDefaultAndWhenAskedTo() {
        assertThat(load("", Map.of()).orElseThrow().flink().mode()).isEqualTo(ProjectConfig.Flink.Mode.EMBEDDED);
        assertThat(load("mode = \"embedded\"\n", Map.of()).orElseThrow().flink().mode())
                .isEqualTo(ProjectConfig.Flink.Mode.EMBEDDED);
        assertThat(problems).isEmpty();
    }

    @Test
    void refusesRemoteAtItsLineNamingTheSupportedMode() {
        assertThat(load("parallelism = 2\nmode = \"remote\"\nrest_url = \"http://flink:8081\"\n", Map.of()))
                .isEmpty();
        assertThat(rendered())
                .containsExactly("puffgres.toml:7:1: flink.mode: \"remote\" (submitting the job to a Flink cluster) is"
                        + " not supported yet; the only supported mode is \"embedded\" (the default: a Flink"
                        + " MiniCluster inside puffgres run)");
    }

    @Test
    void refusesRemoteFromTheEnvironmentAtTheVariable() {
        assertThat(load("mode = \"embedded\"\n", Map.of("PUFFGRES_FLINK_MODE", "remote")))
                .isEmpty();
        assertThat(rendered())
                .singleElement()
                .asString()
                .startsWith("env PUFFGRES_FLINK_MODE: flink.mode: \"remote\" (submitting the job to a Flink cluster)"
                        + " is not supported yet; the only supported mode is \"embedded\"");
    }

    @Test
    void refusesAnyOtherModeShowingWhatItGot() {
        assertThat(load("mode = \"cluster\"\n", Map.of())).isEmpty();
        assertThat(rendered())
                .containsExactly(
                        "puffgres.toml:6:1: flink.mode: must be \"embedded\", the only supported mode (got \"cluster\")");
    }
}
