package io.puffgres.preflight;

import java.util.List;
import java.util.Objects;

/**
 * The outcome of one preflight check: passed, found a problem (with the exact fix), or could not be checked because
 * an earlier finding stands in the way. Immutable.
 *
 * @param name what was checked, e.g. {@code wal_level} or {@code replica identity public.pages}
 * @param detail what was found, one line
 * @param fix the exact remedy (SQL, a command line, a config line); empty unless {@link Status#FAIL}
 */
public record Check(String name, Status status, String detail, String fix) {

    /** How a check came out. */
    public enum Status {
        OK,
        /** A finding: {@code puffgres run} would fail or mirror wrongly until it is fixed. */
        FAIL,
        /** Not checked: another finding (named in the detail) must be fixed first. */
        SKIP
    }

    public Check {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(detail, "detail");
        Objects.requireNonNull(fix, "fix");
    }

    public static Check ok(String name, String detail) {
        return new Check(name, Status.OK, detail, "");
    }

    public static Check fail(String name, String detail, String fix) {
        return new Check(name, Status.FAIL, detail, fix);
    }

    public static Check skip(String name, String why) {
        return new Check(name, Status.SKIP, why, "");
    }

    /** {@code ok   name: detail}, {@code FAIL name: detail} plus an indented {@code fix:} line, or {@code skip …}. */
    public List<String> lines() {
        String head = switch (status) {
                    case OK -> "ok   ";
                    case FAIL -> "FAIL ";
                    case SKIP -> "skip ";
                }
                + name + ": " + detail;
        return status == Status.FAIL ? List.of(head, "     fix: " + fix) : List.of(head);
    }
}
