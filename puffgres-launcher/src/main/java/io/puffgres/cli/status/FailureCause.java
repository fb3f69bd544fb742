package io.puffgres.cli.status;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The most telling cause of a job failure, in one line: puffgres's own message when one sits under Flink's wrappers
 * (the outermost {@code io.puffgres} exception with a message), else the innermost cause (the driver's or the
 * library's own words, e.g. {@code FATAL: role "x" is not permitted to log in}). {@code puffgres run} reads it from
 * the exception it gets; {@code puffgres status} from the stack trace text of Flink's REST API. Both go through
 * {@link #telling(List)}, so they name the same cause.
 */
public final class FailureCause {

    /** One exception of a cause chain: its class name and its message (null when it has none). */
    record Link(String className, String message) {}

    /** A line of a printed trace that is no message: a frame, {@code ... 5 more}, a suppressed exception. */
    private static final Pattern FRAME = Pattern.compile("\\s+(at |\\.\\.\\. \\d+ more|Suppressed: |Caused by: )");

    private FailureCause() {}

    /** The telling cause of {@code failure}: its whole message, or the class name of an exception without one. */
    public static String of(Throwable failure) {
        return telling(chain(failure));
    }

    /**
     * The first line of the telling cause in a stack trace as {@link Throwable#printStackTrace()} writes it
     * ({@code Caused by: …} blocks); an empty text reads as "unknown".
     */
    static String oneLine(String stackTrace) {
        return telling(chain(stackTrace)).lines().findFirst().orElse("");
    }

    static String telling(List<Link> chain) {
        for (Link link : chain) {
            if (link.className().startsWith("io.puffgres") && link.message() != null) {
                return link.message().strip();
            }
        }
        if (chain.isEmpty()) {
            return "unknown";
        }
        Link root = chain.get(chain.size() - 1);
        return root.message() == null || root.message().isBlank()
                ? root.className()
                : root.message().strip();
    }

    /** {@code failure} and its causes, outermost first (a cycle ends the chain). */
    static List<Link> chain(Throwable failure) {
        List<Link> chain = new ArrayList<>();
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Throwable t = failure; t != null && seen.add(t); t = t.getCause()) {
            chain.add(new Link(t.getClass().getName(), t.getMessage()));
        }
        return chain;
    }

    /**
     * The exceptions of a printed stack trace, outermost first: the first block and each {@code Caused by:} at the
     * start of a line (suppressed exceptions and their causes are indented, and skipped). A block's header runs from
     * its first line to its first stack frame, so a message of several lines stays whole.
     */
    static List<Link> chain(String stackTrace) {
        List<Link> chain = new ArrayList<>();
        StringBuilder header = null;
        for (String line :
                stackTrace == null ? List.<String>of() : stackTrace.lines().toList()) {
            boolean starts = chain.isEmpty() && header == null && !line.isBlank() || line.startsWith("Caused by: ");
            if (starts) {
                if (header != null) {
                    chain.add(link(header.toString()));
                }
                header = new StringBuilder(line.startsWith("Caused by: ") ? line.substring(11) : line);
            } else if (header != null && FRAME.matcher(line).lookingAt()) {
                chain.add(link(header.toString())); // the first frame (or "... n more") ends the header
                header = null;
            } else if (header != null) {
                header.append('\n').append(line);
            }
        }
        if (header != null) {
            chain.add(link(header.toString()));
        }
        return chain;
    }

    private static Link link(String header) {
        String text = header.strip();
        int colon = text.indexOf(": ");
        String className = colon < 0 ? text : text.substring(0, colon);
        if (className.contains(" ")) { // not "class: message" (a message printed alone)
            return new Link("", text);
        }
        return new Link(className, colon < 0 ? null : text.substring(colon + 2));
    }
}
