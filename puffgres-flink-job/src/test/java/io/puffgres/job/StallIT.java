package io.puffgres.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.puffgres.emulator.EmulatorExtension;
import io.puffgres.testkit.PostgresDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A lookup that Postgres does not answer (its table is locked): the lookup stage shows the stall in its {@code
 * stalledMs} gauge, and after {@code [flink] stall_timeout_ms} the task fails with the stall named, so Flink
 * restarts the job; once Postgres answers again, nothing is lost.
 */
class StallIT {

    @RegisterExtension
    static final PostgresDatabase db = new PostgresDatabase();

    @RegisterExtension
    static final EmulatorExtension tpuf = new EmulatorExtension();

    private static final Duration WAIT = Duration.ofSeconds(90);

    @Test
    void aLookupThatNeverAnswersIsShownAndEndedByARestartThatLosesNothing() throws Exception {
        db.execute(
                "CREATE TABLE gated (id bigint PRIMARY KEY, title text)",
                "CREATE TABLE gate (id bigint PRIMARY KEY)",
                "INSERT INTO gate SELECT generate_series(1, 10)",
                "INSERT INTO gated VALUES (1, 'one')");
        try (JobHarness h = new JobHarness(
                db,
                tpuf.baseUrl(),
                "gated",
                JobHarness.migration(
                        1,
                        "gated",
                        "gated",
                        "gated",
                        "\"id\", \"title\"",
                        "[membership]\nmode = \"lookup\"\nsql = \"SELECT 1 FROM gate WHERE id = $1\""))) {
            Path toml = h.dir.resolve("puffgres.toml");
            Files.writeString(
                    toml,
                    Files.readString(toml)
                            .replace("[flink]\n", "[flink]\nstall_after_ms = 1000\n" + "stall_timeout_ms = 4000\n"));
            JobRunner.Started job =
                    h.start(new JobRunner.Options(Optional.empty(), true, Optional.empty(), false, "pgoutput", 0));
            await().atMost(WAIT)
                    .untilAsserted(() -> assertThat(h.documents("gated")).containsOnlyKeys(1L));

            try (Connection lock = db.connect();
                    Statement s = lock.createStatement()) {
                lock.setAutoCommit(false);
                s.execute("LOCK TABLE gate IN ACCESS EXCLUSIVE MODE"); // every lookup now waits
                db.execute("INSERT INTO gated VALUES (2, 'two')");
                await().atMost(WAIT)
                        .untilAsserted(() -> assertThat(JobHarness.gauge(job, "gated__lookup.stalledMs"))
                                .hasValueSatisfying(ms -> assertThat(ms).isPositive()));
                await().atMost(WAIT)
                        .untilAsserted(() -> assertThat(JobHarness.lastFailure(job))
                                .contains("StalledException")
                                .contains("gated: lookup (1/1): stalled for")
                                .contains("1 lookup(s) in Postgres unanswered"));
                lock.rollback();
            }
            await().atMost(WAIT)
                    .untilAsserted(() -> assertThat(h.documents("gated")).containsOnlyKeys(1L, 2L));
        }
    }
}
