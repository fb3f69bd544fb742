package io.puffgres.lookup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.puffgres.event.Op;
import io.puffgres.event.PgType;
import io.puffgres.event.RelationId;
import io.puffgres.event.Row;
import io.puffgres.event.RowEvent;
import io.puffgres.job.JobSpec;
import io.puffgres.job.MappedEvent;
import io.puffgres.source.ChangeEventDeserializer;
import io.puffgres.testkit.PostgresCluster;
import io.puffgres.testkit.ProjectFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.functions.async.AsyncFunction;
import org.apache.flink.streaming.api.operators.async.AsyncWaitOperatorFactory;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link RowLookup} in Flink's operator test harness against a real Postgres: changes keep their order around a
 * running lookup (and pass straight through when none runs), a barrier waits for the lookups, a failed lookup fails
 * with the id and mapping, and a checkpoint of Flink's async operator, which this stage was before, is sent on.
 */
class RowLookupIT {

    private static final RelationId ITEMS = new RelationId("public", "items");
    private static final String TABLE_SQL = RowLookup.quote(ITEMS);
    private static final Instant NOW = Instant.ofEpochMilli(1_700_000_000_000L);

    private static PostgresCluster pg;
    private static String db;

    @BeforeAll
    static void database() throws Exception {
        pg = PostgresCluster.shared();
        db = pg.createDatabase("lookup");
        try (Connection c = pg.connect(db);
                Statement s = c.createStatement()) {
            s.execute("CREATE TABLE items (id bigint PRIMARY KEY, title text, body text)");
            s.execute("INSERT INTO items VALUES (1, 'A', 'the stored body')");
        }
    }

    @AfterAll
    static void drop() {
        pg.dropDatabase(db);
    }

    /** A project of one identity mapping of {@code items(id, title, body)}; {@code rest} follows its [write]. */
    private static JobSpec spec(String rest) throws Exception {
        Path dir = Files.createTempDirectory("puffgres-lookup");
        ProjectFiles.writeConfig(dir, pg.jdbcUrl(db), "s", "p", "http://127.0.0.1:1", 1000);
        Files.writeString(
                dir.resolve("puffgres/migrations/0001_items.toml"),
                ProjectFiles.migration(1, "items", "items", "items", "\"id\", \"title\", \"body\"", rest));
        return new JobSpec(dir.toString(), 1, "s", Map.of("items", 1), false);
    }

    private static OneInputStreamOperatorTestHarness<MappedEvent, MappedEvent> open(JobSpec spec) throws Exception {
        var h = new OneInputStreamOperatorTestHarness<>(new RowLookup(spec, "items", TABLE_SQL, 2));
        h.setup(MappedEvent.Serializer.INSTANCE);
        h.open();
        return h;
    }

    private static MappedEvent change(long id, String title, String body, long lsn) {
        Row row = Row.builder()
                .put("id", "int8", id)
                .put("title", "text", title)
                .put("body", "text", body)
                .build();
        return new MappedEvent(
                Long.toString(id), MappedEvent.Kind.CHANGE, new RowEvent(Op.UPDATE, ITEMS, null, row, lsn, 7, NOW));
    }

    private static MappedEvent delete(long id, long lsn) {
        Row row = Row.builder().put("id", "int8", id).build();
        return new MappedEvent(
                Long.toString(id), MappedEvent.Kind.DELETE, new RowEvent(Op.DELETE, ITEMS, row, null, lsn, 7, NOW));
    }

    @Test
    void changesWaitBehindARunningLookupInOrderAndPassStraightThroughWhenNoneRuns() throws Exception {
        try (var h = open(spec(""))) {
            MappedEvent plain = change(2, "B", "b", 20);
            h.processElement(new StreamRecord<>(plain));
            assertThat(h.extractOutputValues()).containsExactly(plain); // no lookup anywhere: straight on

            MappedEvent toasted = change(1, "A2", ChangeEventDeserializer.UNAVAILABLE, 30);
            MappedEvent after = change(3, "C", "c", 31);
            MappedEvent deleted = delete(2, 32);
            h.processElement(new StreamRecord<>(toasted));
            h.processElement(new StreamRecord<>(after));
            h.processElement(new StreamRecord<>(deleted));
            // a lookup's result is taken on the task thread only, so nothing behind it has gone on yet
            assertThat(h.extractOutputValues()).containsExactly(plain);

            h.prepareSnapshotPreBarrier(1); // the barrier waits for the lookup
            List<MappedEvent> out = h.extractOutputValues();
            assertThat(out).hasSize(4);
            assertThat(out.get(1).id()).isEqualTo("1");
            assertThat(out.get(1).event().after().get("title")).isEqualTo("A2"); // the change's own value
            assertThat(out.get(1).event().after().get("body")).isEqualTo("the stored body"); // filled from Postgres
            assertThat(out.subList(2, 4)).containsExactly(after, deleted);

            MappedEvent later = change(4, "D", "d", 40);
            h.processElement(new StreamRecord<>(later));
            assertThat(h.extractOutputValues()).hasSize(5).last().isEqualTo(later);
        }
    }

    @Test
    void aChangeWithoutAListedColumnGetsItFromTheRow() throws Exception {
        // as Postgres before 18 sends a change of a table with a generated column: without that column
        Row row = Row.builder().put("id", "int8", 1L).put("title", "text", "A3").build();
        MappedEvent partial =
                new MappedEvent("1", MappedEvent.Kind.CHANGE, new RowEvent(Op.UPDATE, ITEMS, null, row, 60, 7, NOW));
        try (var h = open(spec(""))) {
            h.processElement(new StreamRecord<>(partial));
            h.prepareSnapshotPreBarrier(1);
            assertThat(h.extractOutputValues()).singleElement().satisfies(e -> {
                assertThat(e.event().after().get("title")).isEqualTo("A3");
                assertThat(e.event().after().get("body")).isEqualTo("the stored body");
                assertThat(e.event().after().type("body")).isEqualTo(PgType.of("text"));
            });
        }
    }

    @Test
    void aRowGoneByTheLookupBecomesADelete() throws Exception {
        try (var h = open(spec(""))) {
            h.processElement(new StreamRecord<>(change(9, "gone", ChangeEventDeserializer.UNAVAILABLE, 50)));
            h.prepareSnapshotPreBarrier(1);
            assertThat(h.extractOutputValues())
                    .singleElement()
                    .satisfies(e -> assertThat(e.kind()).isEqualTo(MappedEvent.Kind.DELETE))
                    .satisfies(e -> assertThat(e.id()).isEqualTo("9"));
        }
    }

    @Test
    void aFailedLookupFailsTheTaskNamingTheIdAndMapping() throws Exception {
        String lookupOfAMissingTable = "[membership]\nmode = \"lookup\"\nsql = \"SELECT 1 FROM missing WHERE id = $1\"";
        try (var h = open(spec(lookupOfAMissingTable))) {
            h.processElement(new StreamRecord<>(change(1, "A", "a", 60)));
            assertThatThrownBy(() -> h.prepareSnapshotPreBarrier(1))
                    .hasMessageContaining("lookup of id 1 for mapping items failed")
                    .hasMessageContaining("missing");
            assertThat(h.extractOutputValues()).isEmpty();
        }
    }

    @Test
    void theChangesACheckpointOfFlinksAsyncOperatorHeldGoOnAfterARestore() throws Exception {
        MappedEvent first = change(5, "E", "e", 70);
        MappedEvent second = delete(6, 71);
        OperatorSubtaskState state;
        AsyncFunction<MappedEvent, MappedEvent> neverDone = (in, result) -> {};
        var factory = new AsyncWaitOperatorFactory<>(neverDone, 0, 256, AsyncDataStream.OutputMode.ORDERED);
        try (var old = new OneInputStreamOperatorTestHarness<>(factory, MappedEvent.Serializer.INSTANCE)) {
            old.open();
            old.processElement(new StreamRecord<>(first));
            old.processElement(new StreamRecord<>(second));
            state = old.snapshot(1, 1);
        }
        var h = new OneInputStreamOperatorTestHarness<>(
                new RowLookup(spec(""), "items", TABLE_SQL, 2), MappedEvent.Serializer.INSTANCE);
        try (h) {
            h.setup(MappedEvent.Serializer.INSTANCE);
            h.initializeState(state);
            h.open();
            assertThat(h.extractOutputValues()).containsExactly(first, second);
        }
    }
}
