package io.puffgres.fill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.puffgres.event.Op;
import io.puffgres.event.RowEvent;
import io.puffgres.event.Snapshot;
import io.puffgres.migration.Migration;
import io.puffgres.testkit.PostgresDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Reading one chunk: its snapshot, the rows as events, the pushed-down predicate, no lock waits, bounded memory. */
class ChunkReaderIT {

    @RegisterExtension
    static final PostgresDatabase db = new PostgresDatabase();

    private static final Chunk WHOLE = Chunk.range(0, List.of(), List.of());

    @Test
    void rowsAreReadEventsStampedWithTheSnapshotsHorizon() throws Exception {
        db.execute(
                "CREATE TABLE typed (id bigint PRIMARY KEY, title text, at timestamptz, local timestamp, other int)",
                "INSERT INTO typed VALUES (1, 'one', '2026-01-02 03:04:05+00', '2026-01-02 03:04:05', 7)");
        long writer = (Long)
                db.query("SELECT xmin::text::bigint AS x FROM typed").get(0).get("x");
        try (Connection c = db.connect()) {
            FillTable table =
                    FillTable.resolve(c, FillFixtures.table(db, "typed", "\"id\", \"title\", \"at\", \"local\""));
            List<RowEvent> rows = new ArrayList<>();
            Snapshot snapshot = new ChunkReader(table, 100).read(c, WHOLE, (row, s) -> rows.add(row));
            assertThat(rows).hasSize(1);
            RowEvent row = rows.get(0);
            assertThat(row.op()).isEqualTo(Op.READ);
            assertThat(row.before()).isNull();
            assertThat(row.lsn()).isEqualTo(snapshot.horizon()).isPositive();
            assertThat(row.txId()).isEqualTo(-1);
            assertThat(row.relation().name()).isEqualTo("typed");
            assertThat(row.after().columns()).containsExactly("id", "title", "at", "local");
            assertThat(row.after().get("id")).isEqualTo(1L);
            assertThat(row.after().get("at")).isEqualTo(Instant.parse("2026-01-02T03:04:05Z"));
            assertThat(row.after().get("local")).isEqualTo(LocalDateTime.parse("2026-01-02T03:04:05"));
            assertThat(snapshot.sees(writer)).isTrue();
            assertThat(c.getAutoCommit()).isFalse();
            try (Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery(
                            "SELECT count(*) FROM pg_stat_activity"
                                    + " WHERE pid = pg_backend_pid() AND xact_start IS NOT NULL AND state = 'idle in transaction'")) {
                rs.next();
                assertThat(rs.getLong(1)).as("the chunk's transaction ended").isZero();
            }
            c.rollback();
        }
    }

    @Test
    void theDslPredicateIsPushedDownSoOnlyMembersAreRead() throws Exception {
        db.execute(
                "CREATE TABLE pages (id bigint PRIMARY KEY, title text, status text, deleted_at timestamptz)",
                "INSERT INTO pages SELECT g, 'page ' || g, CASE WHEN g % 3 = 0 THEN 'draft' ELSE 'published' END,"
                        + " CASE WHEN g % 10 = 0 THEN now() END FROM generate_series(1, 300) g");
        Migration m = FillFixtures.migration(
                db,
                "pages",
                "\"id\", \"title\", \"status\", \"deleted_at\"",
                "table = \"pages\"",
                "uint",
                "[membership]\nmode = \"dsl\"\npredicate = \"status = 'published' AND deleted_at IS NULL\"");
        try (Connection c = db.connect()) {
            FillTable table = FillTable.resolve(c, m);
            assertThat(table.predicate()).isPresent();
            List<List<RowEvent>> rows = FillFixtures.readAll(c, table, FillFixtures.plan(c, table, 40));
            long members = (Long)
                    db.query("SELECT count(*) AS n FROM pages" + " WHERE status = 'published' AND deleted_at IS NULL")
                            .get(0)
                            .get("n");
            assertThat(FillFixtures.column(rows, "status"))
                    .hasSize((int) members)
                    .containsOnly("published");
            assertThat(FillFixtures.column(rows, "deleted_at")).containsOnlyNulls();
        }
    }

    /** A predicate that does not bind is not pushed down: every row reaches the writer, which DLQs it as the stream does. */
    @Test
    void aPredicateThatDoesNotBindIsNotPushedDown() throws Exception {
        db.execute("CREATE TABLE counts (id bigint PRIMARY KEY, n int)", "INSERT INTO counts VALUES (1, 1), (2, 2)");
        Migration m = FillFixtures.migration(
                db,
                "counts",
                "\"id\", \"n\"",
                "table = \"counts\"",
                "uint",
                "[membership]\nmode = \"dsl\"\npredicate = \"n = 'many'\"");
        try (Connection c = db.connect()) {
            FillTable table = FillTable.resolve(c, m);
            assertThat(table.predicate()).isEmpty();
            assertThat(FillFixtures.readAll(c, table, List.of(WHOLE)).get(0)).hasSize(2);
        }
    }

    /**
     * Another transaction holds rows of the chunk, updated and uncommitted, and stays idle: the chunk is read at once,
     * with the committed values, in a snapshot that does not see that transaction.
     */
    @Test
    void aChunkReadDoesNotWaitForATransactionHoldingItsRows() throws Exception {
        db.execute(
                "CREATE TABLE held (id bigint PRIMARY KEY, title text)",
                "INSERT INTO held SELECT g, 'old ' || g FROM generate_series(1, 1000) g");
        try (Connection holder = db.connect();
                Connection c = db.connect()) {
            holder.setAutoCommit(false);
            long xid;
            try (Statement s = holder.createStatement()) {
                s.executeUpdate("UPDATE held SET title = 'new' WHERE id <= 500");
                try (ResultSet rs = s.executeQuery("SELECT txid_current()")) {
                    rs.next();
                    xid = rs.getLong(1);
                }
            }
            FillTable table = FillTable.resolve(c, FillFixtures.table(db, "held", "\"id\", \"title\""));
            List<Object> titles = new ArrayList<>();
            long start = System.nanoTime();
            Snapshot snapshot = new ChunkReader(table, 100)
                    .read(c, WHOLE, (row, s) -> titles.add(row.after().get("title")));
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertThat(took).isLessThan(Duration.ofSeconds(1));
            assertThat(titles).hasSize(1000).doesNotContain("new");
            assertThat(snapshot.sees(xid)).isFalse();
            holder.rollback();
        }
    }

    /**
     * Rows stream: Postgres produces a row (the view's {@code clock_timestamp()} column) only once the reader has
     * handed on all but a fetch's worth of the rows before it, however large the chunk. The view also shows the
     * chunk's transaction: repeatable read, read only.
     */
    @Test
    void aChunkFarLargerThanAFetchStreamsWithAFetchsWorthOfRowsHeld() throws Exception {
        db.execute(
                "CREATE TABLE wide (id bigint PRIMARY KEY, body text)",
                "INSERT INTO wide SELECT g, repeat('x', 200) FROM generate_series(1, 60000) g",
                // declared STABLE (it is not) so that the view's query is flattened into the read: a volatile
                // column would keep it a subquery, computed whole before the read's ORDER BY
                "CREATE FUNCTION produced_at() RETURNS timestamptz STABLE LANGUAGE sql AS 'SELECT clock_timestamp()'",
                "CREATE VIEW wide_produced AS SELECT id, body, produced_at() AS produced_at,"
                        + " current_setting('transaction_isolation') AS isolation,"
                        + " current_setting('transaction_read_only') AS read_only FROM wide");
        Migration m = FillFixtures.migration(
                db,
                "wide_produced",
                "\"id\", \"body\", \"produced_at\", \"isolation\", \"read_only\"",
                "view = \"wide_produced\"\nbase_table = \"wide\"",
                "uint",
                "[membership]\nmode = \"view\"");
        int fetch = 500;
        long[] handedAt = new long[60_001]; // by id: when the callback got the row (µs since the epoch)
        long[] producedAt = new long[60_001];
        AtomicLong rows = new AtomicLong();
        try (Connection c = db.connect()) {
            FillTable table = FillTable.resolve(c, m);
            try (Statement s = c.createStatement()) {
                // for the whole table Postgres would rather sort, computing every row before the first leaves; the
                // index walk it uses for a bounded chunk produces rows as they are fetched, which this test watches
                s.execute("SET enable_sort = off");
            }
            new ChunkReader(table, fetch).read(c, Chunk.range(0, List.of(), List.of()), (row, s) -> {
                Instant now = Instant.now();
                int id = ((Long) row.after().get("id")).intValue();
                handedAt[id] = micros(now);
                producedAt[id] = micros((Instant) row.after().get("produced_at"));
                assertThat(row.after().get("isolation")).isEqualTo("repeatable read");
                assertThat(row.after().get("read_only")).isEqualTo("on");
                rows.incrementAndGet(); // counted, not kept
            });
        }
        assertThat(rows.get()).isEqualTo(60_000);
        int handed = 0;
        int mostHeld = 0;
        for (int id = 1; id <= 60_000; id++) {
            while (handed < 60_000 && handedAt[handed + 1] < producedAt[id]) {
                handed++;
            }
            mostHeld = Math.max(mostHeld, id - 1 - handed); // rows produced before this one, not yet handed on
        }
        assertThat(mostHeld).isLessThanOrEqualTo(fetch);
    }

    private static long micros(Instant t) {
        return t.getEpochSecond() * 1_000_000 + t.getNano() / 1000;
    }

    @Test
    void aTableWithoutAKeyIsRefusedWithTheFix() throws Exception {
        db.execute("CREATE TABLE keyless (id bigint, title text)");
        try (Connection c = db.connect()) {
            Migration m = FillFixtures.table(db, "keyless", "\"id\", \"title\"");
            assertThatThrownBy(() -> FillTable.resolve(c, m))
                    .isInstanceOf(FillTableException.class)
                    .hasMessageContaining("mapping keyless")
                    .hasMessageContaining(
                            "table public.keyless has no primary key and no unique index on its id column id")
                    .hasMessageContaining("ALTER TABLE \"public\".\"keyless\" ADD PRIMARY KEY (\"id\");")
                    .hasMessageContaining("CREATE UNIQUE INDEX ON \"public\".\"keyless\" (\"id\");");
        }
    }

    @Test
    void aMissingColumnOrTableIsRefusedByName() throws Exception {
        db.execute("CREATE TABLE narrow (id bigint PRIMARY KEY)");
        try (Connection c = db.connect()) {
            Migration missingColumn = FillFixtures.table(db, "narrow", "\"id\", \"title\"");
            assertThatThrownBy(() -> FillTable.resolve(c, missingColumn))
                    .hasMessageContaining("mapping narrow: table public.narrow has no column title");
            Migration missingTable = FillFixtures.table(db, "absent", "\"id\"");
            assertThatThrownBy(() -> FillTable.resolve(c, missingTable))
                    .hasMessageContaining("mapping absent: table public.absent does not exist");
        }
    }
}
