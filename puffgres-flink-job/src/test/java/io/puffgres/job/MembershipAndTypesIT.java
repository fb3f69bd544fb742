package io.puffgres.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.puffgres.emulator.EmulatorExtension;
import io.puffgres.testkit.PostgresDatabase;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** View and lookup membership, and every type the identity transform maps, end to end. */
class MembershipAndTypesIT {

    @RegisterExtension
    static final PostgresDatabase db = new PostgresDatabase();

    @RegisterExtension
    static final EmulatorExtension tpuf = new EmulatorExtension();

    private static final Duration WAIT = Duration.ofSeconds(90);

    @Test
    void changesAndLookupsGiveOtherTypesTheSameValues() throws Exception {
        // a table mapping takes values from the change, a view mapping from a lookup of the view: they must agree
        db.execute(
                "CREATE TYPE mood AS ENUM ('happy', 'sad')",
                "CREATE DOMAIN posint AS int CHECK (VALUE > 0)",
                "CREATE TABLE others (id bigint PRIMARY KEY, iv interval, tz timetz, e mood, ip inet,"
                        + " js json, r int4range, nm name, pt point, tsv tsvector, bas bytea[], moods mood[],"
                        + " mo money, pos posint, bits bit(4))",
                "CREATE VIEW others_v AS SELECT * FROM others",
                "INSERT INTO others VALUES (1, '1 year 2 mons 3 days 04:05:06.5', '10:00+02', 'happy',"
                        + " '10.0.0.1', '{\"a\": 1}', '[1,5)', 'a name', '(1.5,2)', 'a fat cat',"
                        + " ARRAY['\\x0102'::bytea], '{happy,sad}', 1234.56, 7, B'1010')");
        String columns = "\"id\", \"iv\", \"tz\", \"e\", \"ip\", \"js\", \"r\", \"nm\", \"pt\", \"tsv\","
                + " \"bas\", \"moods\", \"mo\", \"pos\", \"bits\"";
        String view = JobHarness.migration(2, "othersv", "othersv", "others", columns, "[membership]\nmode = \"view\"")
                .replace("table = \"others\"", "view = \"others_v\"");
        try (JobHarness h = new JobHarness(
                db,
                tpuf.baseUrl(),
                "others",
                JobHarness.migration(1, "others", "others", "others", columns, ""),
                view)) {
            h.start(JobRunner.Options.defaults().withCreateSlot(true));
            db.execute("INSERT INTO others SELECT 2, iv * 2, '23:30-01', 'sad', ip, js, r, nm, pt, tsv, bas, moods, mo,"
                    + " pos, bits FROM others WHERE id = 1");
            await().atMost(WAIT).untilAsserted(() -> {
                assertThat(h.documents("others")).containsOnlyKeys(1L, 2L);
                assertThat(h.documents("othersv")).containsOnlyKeys(1L, 2L);
            });
            Map<Object, Map<String, Object>> fromChanges = h.documents("others");
            assertThat(fromChanges.get(1L))
                    .containsEntry("iv", "P1Y2M3DT4H5M6.5S")
                    .containsEntry("tz", "08:00:00Z")
                    .containsEntry("e", "happy")
                    .containsEntry("ip", "10.0.0.1")
                    .containsEntry("r", "[1,5)");
            assertThat(fromChanges.get(2L))
                    .containsEntry("iv", "P2Y4M6DT8H10M13S")
                    .containsEntry("tz", "00:30:00Z")
                    // what Debezium alone gets wrong: NULL, a struct, left out (PgTextConverter)
                    .containsEntry("nm", "a name")
                    .containsEntry("pt", "(1.5,2)")
                    .containsEntry("tsv", "'a' 'cat' 'fat'")
                    .containsEntry("bas", List.of("AQI="))
                    .containsEntry("moods", List.of("happy", "sad"))
                    .containsEntry("mo", "1234.56")
                    .containsEntry("pos", 7)
                    .containsEntry("bits", "1010");
            // the row written by the initial fill (read through JDBC) is the same but for the id and two columns
            Map<String, Object> filled = new java.util.TreeMap<>(fromChanges.get(1L));
            Map<String, Object> streamed = new java.util.TreeMap<>(fromChanges.get(2L));
            for (String differs : List.of("id", "iv", "tz", "e", "__source_lsn")) {
                filled.remove(differs);
                streamed.remove(differs);
            }
            assertThat(filled).isEqualTo(streamed);
            Map<Object, Map<String, Object>> fromLookups = h.documents("othersv");
            for (long id : new long[] {1, 2}) {
                Map<String, Object> a = new java.util.TreeMap<>(fromChanges.get(id));
                Map<String, Object> b = new java.util.TreeMap<>(fromLookups.get(id));
                a.remove("__source_lsn");
                b.remove("__source_lsn");
                assertThat(b).as("id " + id + " through a lookup").isEqualTo(a);
            }
        }
    }

    @Test
    void viewMembershipFollowsTheViewThroughItsBaseTable() throws Exception {
        db.execute(
                "CREATE TABLE docs (id bigint PRIMARY KEY, title text, visible boolean)",
                "CREATE VIEW visible_docs AS SELECT id, upper(title) AS title FROM docs WHERE visible",
                "INSERT INTO docs VALUES (1, 'a', true), (2, 'b', false)");
        String migration = JobHarness.migration(
                        1, "vis", "vis", "docs", "\"id\", \"title\"", "[membership]\nmode = \"view\"")
                .replace("table = \"docs\"", "view = \"visible_docs\"");
        try (JobHarness h = new JobHarness(db, tpuf.baseUrl(), "vis", migration)) {
            h.start(JobRunner.Options.defaults().withCreateSlot(true));
            await().atMost(WAIT)
                    .untilAsserted(() -> assertThat(h.documents("vis")).containsOnlyKeys(1L));
            db.execute(
                    "UPDATE docs SET visible = true WHERE id = 2",
                    "UPDATE docs SET visible = false WHERE id = 1",
                    "INSERT INTO docs VALUES (3, 'c', true)",
                    "UPDATE docs SET title = 'c2' WHERE id = 3");
            await().atMost(WAIT).untilAsserted(() -> {
                Map<Object, Map<String, Object>> docs = h.documents("vis");
                assertThat(docs).containsOnlyKeys(2L, 3L);
                assertThat(docs.get(2L)).containsEntry("title", "B"); // the view's row, not the table's
                assertThat(docs.get(3L)).containsEntry("title", "C2");
            });
        }
    }

    @Test
    void lookupMembershipAsksPostgres() throws Exception {
        db.execute(
                "CREATE TABLE orgs (id bigint PRIMARY KEY, active boolean)",
                "CREATE TABLE items (id bigint PRIMARY KEY, org_id bigint, title text)",
                "INSERT INTO orgs VALUES (1, true), (2, false)",
                "INSERT INTO items VALUES (1, 1, 'x'), (2, 2, 'y')");
        String sql = "SELECT 1 FROM items i JOIN orgs o ON o.id = i.org_id WHERE i.id = $1 AND o.active";
        try (JobHarness h = new JobHarness(
                db,
                tpuf.baseUrl(),
                "look",
                JobHarness.migration(
                        1,
                        "look",
                        "look",
                        "items",
                        "\"id\", \"org_id\", \"title\"",
                        "[membership]\nmode = \"lookup\"\nsql = \"" + sql + "\""))) {
            h.start(JobRunner.Options.defaults().withCreateSlot(true));
            await().atMost(WAIT)
                    .untilAsserted(() -> assertThat(h.documents("look")).containsOnlyKeys(1L));
            db.execute(
                    "UPDATE items SET org_id = 1 WHERE id = 2",
                    "UPDATE items SET org_id = 2 WHERE id = 1",
                    "INSERT INTO items VALUES (3, 1, 'z')");
            await().atMost(WAIT)
                    .untilAsserted(() -> assertThat(h.documents("look")).containsOnlyKeys(2L, 3L));
        }
    }

    @Test
    void everyIdentityTypeArrivesWithTheRightValue() throws Exception {
        String columns = "id bigint PRIMARY KEY, i2 int2, i4 int4, i8 int8, num numeric(12,3), f4 real, f8 float8,"
                + " ok boolean, t text, vc varchar(20), u uuid, ts timestamp, tstz timestamptz, d date, j jsonb,"
                + " tags text[], nums int4[], blob bytea";
        String row = "1, 2, 4, 8000000000, 123.456, 1.5, 2.25, true, 'text', 'varchar',"
                + " 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '2024-05-01 10:15:30.123456', '2024-05-01 12:15:30.5+02',"
                + " '2024-05-01', '{\"lang\": \"en\"}', ARRAY['a','b'], ARRAY[1,2,3], '\\x010203'";
        db.execute("CREATE TABLE typed (" + columns + ")", "INSERT INTO typed VALUES (" + row + ")");
        String names = "\"id\", \"i2\", \"i4\", \"i8\", \"num\", \"f4\", \"f8\", \"ok\", \"t\", \"vc\", \"u\", \"ts\","
                + " \"tstz\", \"d\", \"j\", \"tags\", \"nums\", \"blob\"";
        try (JobHarness h = new JobHarness(
                db, tpuf.baseUrl(), "typed", JobHarness.migration(1, "typed", "typed", "typed", names, ""))) {
            h.start(JobRunner.Options.defaults().withCreateSlot(true));
            await().atMost(WAIT)
                    .untilAsserted(() -> assertThat(h.documents("typed")).containsKey(1L));
            db.execute("INSERT INTO typed SELECT 2, i2, i4, i8, num, f4, f8, ok, t, vc, u, ts, tstz, d, j, tags, nums,"
                    + " blob FROM typed WHERE id = 1");
            await().atMost(WAIT)
                    .untilAsserted(() -> assertThat(h.documents("typed")).containsKey(2L));
            Map<Object, Map<String, Object>> docs = h.documents("typed");
            Map<String, Object> snapshot = docs.get(1L);
            Map<String, Object> streamed = docs.get(2L);
            snapshot.remove("__source_lsn");
            streamed.remove("__source_lsn");
            assertThat(streamed)
                    .as("snapshot and streaming give the same document")
                    .isEqualTo(snapshot);
            assertThat(snapshot.toString())
                    .isEqualTo("{blob=AQID, d=2024-05-01T00:00:00Z, f4=1.5, f8=2.25, i2=2, i4=4, i8=8000000000,"
                            + " j={\"lang\": \"en\"}, num=123.456, nums=[1, 2, 3], ok=true, t=text, tags=[a, b],"
                            + " ts=2024-05-01T10:15:30.123456Z, tstz=2024-05-01T10:15:30.500Z,"
                            + " u=a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11, vc=varchar}");
            // types JSON cannot carry are declared: datetime and uuid, and the LSN as uint
            com.fasterxml.jackson.databind.JsonNode schema = h.client().schema("typed");
            assertThat(schema.path("ts").path("type").asText()).isEqualTo("datetime");
            assertThat(schema.path("tstz").path("type").asText()).isEqualTo("datetime");
            assertThat(schema.path("d").path("type").asText()).isEqualTo("datetime");
            assertThat(schema.path("u").path("type").asText()).isEqualTo("uuid");
            assertThat(schema.path("__source_lsn").path("type").asText()).isEqualTo("uint");
            assertThat(schema.path("i8").path("type").asText()).isEqualTo("int");
        }
    }
}
