package io.puffgres.migration;

import io.puffgres.membership.Predicate;
import java.util.Optional;

/**
 * Which rows belong to the mapping ({@code [membership]}). Without the table every row belongs ({@link
 * Mode#ALL}).
 */
public record Membership(Mode mode, Optional<Predicate> predicate, Optional<String> sql) {

    public enum Mode {
        /** No [membership] table: every row of the source is a member. */
        ALL,
        /** {@code predicate} is evaluated on each row and pushed down as the backfill's WHERE. */
        DSL,
        /** The source is a view that already filters; each change is looked up in the view by id. */
        VIEW,
        /** {@code sql} (with {@code $1} = id) decides membership by querying Postgres. */
        LOOKUP
    }

    public static Membership all() {
        return new Membership(Mode.ALL, Optional.empty(), Optional.empty());
    }
}
