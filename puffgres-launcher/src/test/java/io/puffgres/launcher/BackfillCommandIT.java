package io.puffgres.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.puffgres.cli.ExitCode;
import io.puffgres.client.ErrorPolicy;
import io.puffgres.client.TurbopufferClient;
import io.puffgres.client.WriteRequest;
import io.puffgres.document.DocId;
import io.puffgres.document.Document;
import io.puffgres.emulator.EmulatorExtension;
import io.puffgres.testkit.PostgresDatabase;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code puffgres backfill}: after the initial fill of {@code run --create-slot}, a namespace that lost and changed
 * documents behind puffgres's back is filled again from the table, the job stops once the fill is done, and the ledger
 * and {@code status} say so; {@code --repair} also deletes the documents without a member row, after which {@code
 * verify} finds the namespace equal. Wrong arguments are refused before anything is recorded.
 */
class BackfillCommandIT {

    @RegisterExtension
    static final PostgresDatabase db = new PostgresDatabase();

    @RegisterExtension
    static final EmulatorExtension tpuf = new EmulatorExtension();

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int ROWS = 600;

    /** With the stream, and in poll mode ({@code --poll} on both commands). */
    @ParameterizedTest(name = "poll: {0}")
    @ValueSource(booleans = {false, true})
    void refillsANamespaceThatDriftedThenStopsTheJob(boolean poll) throws Exception {
        String name = poll ? "bfillpoll" : "bfill";
        String[] mode = poll ? new String[] {"--poll"} : new String[0];
        CliProject project = CliProject.create(db, tpuf, name);
        db.execute("INSERT INTO " + name + " SELECT g, 'title ' || g FROM generate_series(1, " + ROWS + ") g");
        ValidateCommandTest.Result started =
                project.run(with(mode, "run", "--create-slot", "--detach", "--web-ui-port", "0"));
        assertThat(started.exitCode()).as(started.err()).isEqualTo(ExitCode.OK);
        await().atMost(Duration.ofSeconds(120))
                .untilAsserted(
                        () -> assertThat(fill(project, "initial").path("state").asText())
                                .as("the initial fill")
                                .isEqualTo("done"));
        assertThat(project.titles()).hasSize(ROWS);
        assertThat(db.query("SELECT plugin FROM pg_replication_slots WHERE slot_name = '" + name + "'")
                        .get(0)
                        .get("plugin"))
                .isEqualTo(poll ? "wal2json" : "pgoutput");
        ValidateCommandTest.Result stopped = project.run("stop");
        assertThat(stopped.exitCode()).as(stopped.err()).isEqualTo(ExitCode.OK);

        // the namespace drifts: documents lost and changed where puffgres did not write
        try (TurbopufferClient client = new TurbopufferClient(
                tpuf.baseUrl(), Optional.empty(), ErrorPolicy.defaults(), Duration.ofSeconds(10))) {
            WriteRequest.Builder drift = WriteRequest.builder();
            for (long id = 1; id <= 50; id++) {
                drift.delete(new DocId.Uint(id));
            }
            drift.upsert(new Document(new DocId.Uint(100), Map.of("title", "wrong", "__source_lsn", 1L)));
            client.write(name, drift.build());
        }
        assertThat(project.titles()).hasSize(ROWS - 50).containsEntry(100L, "wrong");

        ValidateCommandTest.Result backfill = project.run(with(mode, "backfill", name, "--web-ui-port", "0"));
        assertThat(backfill.exitCode()).as(backfill.err()).isEqualTo(ExitCode.OK);
        assertThat(backfill.out())
                .containsPattern("fill #\\d+ of namespace " + name + " from public." + name + " \\(mapping " + name
                        + " v1\\) recorded")
                .contains("every fill is done: stopping the job")
                .contains("stopped with savepoint");

        Map<Long, String> expected = new TreeMap<>();
        for (long id = 1; id <= ROWS; id++) {
            expected.put(id, "title " + id);
        }
        assertThat(project.titles()).isEqualTo(expected);
        JsonNode fill = fill(project, "backfill");
        assertThat(fill.path("state").asText()).isEqualTo("done");
        assertThat(fill.path("rows_done").asLong()).isEqualTo(ROWS);
        assertThat(project.run("status").out())
                .containsPattern(name + " v1 -> namespace " + name + " \\(backfill, #\\d+\\): filled: 600 rows");
    }

    private static String[] with(String[] mode, String... args) {
        String[] all = Arrays.copyOf(args, args.length + mode.length);
        System.arraycopy(mode, 0, all, args.length, mode.length);
        return all;
    }

    @Test
    void aRepairDeletesTheDocumentsWithoutAMemberRowAndVerifyThenFindsTheNamespaceEqual() throws Exception {
        CliProject project = filledAndStopped("bfrepair", 300);
        try (TurbopufferClient client = new TurbopufferClient(
                tpuf.baseUrl(), Optional.empty(), ErrorPolicy.defaults(), Duration.ofSeconds(10))) {
            WriteRequest.Builder ghosts = WriteRequest.builder();
            for (long id = 1001; id <= 1050; id++) { // documents whose rows are gone
                ghosts.upsert(new Document(new DocId.Uint(id), Map.of("title", "ghost", "__source_lsn", 1L)));
            }
            client.write("bfrepair", ghosts.build());
        }
        ValidateCommandTest.Result differs = project.run("verify");
        assertThat(differs.exitCode()).as(differs.err()).isEqualTo(ExitCode.PREFLIGHT);
        assertThat(differs.out()).contains("hint: puffgres backfill --repair bfrepair rewrites every member row");

        ValidateCommandTest.Result repair = project.run("backfill", "--repair", "bfrepair", "--web-ui-port", "0");
        assertThat(repair.exitCode()).as(repair.err()).isEqualTo(ExitCode.OK);
        assertThat(repair.out())
                .containsPattern("repair #\\d+ of namespace bfrepair from public.bfrepair \\(mapping bfrepair v1\\)"
                        + " recorded; documents without a member row will be deleted")
                .contains("every fill is done: stopping the job");
        assertThat(project.titles()).hasSize(300).doesNotContainKeys(1001L, 1050L);
        ValidateCommandTest.Result equal = project.run("verify");
        assertThat(equal.exitCode()).as(equal.out()).isEqualTo(ExitCode.OK);
        assertThat(equal.out()).contains("verify: 1 mapping(s) match");
        assertThat(fill(project, "repair").path("state").asText()).isEqualTo("done");
        assertThat(fill(project, "repair").path("cursor").asText()).isEqualTo("done");
    }

    @Test
    void detachedItFillsInTheBackgroundAndGoesOnStreaming() throws Exception {
        CliProject project = filledAndStopped("bfdetach", 100);

        ValidateCommandTest.Result detached = project.run("backfill", "--detach", "--web-ui-port", "0");
        assertThat(detached.exitCode()).as(detached.err()).isEqualTo(ExitCode.OK);
        try {
            await().atMost(Duration.ofSeconds(120))
                    .untilAsserted(() -> assertThat(
                                    fill(project, "backfill").path("state").asText())
                            .isEqualTo("done"));
            // the background run goes on streaming after the fill
            db.execute("INSERT INTO bfdetach VALUES (101, 'after')");
            await().atMost(Duration.ofSeconds(60))
                    .untilAsserted(() -> assertThat(project.titles()).containsEntry(101L, "after"));
        } finally {
            project.run("stop");
        }
    }

    @Test
    void refusesAnUnknownMappingAndHasNothingToResume() throws Exception {
        CliProject project = CliProject.create(db, tpuf, "bfargs");
        ValidateCommandTest.Result unknown = project.run("backfill", "nosuch");
        assertThat(unknown.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(unknown.err()).contains("no mapping named nosuch; the project's mappings: bfargs");

        ValidateCommandTest.Result both = project.run("backfill", "--repair", "--resume");
        assertThat(both.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(both.err()).contains("--resume records no fill, so it cannot record a repair");

        ValidateCommandTest.Result resume = project.run("backfill", "--resume");
        assertThat(resume.exitCode()).as(resume.err()).isEqualTo(ExitCode.OK);
        assertThat(resume.out()).contains("bfargs v1: no open fill to resume").contains("nothing to fill");
    }

    /** A project of table {@code name} with {@code rows} rows, filled by {@code run --create-slot}, then stopped. */
    private static CliProject filledAndStopped(String name, int rows) throws Exception {
        CliProject project = CliProject.create(db, tpuf, name);
        db.execute("INSERT INTO " + name + " SELECT g, 'title ' || g FROM generate_series(1, " + rows + ") g");
        ValidateCommandTest.Result started = project.run("run", "--create-slot", "--detach", "--web-ui-port", "0");
        assertThat(started.exitCode()).as(started.err()).isEqualTo(ExitCode.OK);
        await().atMost(Duration.ofSeconds(120))
                .untilAsserted(
                        () -> assertThat(fill(project, "initial").path("state").asText())
                                .isEqualTo("done"));
        assertThat(project.run("stop").exitCode()).isEqualTo(ExitCode.OK);
        return project;
    }

    /** The newest fill with {@code reason} in {@code status --json}. */
    private static JsonNode fill(CliProject project, String reason) throws Exception {
        JsonNode found = null;
        for (JsonNode f : JSON.readTree(project.run("status", "--json").out()).path("fills")) {
            if (f.path("reason").asText().equals(reason)) {
                found = f;
            }
        }
        assertThat(found)
                .as("a fill with reason " + reason + " in status --json")
                .isNotNull();
        return found;
    }
}
