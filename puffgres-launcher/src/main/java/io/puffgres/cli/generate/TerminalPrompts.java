package io.puffgres.cli.generate;

import io.puffgres.cli.CliException;
import io.puffgres.cli.generate.TerminalScreen.Key;
import java.io.IOException;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.jline.utils.AttributedString;
import org.jline.utils.AttributedStringBuilder;
import org.jline.utils.AttributedStyle;
import org.jline.utils.Display;

/**
 * The questions of an interactive wizard, drawn on a JLine terminal in raw mode: a pick list (type to filter,
 * arrows to move), a checklist (space toggles) and a line editor whose answer is checked as it is typed, the
 * problem shown under it with a caret at its position. Each answered question stays on screen as one line.
 * Ctrl-C or Ctrl-D cancels with a {@link CliException}. Not thread-safe; {@link #close()} restores the terminal.
 */
final class TerminalPrompts implements AutoCloseable {

    /** Checks a typed answer; a live check runs after every keystroke, so it must be cheap. */
    @FunctionalInterface
    interface Check {
        Optional<InputProblem> check(String answer) throws SQLException;
    }

    // longer lists scroll, so a table with hundreds of columns still fits a small terminal
    private static final int MAX_VISIBLE_CHOICES = 12;
    // details line up after labels up to this width; a longer label would push every detail off screen
    private static final int MAX_LABEL_WIDTH = 40;
    private static final AttributedStyle QUESTION = AttributedStyle.BOLD;
    private static final AttributedStyle ANSWER = AttributedStyle.DEFAULT.foreground(AttributedStyle.CYAN);
    private static final AttributedStyle DIM = AttributedStyle.DEFAULT.faint();
    private static final AttributedStyle ERROR = AttributedStyle.DEFAULT.foreground(AttributedStyle.RED);

    private final TerminalScreen screen;

    TerminalPrompts(TerminalScreen screen) {
        this.screen = screen;
    }

    /** Opens the process's terminal; see {@link TerminalScreen#open()}. */
    static TerminalPrompts open() throws IOException {
        return new TerminalPrompts(TerminalScreen.open());
    }

    /** Prints a line of information between questions. */
    void note(String text) {
        screen.note(text);
    }

    @Override
    public void close() throws IOException {
        screen.close();
    }

    /** One of {@code choices}; starts on {@code initial}. Typing filters the list by its labels. */
    <T> T select(String question, List<Choice<T>> choices, int initial) {
        StringBuilder filter = new StringBuilder();
        int cursor = initial;
        int top = 0;
        Display display = screen.display();
        while (true) {
            List<Integer> shown = new ArrayList<>();
            String needle = filter.toString().toLowerCase(Locale.ROOT);
            for (int i = 0; i < choices.size(); i++) {
                if (choices.get(i).label().toLowerCase(Locale.ROOT).contains(needle)) {
                    shown.add(i);
                }
            }
            cursor = Math.max(0, Math.min(cursor, shown.size() - 1));
            int visible = Math.min(MAX_VISIBLE_CHOICES, Math.max(3, screen.rows() - 3));
            top = Math.max(Math.min(top, cursor), cursor - visible + 1);
            if (!screen.pending()) {
                List<AttributedString> lines = new ArrayList<>();
                AttributedString head = questionLine(question, filter.toString());
                lines.add(head);
                int width = labelWidth(choices);
                for (int row = top; row < Math.min(shown.size(), top + visible); row++) {
                    Choice<T> c = choices.get(shown.get(row));
                    lines.add(choiceLine(row == cursor ? "> " : "  ", c, width, row == cursor));
                }
                if (shown.isEmpty()) {
                    lines.add(new AttributedString("  (nothing matches; Backspace to widen)", DIM));
                }
                lines.add(new AttributedString(
                        "  type to filter, up/down to move, Enter to pick (" + (shown.isEmpty() ? 0 : cursor + 1)
                                + " of " + shown.size() + ")",
                        DIM));
                screen.draw(display, lines, 0, head.columnLength());
            }
            Key key = screen.read();
            switch (key) {
                case UP -> cursor = cursor == 0 ? shown.size() - 1 : cursor - 1;
                case DOWN -> cursor = cursor + 1 >= shown.size() ? 0 : cursor + 1;
                case BACKSPACE -> {
                    if (filter.length() > 0) {
                        filter.setLength(filter.length() - 1);
                        cursor = 0;
                    }
                }
                case INSERT -> {
                    filter.append(screen.typed());
                    cursor = 0;
                }
                case ENTER -> {
                    if (!shown.isEmpty()) {
                        Choice<T> picked = choices.get(shown.get(cursor));
                        screen.finish(display, questionLine(question, picked.label()));
                        return picked.value();
                    }
                }
                default -> {}
            }
        }
    }

    /**
     * Some of {@code choices}, in their order; {@code selected} are ticked at the start and {@code locked} ones
     * (index → why) cannot be unticked.
     */
    <T> List<T> multiSelect(
            String question, List<Choice<T>> choices, Set<Integer> selected, Map<Integer, String> locked) {
        Set<Integer> ticked = new TreeSet<>(selected);
        ticked.addAll(locked.keySet());
        int cursor = 0;
        int top = 0;
        String message = "";
        Display display = screen.display();
        while (true) {
            int visible = Math.min(MAX_VISIBLE_CHOICES, Math.max(3, screen.rows() - 3));
            top = Math.max(Math.min(top, cursor), cursor - visible + 1);
            if (!screen.pending()) {
                List<AttributedString> lines = new ArrayList<>();
                AttributedString head = questionLine(question, "");
                lines.add(head);
                int width = labelWidth(choices);
                for (int row = top; row < Math.min(choices.size(), top + visible); row++) {
                    String box = ticked.contains(row) ? "[x] " : "[ ] ";
                    lines.add(choiceLine((row == cursor ? "> " : "  ") + box, choices.get(row), width, row == cursor));
                }
                lines.add(
                        message.isEmpty()
                                ? new AttributedString(
                                        "  Space toggles, a toggles all, Enter accepts (" + ticked.size() + " of "
                                                + choices.size() + " selected)",
                                        DIM)
                                : new AttributedString("  " + message, ERROR));
                screen.draw(display, lines, 0, head.columnLength());
            }
            Key key = screen.read();
            message = "";
            switch (key) {
                case UP -> cursor = cursor == 0 ? choices.size() - 1 : cursor - 1;
                case DOWN -> cursor = cursor + 1 >= choices.size() ? 0 : cursor + 1;
                case INSERT -> {
                    String typed = screen.typed();
                    if (typed.equals(" ")) {
                        if (locked.containsKey(cursor)) {
                            message = choices.get(cursor).label() + " stays: " + locked.get(cursor);
                        } else if (!ticked.remove(cursor)) {
                            ticked.add(cursor);
                        }
                    } else if (typed.equals("a")) {
                        boolean all = ticked.size() == choices.size();
                        ticked.clear();
                        ticked.addAll(locked.keySet());
                        for (int i = 0; !all && i < choices.size(); i++) {
                            ticked.add(i);
                        }
                    }
                }
                case ENTER -> {
                    List<T> out = new ArrayList<>();
                    List<String> labels = new ArrayList<>();
                    for (int i : ticked) {
                        out.add(choices.get(i).value());
                        labels.add(choices.get(i).label());
                    }
                    screen.finish(
                            display, questionLine(question, labels.isEmpty() ? "(none)" : String.join(", ", labels)));
                    return out;
                }
                default -> {}
            }
        }
    }

    /**
     * A line of text, starting as {@code initial}. A {@code live} check runs on every change and its problem is
     * shown at once; otherwise the check runs on Enter. Enter accepts only an answer the check passes.
     *
     * @param help a dim line under the answer while there is no problem, or empty
     */
    String text(String question, String initial, String help, Check check, boolean live) throws SQLException {
        StringBuilder text = new StringBuilder(initial);
        int pos = text.length();
        Optional<InputProblem> problem = live && text.length() > 0 ? check.check(text.toString()) : Optional.empty();
        Display display = screen.display();
        while (true) {
            if (!screen.pending()) {
                AttributedString head = questionLine(question, "");
                List<AttributedString> lines = new ArrayList<>();
                lines.add(
                        new AttributedStringBuilder().append(head).append(text).toAttributedString());
                if (problem.isPresent()) {
                    int column = problem.get().column();
                    if (column > 0 && column <= text.length() + 1) {
                        String before = text.substring(0, column - 1);
                        lines.add(new AttributedString(" ".repeat(head.columnLength() + width(before)) + "^", ERROR));
                    }
                    lines.add(new AttributedString("  " + problem.get().message(), ERROR));
                } else if (!help.isEmpty()) {
                    lines.add(new AttributedString("  " + help, DIM));
                }
                screen.draw(display, lines, 0, head.columnLength() + width(text.substring(0, pos)));
            }
            Key key = screen.read();
            String before = text.toString();
            switch (key) {
                case INSERT -> {
                    String typed = screen.typed();
                    text.insert(pos, typed);
                    pos += typed.length();
                }
                case BACKSPACE -> {
                    if (pos > 0) {
                        text.deleteCharAt(--pos);
                    }
                }
                case DELETE -> {
                    if (pos < text.length()) {
                        text.deleteCharAt(pos);
                    }
                }
                case LEFT -> pos = Math.max(0, pos - 1);
                case RIGHT -> pos = Math.min(text.length(), pos + 1);
                case HOME -> pos = 0;
                case END -> pos = text.length();
                case CLEAR -> {
                    text.setLength(0);
                    pos = 0;
                }
                case ENTER -> {
                    problem = check.check(text.toString());
                    if (problem.isEmpty()) {
                        screen.finish(display, questionLine(question, text.toString()));
                        return text.toString();
                    }
                }
                default -> {}
            }
            if (!text.toString().equals(before)) {
                problem = live && text.length() > 0 ? check.check(text.toString()) : Optional.empty();
            }
        }
    }

    private static AttributedString questionLine(String question, String answer) {
        return new AttributedStringBuilder()
                .style(QUESTION)
                .append("? ")
                .append(question)
                .append(": ")
                .style(ANSWER)
                .append(answer)
                .style(AttributedStyle.DEFAULT)
                .toAttributedString();
    }

    private static <T> AttributedString choiceLine(String marker, Choice<T> c, int width, boolean current) {
        AttributedStringBuilder sb = new AttributedStringBuilder();
        sb.style(current ? ANSWER : AttributedStyle.DEFAULT).append(marker).append(c.label());
        if (!c.detail().isEmpty()) {
            sb.append(" ".repeat(Math.max(1, width + 2 - c.label().length())));
            sb.style(DIM).append(c.detail());
        }
        return sb.toAttributedString();
    }

    private static int labelWidth(List<? extends Choice<?>> choices) {
        return Math.min(
                MAX_LABEL_WIDTH,
                choices.stream().mapToInt(c -> c.label().length()).max().orElse(0));
    }

    private static int width(String s) {
        return new AttributedString(s).columnLength();
    }
}
