package io.puffgres.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.puffgres.cli.ExitCode;
import io.puffgres.migration.Migration;
import io.puffgres.migration.MigrationTransforms;
import io.puffgres.migration.Project;
import io.puffgres.migration.ProjectLoader;
import io.puffgres.testkit.PostgresDatabase;
import io.puffgres.testkit.ProjectFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code puffgres generate} wizard in a real pseudo-terminal: util-linux {@code script} runs a new JVM on a
 * pty, the test types keys into it and reads the screen output. It matches prompts in the output with the
 * escape sequences removed, never exact screen bytes, since the wizard redraws only what changes.
 */
class GenerateCommandTerminalIT {

    @RegisterExtension
    static final PostgresDatabase db = new PostgresDatabase();

    private static final Duration PROMPT_TIMEOUT = Duration.ofSeconds(60);
    private static final Pattern ESCAPES = Pattern.compile(
            "\u001B\\[[0-?]*[ -/]*[@-~]|\u001B\\][^\u0007]*\u0007|\u001B[()#][0-9A-Za-z]|\u001B[=>78]|\r");
    private static final String DOWN = "\u001B[B";
    private static final String ENTER = "\r";

    @TempDir
    Path dir;

    private Process process;
    private final StringBuilder output = new StringBuilder();
    private int seen;

    @BeforeAll
    static void schema() {
        db.execute(
                "CREATE TABLE articles (id bigint PRIMARY KEY, title text)",
                "CREATE TABLE pages (id bigint PRIMARY KEY, title text, body text, status text)");
    }

    @AfterEach
    void stop() {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
        }
    }

    /** Starts {@code puffgres generate} in a 120x40 pty. */
    private void start() throws IOException {
        ProjectFiles.writeConfig(dir, db.jdbcUrl(), "wizard", "wizard", "http://127.0.0.1:7474", 1000);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String command = "stty cols 120 rows 40 && exec " + quote(java) + " -cp "
                + quote(System.getProperty("java.class.path")) + " io.puffgres.launcher.Main generate --project "
                + quote(dir.toString());
        ProcessBuilder pb = new ProcessBuilder("script", "-qfec", command, "/dev/null").redirectErrorStream(true);
        pb.environment().put("TERM", "xterm-256color");
        process = pb.start();
        Thread reader = new Thread(() -> copy(process.getInputStream()), "pty-output");
        reader.setDaemon(true);
        reader.start();
    }

    private void copy(InputStream in) {
        byte[] buf = new byte[8192];
        try {
            for (int n; (n = in.read(buf)) >= 0; ) {
                synchronized (output) {
                    output.append(new String(buf, 0, n, StandardCharsets.UTF_8));
                }
            }
        } catch (IOException e) {
            // the process ended
        }
    }

    private String screenText() {
        synchronized (output) {
            return ESCAPES.matcher(output).replaceAll("");
        }
    }

    /** Waits until {@code text} appears after what earlier waits matched. */
    private void expect(String text) {
        await().atMost(PROMPT_TIMEOUT)
                .untilAsserted(() -> assertThat(screenText().indexOf(text, seen))
                        .as("\"%s\" after offset %d in the output:%n%s", text, seen, screenText())
                        .isGreaterThanOrEqualTo(0));
        String screen = screenText();
        seen = screen.indexOf(text, seen) + text.length();
    }

    private void type(String keys) throws IOException {
        OutputStream in = process.getOutputStream();
        in.write(keys.getBytes(StandardCharsets.UTF_8));
        in.flush();
    }

    private static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    @Test
    void writesTheMigrationTheAnswersDescribe() throws Exception {
        start();
        expect("? Table or view:");
        type(DOWN + ENTER); // public.articles, then public.pages
        expect("? Mapping name:");
        type(ENTER);
        expect("? turbopuffer namespace:");
        type(ENTER);
        expect("? Id column:");
        type(ENTER);
        expect("? Id type:");
        type(ENTER);
        expect("? Membership:");
        type(DOWN + ENTER); // all, then dsl
        expect("? Predicate:");
        type("status = 'published' OR");
        expect("1:24: expected a column or a literal but found the end of the predicate");
        type(ENTER); // refused: the predicate stays open for editing
        type("\u0015" + "status = 'published'" + ENTER); // Ctrl-U clears the line
        expect("? Columns to read:");
        type(DOWN + " " + ENTER); // id and status are locked in; tick title
        expect("? Full-text search on:");
        type(" " + ENTER);
        expect("? Transform:");
        type(ENTER);
        expect("? Write it:");
        type(ENTER);
        expect("wrote puffgres/migrations/0001_pages.toml");
        expect("next: puffgres validate, then puffgres apply");
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).isEqualTo(ExitCode.OK);

        Project project = ProjectLoader.load(dir, Map.of());
        assertThat(new MigrationTransforms(project, dir.resolve("classes")).check())
                .isEmpty();
        Migration m = project.migrations().get(0);
        assertThat(m.relation().toString()).isEqualTo("public.pages");
        assertThat(m.columns()).containsExactly("id", "title", "status");
        assertThat(m.membership().predicate().orElseThrow().text()).isEqualTo("status = 'published'");
        assertThat(m.tpSchema().get("title").options()).containsEntry("full_text_search", true);
        assertThat(Files.readString(dir.resolve("puffgres/migrations/0001_pages.toml")))
                .contains("predicate = \"status = 'published'\"\n");
    }

    @Test
    void ctrlCCancelsWithoutWriting() throws Exception {
        start();
        expect("? Table or view:");
        type("\u0003");
        expect("error: cancelled; nothing was written");
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).isEqualTo(ExitCode.RUNTIME);
        try (var files = Files.list(dir.resolve("puffgres/migrations"))) {
            assertThat(files.toList()).isEqualTo(List.of());
        }
    }
}
