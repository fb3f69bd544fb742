package io.puffgres.cli.generate;

import io.puffgres.cli.CliException;
import io.puffgres.cli.ExitCode;
import java.io.IOException;
import java.util.List;
import org.jline.keymap.BindingReader;
import org.jline.keymap.KeyMap;
import org.jline.terminal.Attributes;
import org.jline.terminal.Size;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.jline.utils.AttributedString;
import org.jline.utils.AttributedStyle;
import org.jline.utils.Display;
import org.jline.utils.InfoCmp.Capability;

/**
 * A JLine terminal in raw mode for {@link TerminalPrompts}: reads keys (arrows, editing keys, typed text;
 * Ctrl-C and Ctrl-D cancel with a {@link CliException}) and redraws a question's lines in place. Not
 * thread-safe; {@link #close()} restores the terminal.
 */
final class TerminalScreen implements AutoCloseable {

    /** What a key press means to a prompt; {@link #INSERT} is typed text ({@link #typed()}). */
    enum Key {
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

    // some pseudo-terminals report no size; draw as on a classic 80x24 screen then
    private static final int FALLBACK_COLUMNS = 80;
    private static final int FALLBACK_ROWS = 24;
    // keys arriving within this many ms (a paste, a fast typist) are applied before the next redraw
    private static final long BURST_MS = 15;
    private static final AttributedStyle DIM = AttributedStyle.DEFAULT.faint();

    private final Terminal terminal;
    private final Attributes original;
    private final BindingReader keys;
    private final KeyMap<Key> keyMap;

    /**
     * Opens the process's terminal.
     *
     * @throws CliException when there is none (output redirected, a CI job): the wizard needs one
     */
    static TerminalScreen open() throws IOException {
        if (System.console() == null) {
            throw noTerminal();
        }
        Terminal t = TerminalBuilder.builder().system(true).dumb(true).build();
        if (t.getType().startsWith(Terminal.TYPE_DUMB)) {
            t.close();
            throw noTerminal();
        }
        return new TerminalScreen(t);
    }

    static CliException noTerminal() {
        return new CliException(
                ExitCode.USAGE,
                "puffgres generate asks its questions on a terminal, and there is none",
                "pass --yes and give the answers as flags, e.g. puffgres generate --yes --table public.pages"
                        + " (see puffgres generate --help)");
    }

    TerminalScreen(Terminal terminal) {
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

    /** The next key; Ctrl-C, Ctrl-D and the end of input cancel the wizard. */
    Key read() {
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

    /** The text of the last {@link Key#INSERT}. */
    String typed() {
        return keys.getLastBinding();
    }

    /** Whether more keys are already waiting: then the screen is drawn once, after them. */
    boolean pending() {
        return keys.peekCharacter(BURST_MS) >= 0;
    }

    /** A fresh drawing area starting at the cursor's line. */
    Display display() {
        return new Display(terminal, false);
    }

    /** Draws {@code lines} in place of what {@code display} showed, the cursor at {@code row}, {@code column}. */
    void draw(Display display, List<AttributedString> lines, int row, int column) {
        Size size = new Size(columns(), rows());
        display.resize(size.getRows(), size.getColumns());
        display.update(lines, size.cursorPos(row, column));
    }

    /** Replaces the question's lines by the one line of its answer and moves below it. */
    void finish(Display display, AttributedString answered) {
        draw(display, List.of(answered), 0, answered.columnLength());
        terminal.writer().write("\n");
        terminal.flush();
    }

    private int columns() {
        int c = terminal.getSize().getColumns();
        return c > 0 ? c : FALLBACK_COLUMNS;
    }

    int rows() {
        int r = terminal.getSize().getRows();
        return r > 0 ? r : FALLBACK_ROWS;
    }

    @Override
    public void close() throws IOException {
        terminal.setAttributes(original);
        terminal.flush();
        terminal.close();
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
