package io.puffgres.verify;

import io.puffgres.cli.FillLines;
import io.puffgres.fill.FillLedger;
import io.puffgres.migration.Migration;
import java.util.List;
import java.util.Optional;

/**
 * A mapping version whose namespace {@code verify} does not compare because the fills ledger says it is not filled,
 * in the sense a run decides what to fill ({@code job.FillPlan}): its newest fill is not done ({@link
 * FillLedger.Fill#filled()}; adopted fills are recorded done), or it has none although the project keeps a ledger. A
 * namespace being filled holds only part of its rows, so its differences would count the fill's progress, not drift.
 * Immutable.
 *
 * @param filling the fill is pending or running: verify again once it is done; otherwise it failed or was never
 *     started, and someone has to act
 * @param lines what verify prints for the mapping
 */
public record Unfilled(boolean filling, List<String> lines) {

    public Unfilled {
        lines = List.copyOf(lines);
    }

    /** Empty when {@code m}'s namespace is filled: the newest fill of its version ({@code latest}) is done. */
    public static Optional<Unfilled> of(Migration m, Optional<FillLedger.Fill> latest) {
        String head = m.mappingName() + " v" + m.version() + " -> namespace " + m.namespace() + ": ";
        if (latest.isEmpty()) {
            return Optional.of(new Unfilled(
                    false,
                    List.of(
                            head + "not filled yet, not compared: the fills ledger has no fill of v" + m.version(),
                            "  puffgres run fills it as it starts (stop a run that is running first), or puffgres"
                                    + " backfill " + m.mappingName())));
        }
        FillLedger.Fill f = latest.get();
        String fill = "fill #" + f.id() + ", " + FillLines.reason(f.reason());
        return switch (f.state()) {
            case DONE -> Optional.empty();
            case PENDING -> filling(head, fill + ": pending, starts with the next puffgres run");
            case RUNNING -> filling(head, fill + ": " + FillLines.rows(f) + ", " + f.chunksDone() + " chunk(s) done");
            case FAILED ->
                Optional.of(new Unfilled(
                        false,
                        List.of(
                                head + "not filled, not compared: " + fill + ", failed after " + FillLines.rows(f)
                                        + ": "
                                        + f.error().orElse("no error recorded"),
                                "  fix its cause, then puffgres run (or puffgres backfill --resume) takes the fill"
                                        + " up again")));
        };
    }

    private static Optional<Unfilled> filling(String head, String fill) {
        return Optional.of(new Unfilled(
                true, List.of(head + "being filled, not compared (" + fill + "); verify again once it is filled")));
    }
}
