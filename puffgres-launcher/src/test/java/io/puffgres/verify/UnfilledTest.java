package io.puffgres.verify;

import static org.assertj.core.api.Assertions.assertThat;

import io.puffgres.fill.FillLedger;
import io.puffgres.migration.Migration;
import io.puffgres.migration.ProjectLoader;
import io.puffgres.testkit.ProjectFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UnfilledTest {

    private static Migration pages;

    /** Mapping pages at v2, into namespace pages_v2. */
    @BeforeAll
    static void loadTheMapping(@TempDir Path dir) throws Exception {
        ProjectFiles.writeConfig(
                dir, "jdbc:postgresql://localhost:5432/app", "puffgres", "puffgres", "http://localhost:1", 500);
        Files.writeString(
                dir.resolve("puffgres/migrations/0002_pages.toml"),
                ProjectFiles.migration(2, "pages", "pages_v2", "pages", "\"id\", \"title\"", ""));
        pages = ProjectLoader.load(dir, Map.of()).effectiveMappings().get(0);
    }

    private static FillLedger.Fill fill(FillLedger.State state, FillLedger.Reason reason, Optional<String> error) {
        return new FillLedger.Fill(
                4,
                "pages",
                2,
                "pages_v2",
                reason,
                state,
                Instant.EPOCH,
                Optional.of(Instant.EPOCH),
                Optional.empty(),
                1_000_000,
                120_000,
                12,
                Optional.of("120001"),
                error);
    }

    @Test
    void aDoneOrAdoptedFillIsComparedAsBefore() {
        assertThat(Unfilled.of(
                        pages,
                        Optional.of(fill(FillLedger.State.DONE, FillLedger.Reason.NEW_VERSION, Optional.empty()))))
                .isEmpty();
        assertThat(Unfilled.of(
                        pages, Optional.of(fill(FillLedger.State.DONE, FillLedger.Reason.ADOPTED, Optional.empty()))))
                .isEmpty();
    }

    @Test
    void aPendingOrRunningFillIsBeingFilledWithItsProgress() {
        Unfilled running = Unfilled.of(
                        pages,
                        Optional.of(fill(FillLedger.State.RUNNING, FillLedger.Reason.NEW_VERSION, Optional.empty())))
                .orElseThrow();
        assertThat(running.filling()).isTrue();
        assertThat(running.lines())
                .containsExactly("pages v2 -> namespace pages_v2: being filled, not compared (fill #4, new version:"
                        + " 120,000 of ~1,000,000 rows (12%), 12 chunk(s) done); verify again once it is filled");
        Unfilled pending = Unfilled.of(
                        pages,
                        Optional.of(fill(FillLedger.State.PENDING, FillLedger.Reason.BACKFILL, Optional.empty())))
                .orElseThrow();
        assertThat(pending.filling()).isTrue();
        assertThat(pending.lines())
                .containsExactly("pages v2 -> namespace pages_v2: being filled, not compared (fill #4, backfill:"
                        + " pending, starts with the next puffgres run); verify again once it is filled");
    }

    @Test
    void aFailedFillNamesItsErrorAndTheFix() {
        Unfilled failed = Unfilled.of(
                        pages,
                        Optional.of(fill(
                                FillLedger.State.FAILED,
                                FillLedger.Reason.NEW_VERSION,
                                Optional.of("mapping pages: table public.pages has no primary key …; add one"))))
                .orElseThrow();
        assertThat(failed.filling()).isFalse();
        assertThat(failed.lines())
                .containsExactly(
                        "pages v2 -> namespace pages_v2: not filled, not compared: fill #4, new version, failed after"
                                + " 120,000 of ~1,000,000 rows (12%): mapping pages: table public.pages has no primary"
                                + " key …; add one",
                        "  fix its cause, then puffgres run (or puffgres backfill --resume) takes the fill up again");
    }

    @Test
    void aVersionWithoutAFillIsNotFilledYetAndSaysWhatFillsIt() {
        Unfilled never = Unfilled.of(pages, Optional.empty()).orElseThrow();
        assertThat(never.filling()).isFalse();
        assertThat(never.lines())
                .containsExactly(
                        "pages v2 -> namespace pages_v2: not filled yet, not compared: the fills ledger has no fill of"
                                + " v2",
                        "  puffgres run fills it as it starts (stop a run that is running first), or puffgres backfill"
                                + " pages");
    }
}
