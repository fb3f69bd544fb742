package io.puffgres.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.tomlj.Toml;

/** {@code [fill] chunk_rows} as {@link ProjectConfigLoader} reads it: a default, a range, and the env override. */
class FillChunkRowsTest {

    private static final String VALID =
            "[postgres]\nurl = \"postgres://db/app\"\n[turbopuffer]\nbase_url = \"http://127.0.0.1:7474\"\n";

    private final List<Diagnostic> problems = new ArrayList<>();

    private Optional<ProjectConfig> load(String more, Map<String, String> env) {
        return ProjectConfigLoader.load("puffgres.toml", Toml.parse(VALID + more), env, problems, new ArrayList<>());
    }

    @Test
    void defaultsToTenThousandRowsAndTakesTheFileOrTheEnvironment() {
        assertThat(load("", Map.of()).orElseThrow().fill().chunkRows()).isEqualTo(10_000);
        assertThat(load("[fill]\nchunk_rows = 500\n", Map.of())
                        .orElseThrow()
                        .fill()
                        .chunkRows())
                .isEqualTo(500);
        assertThat(load("[fill]\nchunk_rows = 500\n", Map.of("PUFFGRES_FILL_CHUNK_ROWS", "2000"))
                        .orElseThrow()
                        .fill()
                        .chunkRows())
                .isEqualTo(2000);
        assertThat(problems).isEmpty();
    }

    @Test
    void refusesTooFewOrTooManyRowsAndUnknownKeysTogether() {
        assertThat(load("[fill]\nchunk_rows = 10\nchunk_size = 5\n", Map.of())).isEmpty();
        assertThat(problems.stream().map(Diagnostic::render))
                .hasSize(2)
                .anyMatch(p -> p.contains("fill.chunk_rows") && p.contains("100") && p.contains("10000000"))
                .anyMatch(p -> p.contains("chunk_size"));
        problems.clear();
        assertThat(load("", Map.of("PUFFGRES_FILL_CHUNK_ROWS", "20000000"))).isEmpty();
        assertThat(problems.stream().map(Diagnostic::render))
                .singleElement()
                .asString()
                .startsWith("env PUFFGRES_FILL_CHUNK_ROWS: fill.chunk_rows: must be between 100 and 10000000 (got"
                        + " 20000000)");
    }
}
