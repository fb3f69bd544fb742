package io.puffgres.stream;

import java.time.Duration;

/** Durations as people read them; the one formatter of the job's logs and of every command's output. */
public final class Durations {

    /** The units, largest first. */
    private static final long[] UNIT_SECONDS = {86_400, 3_600, 60, 1};

    private static final String[] UNIT_NAMES = {"d", "h", "min", "s"};

    private Durations() {}

    /**
     * {@code d} in its two largest units, cut to whole units: {@code 45 s}, {@code 3 min}, {@code 3 min 20 s},
     * {@code 1 h 5 min}, {@code 2 d 3 h}. Less than a second, or negative, is {@code 0 s} (never ISO-8601's
     * {@code PT3M}).
     */
    public static String human(Duration d) {
        long s = Math.max(0, d.getSeconds());
        int unit = 0;
        while (unit < UNIT_SECONDS.length - 1 && s < UNIT_SECONDS[unit]) {
            unit++;
        }
        long major = s / UNIT_SECONDS[unit];
        String text = major + " " + UNIT_NAMES[unit];
        if (unit < UNIT_SECONDS.length - 1) {
            long minor = s % UNIT_SECONDS[unit] / UNIT_SECONDS[unit + 1];
            if (minor > 0) {
                text += " " + minor + " " + UNIT_NAMES[unit + 1];
            }
        }
        return text;
    }
}
