package io.puffgres.verify;

import java.io.PrintWriter;

/** Progress of a long verification on stderr: nothing for a quick one, then a line every few seconds. */
final class Progress {

    /** A verification shorter than this prints no progress. */
    static final long QUIET_NANOS = 3_000_000_000L;
    /** Between two progress lines. */
    static final long EVERY_NANOS = 2_000_000_000L;

    private final PrintWriter err;
    private final String mapping;
    private long start;
    private long next;

    Progress(PrintWriter err, String mapping) {
        this.err = err;
        this.mapping = mapping;
    }

    /** Called for each row or document; prints when a line is due. The clock starts at the first call. */
    void tick(long rows, long documents) {
        long now = System.nanoTime();
        if (start == 0) {
            start = now;
            next = now + QUIET_NANOS;
        }
        if (now < next) {
            return;
        }
        next = now + EVERY_NANOS;
        double seconds = (now - start) / 1e9;
        err.printf(
                "verify %s: %d rows read from Postgres, %d documents from turbopuffer (%.0f rows/s)%n",
                mapping, rows, documents, rows / seconds);
        err.flush();
    }
}
