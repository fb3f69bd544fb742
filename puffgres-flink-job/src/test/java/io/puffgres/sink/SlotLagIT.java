package io.puffgres.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.puffgres.stream.JobSpec;
import io.puffgres.testkit.PostgresDatabase;
import io.puffgres.testkit.ProjectFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The slot lag gauge against a real slot that nothing reads, so only the test moves its confirmed position. */
class SlotLagIT {

    private static final String SLOT = "slot_lag_it";
    private static final Duration WAIT = SlotLag.PERIOD.multipliedBy(4);

    @RegisterExtension
    static final PostgresDatabase db = new PostgresDatabase();

    @BeforeAll
    static void slot() {
        db.execute(
                "CREATE TABLE pad (id bigint, t text) WITH (autovacuum_enabled = false)",
                "SELECT pg_create_logical_replication_slot('" + SLOT + "', 'pgoutput')");
    }

    @AfterAll
    static void dropSlot() {
        // before the extension drops the database, which a slot would keep in use (and it holds the cluster's WAL)
        db.execute("SELECT pg_drop_replication_slot('" + SLOT + "')");
    }

    private static JobSpec spec() throws Exception {
        Path dir = Files.createTempDirectory("puffgres-slotlag");
        ProjectFiles.writeConfig(dir, db.jdbcUrl(), SLOT, "p", "http://127.0.0.1:1", 1000);
        Files.writeString(
                dir.resolve("puffgres/migrations/0001_pad.toml"),
                ProjectFiles.migration(1, "pad", "pad", "pad", "\"id\", \"t\"", ""));
        return new JobSpec(dir.toString(), 1, SLOT, Map.of("pad", 1), false);
    }

    private static long heldNow() {
        return ((Number) db.query("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn) AS held"
                                + " FROM pg_replication_slots WHERE slot_name = '" + SLOT + "'")
                        .get(0)
                        .get("held"))
                .longValue();
    }

    @Test
    void readsTheWalFromTheSlotsConfirmedPositionToTheServersCurrentOne() throws Exception {
        try (SlotLag lag = new SlotLag(spec(), "slot lag test")) {
            // 2,000 rows of 1 kB: over 2 MB of WAL the slot keeps
            db.execute("INSERT INTO pad SELECT g, repeat(md5(g::text), 32) FROM generate_series(1, 2000) g");
            await().atMost(WAIT).untilAsserted(() -> assertThat(lag.getValue()).isGreaterThan(2_000_000L));

            db.execute("SELECT pg_replication_slot_advance('" + SLOT + "', pg_current_wal_lsn())");
            // the cluster's other databases go on writing WAL, so the figure is compared with Postgres's own, read
            // after it (it only grows while the slot stays)
            await().atMost(WAIT).untilAsserted(() -> {
                long shown = lag.getValue();
                assertThat(shown).isBetween(0L, heldNow()).isLessThan(1_000_000L);
            });
        }
    }
}
