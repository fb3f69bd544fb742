package io.puffgres.cli;

import io.puffgres.stream.Durations;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Columns of text for the terminal (padded to the widest cell, numbers right-aligned), and the figures in them. */
public final class TextTable {

    private final List<String[]> rows = new ArrayList<>();
    private final boolean[] numeric;

    /** @param header the column titles; a title ending in {@code >} marks a right-aligned column (the mark is dropped) */
    public TextTable(String... header) {
        numeric = new boolean[header.length];
        String[] titles = new String[header.length];
        for (int i = 0; i < header.length; i++) {
            numeric[i] = header[i].endsWith(">");
            titles[i] = numeric[i] ? header[i].substring(0, header[i].length() - 1) : header[i];
        }
        rows.add(titles);
    }

    public TextTable row(Object... cells) {
        String[] row = new String[numeric.length];
        for (int i = 0; i < row.length; i++) {
            row[i] = i < cells.length ? String.valueOf(cells[i]) : "";
        }
        rows.add(row);
        return this;
    }

    public void print(PrintWriter out) {
        int[] width = new int[numeric.length];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                width[i] = Math.max(width[i], row[i].length());
            }
        }
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.length; i++) {
                String cell = row[i];
                String pad = " ".repeat(width[i] - cell.length());
                line.append(i == 0 ? "" : "  ").append(numeric[i] ? pad + cell : cell + pad);
            }
            out.println(line.toString().stripTrailing());
        }
    }

    /** {@code 3 s ago}, {@code 2 min 5 s ago}, {@code 5 h ago} ({@link #duration}); {@code never} for null. */
    public static String ago(Instant then, Instant now) {
        if (then == null) {
            return "never";
        }
        return duration(Duration.between(then, now)) + " ago";
    }

    /** A duration as people read it ({@link Durations#human}): every command prints durations this way. */
    public static String duration(Duration d) {
        return Durations.human(d);
    }

    /** {@code 512 B}, {@code 1.5 KiB}, {@code 3.2 MiB}, {@code 1.0 GiB}. */
    public static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = n;
        int unit = -1;
        while (v >= 1024 && unit < units.length - 1) {
            v /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[unit]);
    }

    /** One decimal, e.g. a rate or seconds. */
    public static String decimal(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    /** The first line of {@code text}, at most {@code max} characters (cut with an ellipsis). */
    public static String oneLine(String text, int max) {
        String line = text == null ? "" : text.strip().lines().findFirst().orElse("");
        return line.length() <= max ? line : line.substring(0, max - 1) + "…";
    }
}
