package io.puffgres.fill;

import java.io.Serializable;
import java.util.List;

/**
 * Where planning a fill's chunks stands: the next chunk's index and lower bound, and the stage. Planning from a cursor
 * needs nothing else, so it is what a fill checkpoints of its planning. Immutable.
 *
 * @param nextIndex the index the next chunk gets
 * @param lower the next range's inclusive lower bound (key values as text); in {@link Stage#SWEEP}, the last document
 *     id swept (the next page starts after it); empty: from the start
 * @param stage what comes next
 */
public record PlanCursor(int nextIndex, List<String> lower, Stage stage) implements Serializable {

    /** What planning does next. */
    public enum Stage {
        /** key ranges, from {@code lower} */
        RANGES,
        /** the chunk of NULL keys, after the last range */
        NULL_KEYS,
        /** every chunk is planned */
        DONE,
        /**
         * pages of the namespace's document ids, after {@code lower} (after the ranges and NULL keys of a fill that
         * sweeps; last here so that checkpoints written before sweeps keep their stages' numbers)
         */
        SWEEP
    }

    public PlanCursor {
        lower = List.copyOf(lower);
    }

    /** The cursor of a fill that has planned nothing yet. */
    public static PlanCursor start() {
        return new PlanCursor(0, List.of(), Stage.RANGES);
    }

    public boolean done() {
        return stage == Stage.DONE;
    }

    /**
     * For the ledger and logs: the next lower bound, {@code start}, {@code NULL keys}, {@code sweep after 41235}
     * ({@code sweep from the start}) or {@code done}.
     */
    public String describe() {
        return switch (stage) {
            case RANGES -> lower.isEmpty() ? "start" : Chunk.bound(lower);
            case NULL_KEYS -> "NULL keys";
            case SWEEP -> lower.isEmpty() ? "sweep from the start" : "sweep after " + lower.get(0);
            case DONE -> "done";
        };
    }
}
