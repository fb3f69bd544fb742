package io.puffgres.cli;

import java.io.IOException;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.jline.keymap.BindingReader;
import org.jline.keymap.KeyMap;
import org.jline.terminal.Attributes;
import org.jline.terminal.Size;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.jline.utils.AttributedString;
import org.jline.utils.AttributedStringBuilder;
import org.jline.utils.AttributedStyle;
import org.jline.utils.Display;
import org.jline.utils.InfoCmp.Capability;

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

    private enum Key {
        UP,
        DOWN,
        LEFT,
        RIGHT,
        HOME,
        END,
        ENTER,
        BACKSPACE,
        DELETE,
        CLEAR,
        CANCEL,
        INSERT,
        IGNORE
    }

    // longer lists scroll, so a table with hundreds of columns still fits a small terminal
    private static final int MAX_VISIBLE_CHOICES = 12;
    // some pseudo-terminals report no size; draw as on a classic 80x24 screen then
    private static final int FALLBACK_COLUMNS = 80;
    private static final int FALLBACK_ROWS = 24;
    // keys arriving within this many ms (a paste, a fast typist) are applied before the next redraw
    private static final long BURST_MS = 15;
    private static final AttributedStyle QUESTION = AttributedStyle.BOLD;
    private static final AttributedStyle ANSWER = AttributedStyle.DEFAULT.foreground(AttributedStyle.CYAN);
    private static final AttributedStyle DIM = AttributedStyle.DEFAULT.faint();
    private static final AttributedStyle ERROR = AttributedStyle.DEFAULT.foreground(AttributedStyle.RED);

    private final Terminal terminal;
    private final Attributes original;
    private final BindingReader keys;
    private final KeyMap<Key> keyMap;

    /**
     * Opens the process's terminal.
     *
     * @throws CliException when there is none (output redirected, a CI job): the wizard needs one
     */
    static TerminalPrompts open() throws IOException {
        if (System.console() == null) {
            throw noTerminal();
        }
        Terminal t = TerminalBuilder.builder().system(true).dumb(true).build();
        if (t.getType().startsWith(Terminal.TYPE_DUMB)) {
            t.close();
            throw noTerminal();
        }
        return new TerminalPrompts(t);
    }

    static CliException noTerminal() {
        return new CliException(
                ExitCode.USAGE,
                "puffgres generate asks its questions on a terminal, and there is none",
                "pass --yes and give the answers as flags, e.g. puffgres generate --yes --table public.pages"
                        + " (see puffgres generate --help)");
    }

    TerminalPrompts(Terminal terminal) {
        this.terminal = terminal;
        this.original = terminal.enterRawMode();
        Attributes raw = terminal.getAttributes();
        // Ctrl-C arrives as a key, so a cancel restores the terminal instead of killing the JVM mid-drawing
        raw.setLocalFlag(Attributes.LocalFlag.ISIG, false);
        terminal.setAttributes(raw);
        this.keys = new BindingReader(terminal.reader());
        this.keyMap = keyMap(terminal);
    }

    /** Prints a line of information between questions. */
    void note(String text) {
        terminal.writer().println(new AttributedString(text, DIM).toAnsi(terminal));
        terminal.flush();
    }

    /** One of {@code choices}; starts on {@code initial}. Typing filters the list by its labels. */
    <T> T select(String question, List<Choice<T>> choices, int initial) {
        StringBuilder filter = new StringBuilder();
        int cursor = initial;
        int top = 0;
        Display display = display();
        while (true) {
            List<Integer> shown = new ArrayList<>();
            String needle = filter.toString().toLowerCase(Locale.ROOT);
            for (int i = 0; i < choices.size(); i++) {
                if (choices.get(i).label().toLowerCase(Locale.ROOT).contains(needle)) {
                    shown.add(i);
                }
            }
            cursor = Math.max(0, Math.min(cursor, shown.size() - 1));
            int visible = Math.min(MAX_VISIBLE_CHOICES, Math.max(3, rows() - 3));
            top = Math.max(Math.min(top, cursor), cursor - visible + 1);
            if (!pending()) {
                List<AttributedString> lines = new ArrayList<>();
                AttributedString head = questionLine(question, filter.toString(), ANSWER);
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
                draw(display, lines, 0, head.columnLength());
            }
            Key key = read();
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
                    filter.append(keys.getLastBinding());
                    cursor = 0;
                }
                case ENTER -> {
                    if (!shown.isEmpty()) {
                        Choice<T> picked = choices.get(shown.get(cursor));
                        finish(display, questionLine(question, picked.label(), ANSWER));
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
        Display display = display();
        while (true) {
            int visible = Math.min(MAX_VISIBLE_CHOICES, Math.max(3, rows() - 3));
            top = Math.max(Math.min(top, cursor), cursor - visible + 1);
            if (!pending()) {
                List<AttributedString> lines = new ArrayList<>();
                AttributedString head = questionLine(question, "", ANSWER);
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
                draw(display, lines, 0, head.columnLength());
            }
            Key key = read();
            message = "";
            switch (key) {
                case UP -> cursor = cursor == 0 ? choices.size() - 1 : cursor - 1;
                case DOWN -> cursor = cursor + 1 >= choices.size() ? 0 : cursor + 1;
                case INSERT -> {
                    String typed = keys.getLastBinding();
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
                    finish(
                            display,
                            questionLine(question, labels.isEmpty() ? "(none)" : String.join(", ", labels), ANSWER));
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
        Display display = display();
        while (true) {
            if (!pending()) {
                AttributedString head = questionLine(question, "", ANSWER);
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
                draw(display, lines, 0, head.columnLength() + width(text.substring(0, pos)));
            }
            Key key = read();
            String before = text.toString();
            switch (key) {
                case INSERT -> {
                    String typed = keys.getLastBinding();
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
                        finish(display, questionLine(question, text.toString(), ANSWER));
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

    @Override
    public void close() throws IOException {
        terminal.setAttributes(original);
        terminal.flush();
        terminal.close();
    }

    private Key read() {
        terminal.flush();
        Key key = keys.readBinding(keyMap);
        if (key == null || key == Key.CANCEL) {
            throw new CliException(
                    ExitCode.RUNTIME,
                    "cancelled; nothing was written",
                    "run puffgres generate again, or pass --yes with flags");
        }
        return key;
    }

    /** Whether more keys are already waiting: then the screen is drawn once, after them. */
    private boolean pending() {
        return keys.peekCharacter(BURST_MS) >= 0;
    }

    private Display display() {
        return new Display(terminal, false);
    }

    private void draw(Display display, List<AttributedString> lines, int row, int column) {
        Size size = new Size(columns(), rows());
        display.resize(size.getRows(), size.getColumns());
        display.update(lines, size.cursorPos(row, column));
    }

    /** Replaces the question's lines by the one line of its answer and moves below it. */
    private void finish(Display display, AttributedString answered) {
        draw(display, List.of(answered), 0, answered.columnLength());
        terminal.writer().write("\n");
        terminal.flush();
    }

    private int columns() {
        int c = terminal.getSize().getColumns();
        return c > 0 ? c : FALLBACK_COLUMNS;
    }

    private int rows() {
        int r = terminal.getSize().getRows();
        return r > 0 ? r : FALLBACK_ROWS;
    }

    private static AttributedString questionLine(String question, String answer, AttributedStyle style) {
        return new AttributedStringBuilder()
                .style(QUESTION)
                .append("? ")
                .append(question)
                .append(": ")
                .style(style)
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
        // long labels would push every detail off screen; past this width details follow the label directly
        int cap = 40;
        return Math.min(
                cap, choices.stream().mapToInt(c -> c.label().length()).max().orElse(0));
    }

    private static int width(String s) {
        return new AttributedString(s).columnLength();
    }

    private static KeyMap<Key> keyMap(Terminal terminal) {
        KeyMap<Key> map = new KeyMap<>();
        map.setNomatch(Key.IGNORE);
        map.setUnicode(Key.INSERT);
        map.bind(Key.INSERT, KeyMap.range(" -~"));
        bind(map, terminal, Key.UP, Capability.key_up, "\033[A", "\033OA", KeyMap.ctrl('P'));
        bind(map, terminal, Key.DOWN, Capability.key_down, "\033[B", "\033OB", KeyMap.ctrl('N'), "\t");
        bind(map, terminal, Key.LEFT, Capability.key_left, "\033[D", "\033OD", KeyMap.ctrl('B'));
        bind(map, terminal, Key.RIGHT, Capability.key_right, "\033[C", "\033OC", KeyMap.ctrl('F'));
        bind(map, terminal, Key.HOME, Capability.key_home, "\033[H", "\033OH", "\033[1~", KeyMap.ctrl('A'));
        bind(map, terminal, Key.END, Capability.key_end, "\033[F", "\033OF", "\033[4~", KeyMap.ctrl('E'));
        bind(map, terminal, Key.DELETE, Capability.key_dc, "\033[3~");
        map.bind(Key.BACKSPACE, KeyMap.del(), KeyMap.ctrl('H'));
        map.bind(Key.ENTER, "\r", "\n");
        map.bind(Key.CLEAR, KeyMap.ctrl('U'));
        map.bind(Key.CANCEL, KeyMap.ctrl('C'), KeyMap.ctrl('D'));
        return map;
    }

    private static void bind(KeyMap<Key> map, Terminal terminal, Key key, Capability cap, String... sequences) {
        String fromTerminfo = KeyMap.key(terminal, cap);
        if (fromTerminfo != null && !fromTerminfo.isEmpty()) {
            map.bind(key, fromTerminfo);
        }
        map.bind(key, sequences);
    }
}
