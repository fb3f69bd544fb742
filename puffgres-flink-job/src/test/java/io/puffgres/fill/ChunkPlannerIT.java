package io.puffgres.fill;

import static org.assertj.core.api.Assertions.assertThat;

import io.puffgres.event.RowEvent;
import io.puffgres.testkit.PostgresDatabase;
import java.sql.Connection;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Chunks of every kind of key cover each row exactly once, in the key's own order. */
class ChunkPlannerIT {

    @RegisterExtension
    static final PostgresDatabase db = new PostgresDatabase();

    /** Plans and reads {@code table} whole; checks every row came once, in {@code ORDER BY key}; returns the chunks. */
    private static List<Chunk> coversEveryRowOnce(String table, String columns, String idType, int chunkRows)
            throws Exception {
        try (Connection c = db.connect()) {
            FillTable fill = FillTable.resolve(
                    c, FillFixtures.migration(db, table, columns, "table = \"" + table + "\"", idType, ""));
            List<Chunk> chunks = FillFixtures.plan(c, fill, chunkRows);
            List<List<RowEvent>> rows = FillFixtures.readAll(c, fill, chunks);
            List<String> read = FillFixtures.column(rows, "id").stream()
                    .map(String::valueOf)
                    .toList();
            List<String> expected =
                    db.query("SELECT id::text AS k FROM " + table + " ORDER BY " + fill.keyList()).stream()
                            .map(row -> String.valueOf(row.get("k")))
                            .toList();
            assertThat(read).containsExactlyElementsOf(expected);
            long count =
                    (Long) db.query("SELECT count(*) AS n FROM " + table).get(0).get("n");
            assertThat((long) read.size()).isEqualTo(count);
            for (int i = 0; i < chunks.size() - 1; i++) {
                assertThat(rows.get(i)).hasSizeLessThanOrEqualTo(chunkRows);
            }
            return chunks;
        }
    }

    @Test
    void bigintKeysWithGapsSplitIntoChunksOfAboutChunkRows() throws Exception {
        db.execute(
                "CREATE TABLE big (id bigint PRIMARY KEY, title text)",
                "INSERT INTO big SELECT g * 3, 'row ' || g FROM generate_series(1, 2345) g",
                "INSERT INTO big VALUES (9223372036854775807, 'max')");
        List<Chunk> chunks = coversEveryRowOnce("big", "\"id\", \"title\"", "uint", 100);
        assertThat(chunks).hasSize(24);
        assertThat(chunks.get(0).lower()).isEmpty();
        assertThat(chunks.get(1).lower()).containsExactly("303");
        assertThat(chunks.get(23).upper()).isEmpty();
        assertThat(chunks).noneMatch(Chunk::nullKeys);
    }

    @Test
    void intKeys() throws Exception {
        db.execute(
                "CREATE TABLE small_ints (id int PRIMARY KEY, title text)",
                "INSERT INTO small_ints SELECT g, 'row ' || g FROM generate_series(-50, 250) g");
        assertThat(coversEveryRowOnce("small_ints", "\"id\", \"title\"", "int", 64))
                .hasSize(5);
    }

    @Test
    void uuidKeys() throws Exception {
        db.execute(
                "CREATE TABLE uuids (id uuid PRIMARY KEY, title text)",
                "INSERT INTO uuids SELECT md5(g::text)::uuid, 'row ' || g FROM generate_series(1, 1000) g");
        assertThat(coversEveryRowOnce("uuids", "\"id\", \"title\"", "uuid", 90)).hasSize(12);
    }

    /** Bounds compare in the column's collation, the one ORDER BY uses, whatever the database's default is. */
    @Test
    void textKeysFollowTheColumnsCollation() throws Exception {
        String words = "'apple', 'Apple', 'banana', 'Banana', 'éclair', 'eclair', 'zebra', 'Zebra', '10', '9',"
                + " '_x', 'x_', 'ä', 'b', 'B', 'a b', 'ab', 'a-c', 'ac', ''";
        for (String collation : List.of("C", "und-x-icu")) {
            String table =
                    "words_" + collation.toLowerCase(java.util.Locale.ROOT).replace('-', '_');
            db.execute(
                    "CREATE TABLE " + table + " (id text COLLATE \"" + collation + "\" PRIMARY KEY, n int)",
                    "INSERT INTO " + table + " SELECT w, 1 FROM unnest(ARRAY[" + words + "]) w");
            assertThat(coversEveryRowOnce(table, "\"id\", \"n\"", "string", 3)).hasSize(7);
        }
    }

    @Test
    void compositePrimaryKeysCompareAsRowValues() throws Exception {
        db.execute(
                "CREATE TABLE members (org bigint, name text, id bigint NOT NULL, PRIMARY KEY (org, name))",
                "INSERT INTO members SELECT g % 7, 'user ' || g, g FROM generate_series(1, 700) g");
        List<Chunk> chunks = coversEveryRowOnce("members", "\"id\", \"org\", \"name\"", "uint", 50);
        assertThat(chunks).hasSize(14);
        assertThat(chunks.get(1).lower()).hasSize(2);
        assertThat(chunks.get(1).toString()).startsWith("#1 [(");
    }

    /** Without a primary key a unique id column splits the table; its NULL ids come in a last chunk of their own. */
    @Test
    void aUniqueNullableIdColumnReadsNullIdsInALastChunk() throws Exception {
        db.execute(
                "CREATE TABLE loose (id bigint, title text)",
                "CREATE UNIQUE INDEX ON loose (id)",
                "INSERT INTO loose SELECT g, 'row ' || g FROM generate_series(1, 95) g",
                "INSERT INTO loose VALUES (NULL, 'no id 1'), (NULL, 'no id 2'), (NULL, 'no id 3')");
        try (Connection c = db.connect()) {
            FillTable fill = FillTable.resolve(c, FillFixtures.table(db, "loose", "\"id\", \"title\""));
            assertThat(fill.keys()).containsExactly(new FillTable.KeyColumn("id", "bigint", true));
            List<Chunk> chunks = FillFixtures.plan(c, fill, 10);
            assertThat(chunks).hasSize(11);
            assertThat(chunks.get(10)).isEqualTo(Chunk.ofNullKeys(10));
            List<List<RowEvent>> rows = FillFixtures.readAll(c, fill, chunks);
            assertThat(FillFixtures.column(rows.subList(0, 10), "id"))
                    .hasSize(95)
                    .doesNotContainNull();
            assertThat(FillFixtures.column(rows.subList(10, 11), "title"))
                    .containsExactlyInAnyOrder("no id 1", "no id 2", "no id 3");
        }
    }

    @Test
    void anEmptyTableIsOneChunkWithoutRows() throws Exception {
        db.execute("CREATE TABLE nothing (id bigint PRIMARY KEY, title text)");
        try (Connection c = db.connect()) {
            FillTable fill = FillTable.resolve(c, FillFixtures.table(db, "nothing", "\"id\", \"title\""));
            List<Chunk> chunks = FillFixtures.plan(c, fill, 10);
            assertThat(chunks).containsExactly(Chunk.range(0, List.of(), List.of()));
            assertThat(FillFixtures.readAll(c, fill, chunks).get(0)).isEmpty();
        }
    }

    /** A view is keyed by the id column; ids it repeats past a chunk's size stay in one chunk. */
    @Test
    void aViewWithRepeatedIdsKeepsEachIdInOneChunk() throws Exception {
        db.execute(
                "CREATE TABLE tags (n bigint PRIMARY KEY, item bigint, tag text)",
                "INSERT INTO tags SELECT g, CASE WHEN g <= 30 THEN 1 ELSE g END, 'tag ' || g"
                        + " FROM generate_series(1, 100) g",
                "CREATE VIEW item_tags AS SELECT item AS id, tag FROM tags");
        try (Connection c = db.connect()) {
            FillTable fill = FillTable.resolve(
                    c,
                    FillFixtures.migration(
                            db,
                            "item_tags",
                            "\"id\", \"tag\"",
                            "view = \"item_tags\"\nbase_table = \"tags\"",
                            "uint",
                            "[membership]\nmode = \"view\""));
            List<Chunk> chunks = FillFixtures.plan(c, fill, 10);
            List<List<RowEvent>> rows = FillFixtures.readAll(c, fill, chunks);
            List<List<RowEvent>> withOne = rows.stream()
                    .filter(chunk ->
                            chunk.stream().anyMatch(row -> row.after().get("id").equals(1L)))
                    .toList();
            assertThat(withOne).hasSize(1);
            assertThat(withOne.get(0)).hasSize(30);
            Map<Object, Long> perId = FillFixtures.column(rows, "id").stream()
                    .collect(Collectors.groupingBy(id -> id, Collectors.counting()));
            assertThat(perId).hasSize(71).containsEntry(1L, 30L);
            assertThat(chunks.get(chunks.size() - 1).nullKeys()).isTrue(); // a view's column admits NULL
        }
    }

    @Test
    void theEstimateComesFromTheStatistics() throws Exception {
        db.execute(
                "CREATE TABLE counted (id bigint PRIMARY KEY)", "INSERT INTO counted SELECT generate_series(1, 5000)");
        try (Connection c = db.connect()) {
            ChunkPlanner planner =
                    new ChunkPlanner(FillTable.resolve(c, FillFixtures.table(db, "counted", "\"id\"")), 100);
            assertThat(planner.estimate(c)).isEqualTo(-1); // never analyzed
            db.execute("ANALYZE counted");
            assertThat(planner.estimate(c)).isEqualTo(5000);
        }
    }
}
