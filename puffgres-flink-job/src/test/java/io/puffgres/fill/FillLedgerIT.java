package io.puffgres.fill;

import static org.assertj.core.api.Assertions.assertThat;

import io.puffgres.fill.FillLedger.Fill;
import io.puffgres.fill.FillLedger.Reason;
import io.puffgres.fill.FillLedger.State;
import io.puffgres.testkit.PostgresDatabase;
import java.sql.Connection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The fills table: requested, started, progressing, done or failed, found by mapping and version. */
class FillLedgerIT {

    @RegisterExtension
    static final PostgresDatabase db = new PostgresDatabase();

    private final FillLedger ledger = new FillLedger("puffgres");

    @Test
    void aFillGoesFromPendingThroughRunningToDone() throws Exception {
        try (Connection c = db.connect()) {
            ledger.ensure(c);
            ledger.ensure(c); // idempotent
            long id = ledger.request(c, "pages", 2, "pages_v2", Reason.NEW_VERSION);
            Fill requested = ledger.get(c, id).orElseThrow();
            assertThat(requested.state()).isEqualTo(State.PENDING);
            assertThat(requested.reason()).isEqualTo(Reason.NEW_VERSION);
            assertThat(requested.startedAt()).isEmpty();
            assertThat(ledger.pending(c, "pages")).extracting(Fill::id).containsExactly(id);

            ledger.started(c, id, 1234);
            ledger.progress(c, id, 500, 5, "5001");
            Fill running = ledger.get(c, id).orElseThrow();
            assertThat(running.state()).isEqualTo(State.RUNNING);
            assertThat(running.rowsEstimate()).isEqualTo(1234);
            assertThat(running.rowsDone()).isEqualTo(500);
            assertThat(running.chunksDone()).isEqualTo(5);
            assertThat(running.cursor()).contains("5001");
            ledger.started(c, id, 1300); // a restart keeps the first start
            assertThat(ledger.get(c, id).orElseThrow().startedAt()).isEqualTo(running.startedAt());

            ledger.done(c, id, 1210, 13);
            ledger.progress(c, id, 1, 1, "late"); // a late progress write does not undo the end
            Fill done = ledger.latest(c, "pages", 2).orElseThrow();
            assertThat(done.state()).isEqualTo(State.DONE);
            assertThat(done.rowsDone()).isEqualTo(1210);
            assertThat(done.chunksDone()).isEqualTo(13);
            assertThat(done.finishedAt()).isPresent();
            assertThat(ledger.pending(c, "pages")).isEmpty();
        }
    }

    @Test
    void aFailedFillStaysOpenWithItsError() throws Exception {
        try (Connection c = db.connect()) {
            ledger.ensure(c);
            long first = ledger.request(c, "books", 1, "books", Reason.INITIAL);
            long second = ledger.request(c, "books", 1, "books", Reason.REPAIR);
            ledger.failed(c, first, "mapping books: table public.books has no primary key");
            assertThat(ledger.open(c)).extracting(Fill::id).contains(first, second);
            Fill failed = ledger.get(c, first).orElseThrow();
            assertThat(failed.state()).isEqualTo(State.FAILED);
            assertThat(failed.error()).contains("mapping books: table public.books has no primary key");
            assertThat(ledger.latest(c, "books", 1).orElseThrow().id()).isEqualTo(second);
            assertThat(ledger.latest(c, "books", 2)).isEmpty();
        }
    }
}
