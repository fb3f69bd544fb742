package io.puffgres.fill;

import java.io.Serializable;
import java.util.List;

/**
 * Where planning a fill's chunks stands: the next chunk's index and lower bound, and the stage. Planning from a cursor
 * needs nothing else, so it is what a fill checkpoints of its planning. Immutable.
 *
 * @param nextIndex the index the next chunk gets
 * @param lower the next range's inclusive lower bound (key values as text); empty: from the start
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
        DONE
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

    /** For the ledger and logs: the next lower bound, {@code start}, {@code NULL keys} or {@code done}. */
    public String describe() {
        return switch (stage) {
            case RANGES -> lower.isEmpty() ? "start" : Chunk.bound(lower);
            case NULL_KEYS -> "NULL keys";
            case DONE -> "done";
        };
    }
}
