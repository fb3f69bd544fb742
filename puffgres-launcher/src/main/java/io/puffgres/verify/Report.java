package io.puffgres.verify;

import java.util.ArrayList;
import java.util.List;

/**
 * The outcome of verifying one mapping. Immutable.
 *
 * @param members member rows in Postgres (documents the namespace should hold)
 * @param documents documents found in the namespace
 * @param missing member rows without a document
 * @param extra documents without a member row
 * @param stale documents whose attributes differ from the transformed row (samples name the attributes)
 * @param errors rows the job cannot write (invalid id, transform or membership error; they go to the DLQ), not
 *     compared
 * @param skipped rows the transform skips (the job leaves their documents alone), not compared
 */
public record Report(
        String mapping,
        int version,
        String namespace,
        long members,
        long documents,
        Category missing,
        Category extra,
        Category stale,
        Category errors,
        long skipped) {

    /** How many, and the first few (id, or id and detail). */
    public record Category(long count, List<String> samples) {
        public Category {
            samples = List.copyOf(samples);
        }
    }

    /** Whether Postgres and the namespace agree: nothing missing, extra, stale or in error. */
    public boolean equal() {
        return missing.count() + extra.count() + stale.count() + errors.count() == 0;
    }

    /** The summary line and, per category with entries, a line with its samples. */
    public List<String> lines() {
        List<String> out = new ArrayList<>();
        long differences = missing.count() + extra.count() + stale.count() + errors.count();
        out.add(mapping + " v" + version + " -> namespace " + namespace + ": " + members + " member rows in Postgres, "
                + documents + " documents in turbopuffer"
                + (skipped > 0 ? ", " + skipped + " skipped by the transform" : "")
                + (differences == 0 ? ": equal" : ": " + differences + " difference(s)"));
        category(out, "missing", "member rows without a document", missing, false);
        category(out, "extra", "documents without a member row", extra, false);
        category(out, "stale", "documents that differ from the transformed row", stale, true);
        category(out, "errors", "rows the job sends to the DLQ", errors, true);
        return out;
    }

    private static void category(List<String> out, String name, String what, Category c, boolean detailed) {
        if (c.count() == 0) {
            return;
        }
        String more = c.count() > c.samples().size() ? " (first " + c.samples().size() + ")" : "";
        if (detailed) {
            out.add("  " + name + " " + c.count() + ", " + what + more + ":");
            c.samples().forEach(s -> out.add("    " + s));
        } else {
            out.add("  " + name + " " + c.count() + ", " + what + more + ": " + String.join(", ", c.samples()));
        }
    }
}
