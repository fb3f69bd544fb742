package io.puffgres.cli.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.puffgres.cli.CliException;
import io.puffgres.event.PgType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jline.terminal.Size;
import org.jline.terminal.impl.ExternalTerminal;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The wizard's questions on an in-memory JLine terminal fed with key sequences. */
class GeneratePromptsTest {

    private static final String UP = "\u001B[A";
    private static final String DOWN = "\u001B[B";
    private static final String LEFT = "\u001B[D";
    private static final String HOME = "\u001B[H";
    private static final String END = "\u001B[F";
    private static final String BACKSPACE = "\u007F";
    private static final String ENTER = "\r";

    private final ByteArrayOutputStream screen = new ByteArrayOutputStream();
    private PipedOutputStream keys;
    private TerminalPrompts prompts;

    @BeforeEach
    void open() throws IOException {
        PipedInputStream in = new PipedInputStream();
        keys = new PipedOutputStream(in);
        // an ExternalTerminal, not TerminalBuilder: with streams the builder may still put a real pty in between
        ExternalTerminal terminal = new ExternalTerminal("test", "xterm-256color", in, screen, StandardCharsets.UTF_8);
        terminal.setSize(new Size(100, 30));
        prompts = new TerminalPrompts(new TerminalScreen(terminal));
    }

    @AfterEach
    void close() throws IOException {
        prompts.close();
    }

    private void type(String text) throws IOException {
        keys.write(text.getBytes(StandardCharsets.UTF_8));
        keys.flush();
    }

    private String screenText() {
        synchronized (screen) {
            return screen.toString(StandardCharsets.UTF_8).replaceAll("\u001B\\[[0-?]*[ -/]*[@-~]", "");
        }
    }

    private static List<Choice<String>> choices(String... labels) {
        return List.of(labels).stream().map(l -> new Choice<>(l, l, "")).toList();
    }

    @Test
    void selectFiltersByTypedTextAndMovesWithArrows() throws IOException {
        type("pa" + DOWN + ENTER);
        assertThat(prompts.select("Table", choices("public.articles", "public.pages", "public.paid"), 0))
                .isEqualTo("public.paid");
        assertThat(screenText()).contains("? Table: ");
    }

    @Test
    void selectStartsOnTheDefaultAndWrapsAround() throws IOException {
        type(ENTER);
        assertThat(prompts.select("Id type", choices("uint", "int", "string"), 1))
                .isEqualTo("int");
        type(UP + UP + ENTER);
        assertThat(prompts.select("Id type", choices("uint", "int", "string"), 0))
                .isEqualTo("int");
    }

    @Test
    void multiSelectTogglesButKeepsLockedChoices() throws Exception {
        CompletableFuture<List<String>> picked = CompletableFuture.supplyAsync(() -> prompts.multiSelect(
                "Columns", choices("id", "title", "body"), Set.of(), Map.of(0, "it is the id column")));
        type(" ");
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(screenText()).contains("id stays: it is the id column"));
        type(DOWN + DOWN + " " + ENTER);
        assertThat(picked.get(10, TimeUnit.SECONDS)).containsExactly("id", "body");
    }

    @Test
    void multiSelectTogglesAllWithA() throws IOException {
        type("a" + ENTER);
        assertThat(prompts.multiSelect("Columns", choices("id", "title", "body"), Set.of(1), Map.of()))
                .containsExactly("id", "title", "body");
        type("aa" + ENTER);
        assertThat(prompts.multiSelect("Columns", choices("id", "title", "body"), Set.of(1), Map.of(0, "id")))
                .containsExactly("id");
    }

    @Test
    void textEditsWithCursorKeys() throws Exception {
        type(LEFT + LEFT + "X" + HOME + "Y" + END + "Z" + BACKSPACE + ENTER);
        assertThat(prompts.text("Mapping name", "pages", "", answer -> Optional.empty(), true))
                .isEqualTo("YpagXes");
    }

    @Test
    void textShowsTheProblemWhileTypingAndAcceptsOnlyAValidAnswer() throws Exception {
        Map<String, PgType> types = Map.of("status", PgType.of("text"));
        String problem = DraftChecks.predicate("status =", types).orElseThrow().message();
        assertThat(problem).startsWith("1:9: ");
        CompletableFuture<String> answer = CompletableFuture.supplyAsync(() -> {
            try {
                return prompts.text("Predicate", "", "columns: status", t -> DraftChecks.predicate(t, types), true);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        type("status =");
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(screenText()).contains(problem));
        type(ENTER + " 'x'" + ENTER);
        assertThat(answer.get(10, TimeUnit.SECONDS)).isEqualTo("status = 'x'");
    }

    @Test
    void ctrlCCancels() throws IOException {
        type("\u0003");
        assertThatThrownBy(() -> prompts.select("Table", choices("a", "b"), 0))
                .isInstanceOf(CliException.class)
                .hasMessage("cancelled; nothing was written");
    }
}
