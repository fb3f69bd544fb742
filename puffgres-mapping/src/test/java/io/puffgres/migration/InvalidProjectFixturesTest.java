package io.puffgres.migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.puffgres.config.Diagnostic;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each directory under {@code src/test/resources/projects/invalid} is a project with problems; its
 * {@code expected.txt} holds the exact diagnostics, one per line. Run with {@code -Dpuffgres.fixtures.write=true}
 * to rewrite the files after a deliberate message change, then review the diff.
 */
class InvalidProjectFixturesTest {

    private static final Path FIXTURES = Path.of("src/test/resources/projects/invalid");

    static Stream<String> cases() throws IOException {
        try (Stream<Path> dirs = Files.list(FIXTURES)) {
            return dirs.map(p -> p.getFileName().toString()).sorted().toList().stream();
        }
    }

    @Test
    void hasAtLeastTwentyFiveInvalidFixtures() throws IOException {
        assertThat(cases().count()).isGreaterThanOrEqualTo(25);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void reportsExactlyTheExpectedDiagnostics(String name) throws IOException {
        Path dir = FIXTURES.resolve(name);
        Path expectedFile = dir.resolve("expected.txt");
        List<String> actual = diagnostics(dir);
        if (Boolean.getBoolean("puffgres.fixtures.write")) {
            Files.write(expectedFile, actual);
        }
        assertThat(actual).isNotEmpty().containsExactlyElementsOf(Files.readAllLines(expectedFile));
    }

    /** The fixture's environment: {@code env.txt} with KEY=VALUE lines, if present. */
    private static Map<String, String> env(Path dir) throws IOException {
        Path file = dir.resolve("env.txt");
        Map<String, String> env = new HashMap<>();
        if (Files.exists(file)) {
            for (String line : Files.readAllLines(file)) {
                int eq = line.indexOf('=');
                env.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        return env;
    }

    private static List<String> diagnostics(Path dir) throws IOException {
        try {
            ProjectLoader.load(dir, env(dir));
        } catch (InvalidProjectException e) {
            return e.diagnostics().stream().map(Diagnostic::render).toList();
        }
        return List.of();
    }

    @Test
    void neverEchoesASecretValueFromTheEnvironment() {
        assertThatThrownBy(() ->
                        ProjectLoader.load(FIXTURES.resolve("config_problems"), Map.of("TPUF_KEY", "tpuf_s3cr3t")))
                .isInstanceOfSatisfying(
                        InvalidProjectException.class,
                        e -> assertThat(e.diagnostics())
                                .extracting(Diagnostic::render)
                                .noneMatch(line -> line.contains("tpuf_s3cr3t")));
    }
}
