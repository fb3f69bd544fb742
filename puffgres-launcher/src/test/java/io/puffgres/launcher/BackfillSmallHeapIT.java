package io.puffgres.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.puffgres.client.ErrorPolicy;
import io.puffgres.client.Filter;
import io.puffgres.client.Query;
import io.puffgres.client.TurbopufferClient;
import io.puffgres.emulator.EmulatorExtension;
import io.puffgres.testkit.PostgresDatabase;
import io.puffgres.testkit.ProjectFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A {@code puffgres backfill} process with a 256 MB heap fills a namespace from a table of about 650 MB: memory is
 * bounded by the chunk reader's fetches and the writer's batches, not by the table. The transform keeps each document
 * small (the body's length and first 32 characters), so the test JVM's in-memory emulator is not what is measured;
 * every row's whole body still passes through the child's reader, router and transform.
 */
class BackfillSmallHeapIT {

    @RegisterExtension
    static final PostgresDatabase db = new PostgresDatabase();

    @RegisterExtension
    static final EmulatorExtension tpuf = new EmulatorExtension();

    private static final int ROWS = 80_000;
    /** 8 kB a row, stored out of line and uncompressed ({@code STORAGE EXTERNAL}): the table's bytes are the rows'. */
    private static final int BODY_CHARS = 256 * 32;

    private static final long TABLE_BYTES_AT_LEAST = 600L << 20;
    /** md5('1'): row 1's body starts with it. */
    private static final String MD5_OF_1 = "c4ca4238a0b923820dcc509a6f75849b";

    @Test
    void aBackfillWithA256MegabyteHeapFillsATableFarLargerThanItsHeap() throws Exception {
        long t0 = System.nanoTime();
        db.execute(
                "CREATE TABLE wide (id bigint PRIMARY KEY, body text)",
                "ALTER TABLE wide ALTER COLUMN body SET STORAGE EXTERNAL",
                "INSERT INTO wide SELECT g, repeat(md5(g::text), " + BODY_CHARS / 32 + ") FROM generate_series(1, "
                        + ROWS + ") g",
                "CREATE PUBLICATION wide FOR TABLE wide",
                "SELECT pg_create_logical_replication_slot('wide', 'pgoutput')");
        long tableBytes = ((Number) db.query("SELECT pg_total_relation_size('wide') AS b")
                        .get(0)
                        .get("b"))
                .longValue();
        assertThat(tableBytes).isGreaterThanOrEqualTo(TABLE_BYTES_AT_LEAST);
        CliProject project = CliProject.withFiles(
                db,
                tpuf,
                "wide",
                "",
                Map.of(
                        "puffgres/migrations/0001_wide.toml",
                        ProjectFiles.migration(
                                1,
                                "wide",
                                "wide",
                                "wide",
                                "\"id\", \"body\"",
                                "[transform]\nkind = \"js\"\npath = \"transforms/summary.js\""),
                        "puffgres/transforms/summary.js",
                        "export function transform(row) {\n"
                                + "  return { len: row.body.length, head: row.body.substring(0, 32) };\n"
                                + "}\n"));
        long t1 = System.nanoTime();
        System.out.printf("small heap: table of %d MB made in %.1f s%n", tableBytes >> 20, (t1 - t0) / 1e9);

        List<String> command = new ArrayList<>(
                Main.javaCommand(List.of("backfill", "--project", project.dir().toString(), "--web-ui-port", "-1")));
        // after the test JVM's own options, so these win
        command.addAll(command.indexOf("-cp"), List.of("-Xmx256m", "-XX:+ExitOnOutOfMemoryError"));
        Path output = project.dir().resolve("backfill.out");
        Process backfill = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .start();
        try {
            assertThat(backfill.waitFor(10, TimeUnit.MINUTES))
                    .as("backfill ended")
                    .isTrue();
        } finally {
            backfill.destroyForcibly();
        }
        String printed = Files.readString(output);
        assertThat(backfill.exitValue()).as(printed).isZero();
        assertThat(printed).contains("every fill is done: stopping the job");
        long t2 = System.nanoTime();
        System.out.printf("small heap: the backfill process took %.1f s%n", (t2 - t1) / 1e9);
        if (db.query("SELECT 1 FROM pg_tables WHERE schemaname = 'wide' AND tablename = 'dlq'")
                        .size()
                == 1) {
            assertThat(db.query("SELECT doc_id, error_kind, error_message FROM wide.dlq"))
                    .as("rows sent to the DLQ")
                    .isEmpty();
        }

        try (TurbopufferClient client = new TurbopufferClient(
                tpuf.baseUrl(), Optional.empty(), ErrorPolicy.defaults(), Duration.ofSeconds(60))) {
            Object count = client.query("wide", Query.builder().count("n").build())
                    .aggregations()
                    .get("n");
            assertThat(((Number) count).longValue()).isEqualTo(ROWS);
            List<Long> ids = new ArrayList<>(List.of(1L, (long) ROWS));
            new Random(18).longs(198, 1, ROWS + 1).forEach(ids::add);
            Map<Long, String> stored = new TreeMap<>();
            client.query(
                            "wide",
                            Query.builder()
                                    .filters(Filter.in("id", ids))
                                    .rankBy(Query.RankBy.attribute("id", true))
                                    .topK(ids.size())
                                    .includeAllAttributes()
                                    .build())
                    .rows()
                    .forEach(r -> stored.put(((Number) r.get("id")).longValue(), r.get("len") + " " + r.get("head")));
            Map<Long, String> expected = new TreeMap<>();
            db.query("SELECT id, length(body) || ' ' || left(body, 32) AS summary FROM wide WHERE id IN ("
                            + ids.stream().map(String::valueOf).collect(Collectors.joining(", ")) + ")")
                    .forEach(r -> expected.put(((Number) r.get("id")).longValue(), (String) r.get("summary")));
            assertThat(expected).hasSizeGreaterThan(150).containsEntry(1L, BODY_CHARS + " " + MD5_OF_1);
            assertThat(stored).isEqualTo(expected);
        }
        System.out.printf("small heap: checks took %.1f s%n", (System.nanoTime() - t2) / 1e9);
    }
}
