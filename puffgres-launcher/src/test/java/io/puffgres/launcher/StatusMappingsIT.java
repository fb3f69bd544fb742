package io.puffgres.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.puffgres.cli.ExitCode;
import io.puffgres.emulator.EmulatorExtension;
import io.puffgres.testkit.PostgresDatabase;
import java.nio.file.Files;
import java.sql.Connection;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code puffgres status} of a job's mappings and fills: two mappings of one table, whose writers run in the source's
 * task at parallelism 1 (one Flink vertex), each with its own figures; and a fill held mid-way, with its figures from
 * the ledger and the live job (and {@code verify} saying it is being filled).
 */
class StatusMappingsIT {

    @RegisterExtension
    static final PostgresDatabase db = new PostgresDatabase();

    @RegisterExtension
    static final EmulatorExtension tpuf = new EmulatorExtension();

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void reportsEachMappingOfOneVertexApart() throws Exception {
        CliProject project = CliProject.create(db, tpuf, "twomaps");
        Files.writeString(
                project.dir().resolve("puffgres/migrations/0002_twomaps_ones.toml"),
                String.join(
                        "\n",
                        "version = 2",
                        "mapping_name = \"twomaps_ones\"",
                        "namespace = \"twomaps_ones\"",
                        "columns = [\"id\", \"title\"]",
                        "[source]",
                        "table = \"twomaps\"",
                        "[id]",
                        "column = \"id\"",
                        "type = \"uint\"",
                        "[membership]",
                        "mode = \"dsl\"",
                        "predicate = \"title = 'one'\"",
                        ""));
        assertThat(project.run("apply").exitCode()).isEqualTo(ExitCode.OK);
        db.execute("INSERT INTO twomaps VALUES (1, 'one'), (2, 'two'), (3, 'one')");
        ValidateCommandTest.Result started = project.run("run", "--create-slot", "--detach", "--web-ui-port", "0");
        assertThat(started.exitCode()).as(started.err()).isEqualTo(ExitCode.OK);
        try {
            await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
                JsonNode s = new ObjectMapper()
                        .readTree(project.run("status", "--json").out());
                Map<String, Long> upserts = new HashMap<>();
                Map<String, Long> deletes = new HashMap<>();
                s.path("mappings").forEach(m -> {
                    upserts.put(m.path("mapping").asText(), m.path("upserts").asLong());
                    deletes.put(m.path("mapping").asText(), m.path("deletes").asLong());
                });
                assertThat(upserts).isEqualTo(Map.of("twomaps", 3L, "twomaps_ones", 2L));
                // the fill reads only members (the predicate pushed down): no delete for the row that is none
                assertThat(deletes).isEqualTo(Map.of("twomaps", 0L, "twomaps_ones", 0L));
                assertThat(s.path("events").asLong()).isEqualTo(5);
            });
        } finally {
            project.run("stop");
        }
    }

    private static final int FILL_ROWS = 200_000;

    @Test
    void showsAFillMidWayFromTheLedgerAndTheLiveJobAndVerifyWaitsForIt() throws Exception {
        CliProject project = CliProject.withIdentityTransform(db, tpuf, "midfill");
        db.execute(
                "INSERT INTO midfill SELECT g, 'title ' || g FROM generate_series(1, " + FILL_ROWS + ") g",
                "ANALYZE midfill"); // the fill's estimate: pg_class.reltuples
        ValidateCommandTest.Result started = project.run("run", "--create-slot", "--detach", "--web-ui-port", "0");
        assertThat(started.exitCode()).as(started.err()).isEqualTo(ExitCode.OK);
        try {
            try (Connection lock = db.connect()) {
                // once the ledger counts a chunk finished (read in SQL: a status call takes longer than a chunk), hold
                // the fill: its next chunk waits for the lock, so the fill cannot finish while status is looked at
                await().atMost(Duration.ofSeconds(120))
                        .pollInterval(Duration.ofMillis(20))
                        .ignoreExceptions() // until the run has made the ledger
                        .until(() -> db.query("SELECT rows_done FROM midfill.fills WHERE mapping = 'midfill'").stream()
                                .anyMatch(r -> ((Number) r.get("rows_done")).longValue() > 0));
                lock.setAutoCommit(false);
                lock.createStatement().execute("LOCK TABLE midfill IN ACCESS EXCLUSIVE MODE");
                await().atMost(Duration.ofSeconds(60)) // the live job's rate, fetched by status from Flink's REST
                        .untilAsserted(() -> assertHeldFillIsShown(project));
                lock.rollback();
            }
            await().atMost(Duration.ofSeconds(180))
                    .untilAsserted(() ->
                            assertThat(fill(project).path("state").asText()).isEqualTo("done"));
            ValidateCommandTest.Result verify = project.run("verify");
            assertThat(verify.out())
                    .contains(
                            FILL_ROWS + " member rows in Postgres, " + FILL_ROWS + " documents in turbopuffer: equal");
            assertThat(verify.exitCode()).isEqualTo(ExitCode.OK);
        } finally {
            project.run("stop");
        }
    }

    /** While the fill is held: its figures in status (json and text), the writer's fill counters, and verify waits. */
    private static void assertHeldFillIsShown(CliProject project) throws Exception {
        JsonNode held = fill(project);
        assertThat(held.path("state").asText()).as(held.toString()).isEqualTo("running");
        assertThat(held.path("live").asBoolean()).isTrue();
        assertThat(held.path("rows_estimate").asLong()).isEqualTo(FILL_ROWS);
        assertThat(held.path("rows_done").asLong()).isBetween(1L, FILL_ROWS - 1L);
        // the readers' count: the REST API may read it a fetch earlier than the enumerator's rows done
        assertThat(held.path("rows_read").asLong()).isPositive();
        assertThat(held.path("chunks_done").asLong()).isPositive();
        assertThat(held.path("chunks_total").isNull()
                        || held.path("chunks_total").asLong() > 1)
                .isTrue();
        assertThat(held.path("cursor").asText()).isNotEmpty();
        assertThat(held.path("rows_per_second").asDouble()).isPositive(); // over the last minute
        assertThat(held.path("eta_seconds").isIntegralNumber()).isTrue();
        assertThat(held.path("dlq").isIntegralNumber()).isTrue();
        assertThat(held.path("dlq").asLong()).isZero();

        JsonNode writer = JSON.readTree(project.run("status", "--json").out())
                .path("mappings")
                .path(0);
        assertThat(writer.path("fill_rows_stale").isIntegralNumber()).isTrue();
        assertThat(writer.path("changes_in_fill").isIntegralNumber()).isTrue();
        assertThat(project.run("status").out())
                .containsPattern("midfill v1 -> namespace midfill \\(initial load, #\\d+\\): filling: [\\d,]+ of"
                        + " ~200,000 rows \\(\\d+%\\), \\d+( of \\d+)? chunk(s|\\(s\\)) done, [\\d,]+ rows/s, ETA"
                        + " \\d+ (s|min|h)( \\d+ (s|min))?, cursor \\S+, fill DLQ 0\\n")
                .containsPattern("MAPPING .* STALE +FILL STALE +IN FILL +DLQ ");

        // verify reads the ledger, not the locked table: it says the namespace is being filled, at once
        ValidateCommandTest.Result verify = project.run("verify");
        assertThat(verify.exitCode()).as(verify.out() + verify.err()).isEqualTo(ExitCode.FILLING);
        assertThat(verify.out())
                .containsPattern("midfill v1 -> namespace midfill: being filled, not compared \\(fill #\\d+, initial"
                        + " load: [\\d,]+ of ~200,000 rows \\(\\d+%\\), \\d+ chunk\\(s\\) done\\); verify again once it"
                        + " is filled")
                .contains("verify: 0 of 1 mapping(s) match, 1 being filled (verify again once filled)");
    }

    /** The project's one fill in {@code status --json}. */
    private static JsonNode fill(CliProject project) throws Exception {
        JsonNode fills = JSON.readTree(project.run("status", "--json").out()).path("fills");
        assertThat(fills).hasSize(1);
        return fills.path(0);
    }
}
