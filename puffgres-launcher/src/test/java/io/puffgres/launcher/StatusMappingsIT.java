package io.puffgres.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.puffgres.cli.ExitCode;
import io.puffgres.emulator.EmulatorExtension;
import io.puffgres.testkit.PostgresDatabase;
import java.nio.file.Files;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code puffgres status} of a job running two mappings of one table: at parallelism 1 both writers run in the
 * source's task (one Flink vertex), and each mapping still gets its own figures.
 */
class StatusMappingsIT {

    @RegisterExtension
    static final PostgresDatabase db = new PostgresDatabase();

    @RegisterExtension
    static final EmulatorExtension tpuf = new EmulatorExtension();

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
}
