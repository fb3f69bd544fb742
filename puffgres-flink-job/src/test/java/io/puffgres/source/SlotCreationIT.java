package io.puffgres.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.puffgres.config.PostgresUrl;
import io.puffgres.config.ProjectConfig;
import io.puffgres.testkit.PostgresDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A slot creation held by a session idle in a transaction names that session while it waits, and completes once
 * the session ends its transaction.
 */
class SlotCreationIT {

    @RegisterExtension
    static final PostgresDatabase db = new PostgresDatabase();

    private static ProjectConfig.Postgres postgres() {
        PostgresUrl.Parsed url = PostgresUrl.parse(db.jdbcUrl(), "test");
        return new ProjectConfig.Postgres(url.url(), url.user(), url.password(), "unused", "unused");
    }

    @Test
    void aWaitingCreationNamesTheIdleTransactionAndEndsWithIt() throws Exception {
        db.execute("CREATE TABLE held (id int PRIMARY KEY)", "INSERT INTO held VALUES (1)");
        List<String> notes = new CopyOnWriteArrayList<>();
        try (Connection idle = db.connect();
                Connection creator = db.connect()) {
            idle.setAutoCommit(false);
            long idlePid;
            try (Statement s = idle.createStatement()) {
                s.execute("UPDATE held SET id = 2"); // a transaction id is assigned: slot creation waits for it
                try (ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
                    rs.next();
                    idlePid = rs.getLong(1);
                }
            }
            CompletableFuture<Void> created = CompletableFuture.runAsync(() -> {
                try {
                    SlotCreation.create(
                            creator, "held_slot", "pgoutput", postgres(), Duration.ofMillis(100), notes::add);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            await().atMost(Duration.ofSeconds(30)).until(() -> !notes.isEmpty());
            assertThat(created)
                    .as("the creation waits for the idle transaction")
                    .isNotDone();
            assertThat(notes.get(0))
                    .startsWith("creating replication slot \"held_slot\" waits for 1 transaction(s) to end: pid "
                            + idlePid + " (user ")
                    .contains("idle in transaction, in a transaction for ")
                    .endsWith("end the session (SELECT pg_terminate_backend(" + idlePid + ")) or wait");

            idle.rollback();
            created.get(30, java.util.concurrent.TimeUnit.SECONDS);
        }
        assertThat(db.query("SELECT slot_name FROM pg_replication_slots WHERE slot_name = 'held_slot'"))
                .hasSize(1);
        db.execute("SELECT pg_drop_replication_slot('held_slot')");
    }

    @Test
    void aCreationThatWaitsForNothingSaysNothing() throws Exception {
        List<String> notes = new CopyOnWriteArrayList<>();
        try (Connection creator = db.connect()) {
            SlotCreation.create(creator, "free_slot", "pgoutput", postgres(), Duration.ofMillis(50), notes::add);
        }
        assertThat(notes).isEmpty();
        db.execute("SELECT pg_drop_replication_slot('free_slot')");
    }
}
