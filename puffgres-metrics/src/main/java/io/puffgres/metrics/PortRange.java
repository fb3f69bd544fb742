package io.puffgres.metrics;

import java.util.stream.IntStream;

/**
 * The ports the reporter may serve on, as its {@code port} option gives them: one port ({@code 9249}) or an inclusive
 * range ({@code 9249-9269}), of which it takes the first free one, so that a JobManager and TaskManagers on one
 * machine each get a port from the same configuration.
 */
record PortRange(int first, int last) {

    PortRange {
        if (first < 0 || last > 65535 || first > last) {
            throw new IllegalArgumentException(
                    "port range " + first + "-" + last + " is not within 0-65535, first" + " port first");
        }
    }

    /** Reads {@code 9249} or {@code 9249-9269}; a blank or malformed value is refused with the value it got. */
    static PortRange parse(String text) {
        String value = text == null ? "" : text.strip();
        try {
            int dash = value.indexOf('-');
            if (dash < 0) {
                int port = Integer.parseInt(value);
                return new PortRange(port, port);
            }
            return new PortRange(
                    Integer.parseInt(value.substring(0, dash).strip()),
                    Integer.parseInt(value.substring(dash + 1).strip()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "metrics.reporter.<name>.port must be a port or a range such as 9249-9269 (got \"" + value + "\")",
                    e);
        }
    }

    IntStream ports() {
        return IntStream.rangeClosed(first, last);
    }

    @Override
    public String toString() {
        return first == last ? String.valueOf(first) : first + "-" + last;
    }
}
