package io.puffgres.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.puffgres.job.JobSpec;
import io.puffgres.testkit.PostgresCluster;
import io.puffgres.testkit.ProjectFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The slot lag gauge against a real slot that nothing reads, so only the test moves its confirmed position. */
class SlotLagIT {

    private static final String SLOT = "slot_lag_it";
    private static final Duration WAIT = SlotLag.PERIOD.multipliedBy(4);

    private static PostgresCluster pg;
    private static String db;

    @BeforeAll
    static void database() throws Exception {
        pg = PostgresCluster.shared();
        db = pg.createDatabase("slotlag");
        execute(
                "CREATE TABLE pad (id bigint, t text)",
                "SELECT pg_create_logical_replication_slot('" + SLOT + "', 'pgoutput')");
    }

    @AfterAll
    static void drop() throws Exception {
        execute("SELECT pg_drop_replication_slot('" + SLOT + "')"); // a slot holds the cluster's WAL until dropped
        pg.dropDatabase(db);
    }

    private static void execute(String... sql) throws Exception {
        try (Connection c = pg.connect(db);
                Statement s = c.createStatement()) {
            for (String q : sql) {
                s.execute(q);
            }
        }
    }

    private static JobSpec spec() throws Exception {
        Path dir = Files.createTempDirectory("puffgres-slotlag");
        ProjectFiles.writeConfig(dir, pg.jdbcUrl(db), SLOT, "p", "http://127.0.0.1:1", 1000);
        Files.writeString(
                dir.resolve("puffgres/migrations/0001_pad.toml"),
                ProjectFiles.migration(1, "pad", "pad", "pad", "\"id\", \"t\"", ""));
        return new JobSpec(dir.toString(), 1, SLOT, Map.of("pad", 1), false);
    }

    @Test
    void readsTheWalFromTheSlotsConfirmedPositionToTheServersCurrentOne() throws Exception {
        try (SlotLag lag = new SlotLag(spec(), "slot lag test")) {
            // 2,000 rows of 1 kB: over 2 MB of WAL the slot keeps
            execute("INSERT INTO pad SELECT g, repeat(md5(g::text), 32) FROM generate_series(1, 2000) g");
            await().atMost(WAIT).untilAsserted(() -> assertThat(lag.getValue()).isGreaterThan(2_000_000L));

            execute("SELECT pg_replication_slot_advance('" + SLOT + "', pg_current_wal_lsn())");
            await().atMost(WAIT).untilAsserted(() -> assertThat(lag.getValue()).isBetween(0L, 100_000L));
        }
    }
}
