package io.puffgres.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.tomlj.Toml;

/**
 * {@code [source]} as {@link ProjectConfigLoader} reads it: {@code mode} ({@code "stream"}, the default, or {@code
 * "poll"}) and the poll settings, with their defaults, ranges, the rule that the longest wait is at least the first,
 * and their environment overrides; every problem at its line or at the variable that set it.
 */
class SourceConfigTest {

    /** Four lines: a {@code [source]} table appended starts at line 5. */
    private static final String VALID =
            "[postgres]\nurl = \"postgres://db/app\"\n[turbopuffer]\nbase_url = \"http://127.0.0.1:7474\"\n";

    private final List<Diagnostic> problems = new ArrayList<>();
    private final List<Diagnostic> warnings = new ArrayList<>();

    private Optional<ProjectConfig> load(String more, Map<String, String> env) {
        return ProjectConfigLoader.load("puffgres.toml", Toml.parse(VALID + more), env, problems, warnings);
    }

    private ProjectConfig.Source source(String more, Map<String, String> env) {
        ProjectConfig.Source source = load(more, env)
                .orElseThrow(() -> new AssertionError(rendered()))
                .source();
        assertThat(problems).isEmpty();
        return source;
    }

    private List<String> rendered() {
        return problems.stream().map(Diagnostic::render).toList();
    }

    @Test
    void streamsByDefaultWithThePollDefaultsReadyForPollFromTheCommandLine() {
        assertThat(source("", Map.of()))
                .isEqualTo(new ProjectConfig.Source(ProjectConfig.Source.Mode.STREAM, 200, 5_000, 10_000));
        assertThat(source("[source]\nmode = \"stream\"\n", Map.of()).mode())
                .isEqualTo(ProjectConfig.Source.Mode.STREAM);
    }

    @Test
    void pollsWithTheSettingsOfTheFile() {
        assertThat(source(
                        "[source]\nmode = \"poll\"\npoll_interval_ms = 50\npoll_max_interval_ms = 2000\n"
                                + "poll_batch_size = 500\n",
                        Map.of()))
                .isEqualTo(new ProjectConfig.Source(ProjectConfig.Source.Mode.POLL, 50, 2_000, 500));
    }

    @Test
    void theEnvironmentOverridesEveryKey() {
        assertThat(source(
                        "[source]\nmode = \"stream\"\npoll_interval_ms = 50\n",
                        Map.of(
                                "PUFFGRES_SOURCE_MODE", "poll",
                                "PUFFGRES_SOURCE_POLL_INTERVAL_MS", "1000",
                                "PUFFGRES_SOURCE_POLL_MAX_INTERVAL_MS", "30000",
                                "PUFFGRES_SOURCE_POLL_BATCH_SIZE", "2500")))
                .isEqualTo(new ProjectConfig.Source(ProjectConfig.Source.Mode.POLL, 1_000, 30_000, 2_500));
        assertThat(warnings).as("every override is read").isEmpty();
    }

    @Test
    void anIntervalAboveTheDefaultLongestWaitRaisesThatWaitToIt() {
        assertThat(source("[source]\npoll_interval_ms = 8000\n", Map.of()).pollMaxIntervalMs())
                .isEqualTo(8_000);
    }

    @Test
    void refusesAnyOtherModeAtItsLineOrAtTheVariable() {
        assertThat(load("[source]\nmode = \"replication\"\n", Map.of())).isEmpty();
        assertThat(rendered())
                .containsExactly("puffgres.toml:6:1: source.mode: must be \"stream\" (the replication protocol) or"
                        + " \"poll\" (wal2json over plain SQL) (got \"replication\")");
        problems.clear();
        assertThat(load("", Map.of("PUFFGRES_SOURCE_MODE", "POLL"))).isEmpty();
        assertThat(rendered())
                .containsExactly("env PUFFGRES_SOURCE_MODE: source.mode: must be \"stream\" (the replication"
                        + " protocol) or \"poll\" (wal2json over plain SQL) (got \"POLL\")");
    }

    @Test
    void refusesValuesOutOfRangeAndUnknownKeysTogether() {
        assertThat(load("[source]\npoll_interval_ms = 5\npoll_batch_size = 0\npoll_every = 3\n", Map.of()))
                .isEmpty();
        assertThat(rendered())
                .hasSize(3)
                .anyMatch(p -> p.startsWith("puffgres.toml:6:1: source.poll_interval_ms:") && p.contains("10"))
                .anyMatch(p -> p.startsWith("puffgres.toml:7:1: source.poll_batch_size:") && p.contains("(got 0)"))
                .anyMatch(p -> p.contains("poll_every"));
        problems.clear();
        assertThat(load("", Map.of("PUFFGRES_SOURCE_POLL_BATCH_SIZE", "lots"))).isEmpty();
        assertThat(rendered())
                .containsExactly("env PUFFGRES_SOURCE_POLL_BATCH_SIZE: source.poll_batch_size: must be an integer"
                        + " (got \"lots\")");
    }

    @Test
    void refusesALongestWaitBelowTheFirstAtItsLineOrAtTheVariable() {
        assertThat(load("[source]\npoll_interval_ms = 1000\npoll_max_interval_ms = 500\n", Map.of()))
                .isEmpty();
        assertThat(rendered())
                .containsExactly("puffgres.toml:7:1: source.poll_max_interval_ms: must be at least poll_interval_ms"
                        + " (1000), the wait it grows from (got 500)");
        problems.clear();
        assertThat(load("[source]\npoll_interval_ms = 1000\n", Map.of("PUFFGRES_SOURCE_POLL_MAX_INTERVAL_MS", "500")))
                .isEmpty();
        assertThat(rendered())
                .containsExactly("env PUFFGRES_SOURCE_POLL_MAX_INTERVAL_MS: source.poll_max_interval_ms: must be at"
                        + " least poll_interval_ms (1000), the wait it grows from (got 500)");
    }

    @Test
    void aMistypedVariableIsAWarningNamingTheOneMeant() {
        source("", Map.of("PUFFGRES_SOURCE_MOD", "poll"));
        assertThat(warnings.stream().map(Diagnostic::render))
                .singleElement()
                .asString()
                .contains("PUFFGRES_SOURCE_MOD")
                .contains("did you mean PUFFGRES_SOURCE_MODE?");
    }
}
