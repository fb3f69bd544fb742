package io.puffgres.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.tomlj.Toml;

/**
 * {@code [flink] mode} as {@link ProjectConfigLoader} reads it: {@code embedded} (the default) or {@code remote}, which
 * needs a {@code rest_url}; anything else is an error at its line (or at {@code PUFFGRES_FLINK_MODE}).
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
    void runsRemoteAtTheClusterItsRestUrlNames() {
        ProjectConfig.Flink flink = load("mode = \"remote\"\nrest_url = \"http://flink:8081\"\n", Map.of())
                .orElseThrow()
                .flink();
        assertThat(flink.mode()).isEqualTo(ProjectConfig.Flink.Mode.REMOTE);
        assertThat(flink.restUrl()).contains("http://flink:8081");
        assertThat(load("", Map.of("PUFFGRES_FLINK_MODE", "remote", "PUFFGRES_FLINK_REST_URL", "http://10.0.0.5:8081"))
                        .orElseThrow()
                        .flink()
                        .mode())
                .isEqualTo(ProjectConfig.Flink.Mode.REMOTE);
        assertThat(problems).isEmpty();
    }

    @Test
    void refusesRemoteWithoutRestUrlAtItsLine() {
        assertThat(load("parallelism = 2\nmode = \"remote\"\n", Map.of())).isEmpty();
        assertThat(rendered())
                .containsExactly(
                        "puffgres.toml:7:1: flink.mode: \"remote\" needs rest_url, the cluster's REST API (e.g."
                                + " rest_url = \"http://flink-jobmanager:8081\")");
    }

    @Test
    void refusesRemoteFromTheEnvironmentWithoutRestUrlAtTheVariable() {
        assertThat(load("mode = \"embedded\"\n", Map.of("PUFFGRES_FLINK_MODE", "remote")))
                .isEmpty();
        assertThat(rendered())
                .containsExactly(
                        "env PUFFGRES_FLINK_MODE: flink.mode: \"remote\" needs rest_url, the cluster's REST API"
                                + " (e.g. rest_url = \"http://flink-jobmanager:8081\")");
    }

    @Test
    void refusesARestUrlThatIsNotABaseUrl() {
        assertThat(load("mode = \"remote\"\nrest_url = \"flink:8081\"\n", Map.of()))
                .isEmpty();
        assertThat(rendered())
                .containsExactly("puffgres.toml:7:1: flink.rest_url: must be the Flink REST API's base URL, e.g."
                        + " http://flink-jobmanager:8081 (got \"flink:8081\")");
    }

    @Test
    void refusesAnyOtherModeShowingWhatItGot() {
        assertThat(load("mode = \"cluster\"\n", Map.of())).isEmpty();
        assertThat(rendered())
                .containsExactly(
                        "puffgres.toml:6:1: flink.mode: must be \"embedded\" (a Flink MiniCluster inside puffgres"
                                + " run) or \"remote\" (submit to the Flink cluster at rest_url) (got \"cluster\")");
    }
}
