package io.puffgres.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import io.puffgres.event.Op;
import io.puffgres.event.PgType;
import io.puffgres.event.RelationId;
import io.puffgres.event.RowEvent;
import io.puffgres.testkit.PostgresDatabase;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.flink.cdc.connectors.base.options.StartupOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.functions.sink.SinkFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The Flink CDC Postgres source (pgoutput, our publication) through our deserializer, in a local MiniCluster. */
class ChangeEventDeserializerIT {

    @RegisterExtension
    static final PostgresDatabase db = new PostgresDatabase();

    static final ConcurrentLinkedQueue<RowEvent> EVENTS = new ConcurrentLinkedQueue<>();

    /** Collects events into a static queue (the local MiniCluster runs in this JVM). */
    static final class Collect implements SinkFunction<RowEvent> {
        @Override
        public void invoke(RowEvent value, Context context) {
            EVENTS.add(value);
        }
    }

    /** Events of {@link #reportsTheTransactionIdOfEveryChange}, apart from the other test's. */
    static final ConcurrentLinkedQueue<RowEvent> TX_EVENTS = new ConcurrentLinkedQueue<>();

    static final class CollectTx implements SinkFunction<RowEvent> {
        @Override
        public void invoke(RowEvent value, Context context) {
            TX_EVENTS.add(value);
        }
    }

    /** Starts the source on {@code table} (snapshot, then {@code plugin}'s stream) in a MiniCluster, into {@code sink}. */
    private static JobClient start(
            String table, String slot, String publication, String plugin, SinkFunction<RowEvent> sink)
            throws Exception {
        return StreamFixture.start(db, List.of(table), slot, publication, plugin, StartupOptions.initial(), sink);
    }

    /** A fill row is ordered against a change by the change's transaction: both decoders must report it, exactly. */
    @ParameterizedTest
    @ValueSource(strings = {"pgoutput", "wal2json"})
    void reportsTheTransactionIdOfEveryChange(String plugin) throws Exception {
        String table = "tx_" + plugin;
        db.execute(
                "CREATE TABLE " + table + " (id bigint PRIMARY KEY, title text)",
                "INSERT INTO " + table + " VALUES (1, 'before the stream')",
                "CREATE PUBLICATION " + table + " FOR TABLE " + table);
        TX_EVENTS.clear();
        JobClient job = start("public." + table, table + "_slot", table, plugin, new CollectTx());
        long xid;
        try {
            await().atMost(Duration.ofSeconds(60))
                    .untilAsserted(() -> assertThat(TX_EVENTS).anyMatch(e -> e.op() == Op.READ));
            try (Connection c = db.connect()) {
                c.setAutoCommit(false);
                try (Statement st = c.createStatement()) {
                    st.execute("INSERT INTO " + table + " VALUES (2, 'two')");
                    st.execute("UPDATE " + table + " SET title = 'one' WHERE id = 1");
                    st.execute("DELETE FROM " + table + " WHERE id = 2");
                    try (ResultSet rs = st.executeQuery("SELECT txid_current()")) {
                        rs.next();
                        xid = rs.getLong(1);
                    }
                }
                c.commit();
            }
            await().atMost(Duration.ofSeconds(60))
                    .untilAsserted(() ->
                            assertThat(TX_EVENTS).extracting(RowEvent::op).contains(Op.INSERT, Op.UPDATE, Op.DELETE));
        } finally {
            job.cancel().get();
        }
        assertThat(TX_EVENTS)
                .filteredOn(e -> e.op() != Op.READ)
                .extracting(RowEvent::op, RowEvent::txId)
                .containsExactly(tuple(Op.INSERT, xid), tuple(Op.UPDATE, xid), tuple(Op.DELETE, xid));
    }

    @Test
    void deliversSnapshotAndStreamingChangesAsRowEvents() throws Exception {
        db.execute(
                "CREATE TABLE pages (id bigint PRIMARY KEY, title text, n int4, s int2, price numeric(10,2),"
                        + " ratio numeric, score float8, r real, ok boolean, uid uuid, born date, at timestamp,"
                        + " atz timestamptz, meta jsonb, tags text[], blob bytea)",
                "ALTER TABLE pages REPLICA IDENTITY FULL",
                "INSERT INTO pages (id, title) VALUES (1, 'snapshot row')",
                "CREATE PUBLICATION puffgres_it FOR TABLE pages");
        JobClient job = start("public.pages", "puffgres_it_slot", "puffgres_it", "pgoutput", new Collect());
        try {
            await().atMost(Duration.ofSeconds(60))
                    .untilAsserted(() -> assertThat(EVENTS).anyMatch(e -> e.op() == Op.READ));
            db.execute(
                    "INSERT INTO pages VALUES (2, 'hello', 42, 7, 12.50, 3.14159265358979323846, 0.5, 0.25, true,"
                            + " 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '2024-05-01', '2024-05-01 10:15:30.123456',"
                            + " '2024-05-01 12:15:30.5+02', '{\"lang\": \"en\"}', ARRAY['a','b'], '\\x010203')",
                    "UPDATE pages SET title = 'hello again' WHERE id = 2",
                    "DELETE FROM pages WHERE id = 1");
            await().atMost(Duration.ofSeconds(60))
                    .untilAsserted(() ->
                            assertThat(EVENTS).extracting(RowEvent::op).contains(Op.INSERT, Op.UPDATE, Op.DELETE));
        } finally {
            job.cancel().get();
        }
        RowEvent read =
                EVENTS.stream().filter(e -> e.op() == Op.READ).findFirst().orElseThrow();
        assertThat(read.relation()).isEqualTo(new RelationId("public", "pages"));
        assertThat(read.after().get("title")).isEqualTo("snapshot row");

        RowEvent insert =
                EVENTS.stream().filter(e -> e.op() == Op.INSERT).findFirst().orElseThrow();
        assertThat(insert.lsn()).isPositive();
        assertThat(insert.txId()).isPositive();
        var after = insert.after();
        assertThat(after.get("id")).isEqualTo(2L);
        assertThat(after.type("id")).isEqualTo(PgType.of("int8"));
        assertThat(after.get("n")).isEqualTo(42L);
        assertThat(after.type("n")).isEqualTo(PgType.of("int4"));
        assertThat(after.get("s")).isEqualTo(7L);
        assertThat(after.get("price")).isEqualTo(new BigDecimal("12.50"));
        assertThat(after.get("ratio")).isEqualTo(new BigDecimal("3.14159265358979323846"));
        assertThat(after.get("score")).isEqualTo(0.5);
        assertThat(after.get("r")).isEqualTo(0.25);
        assertThat(after.get("ok")).isEqualTo(true);
        assertThat(after.get("uid")).isEqualTo(UUID.fromString("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"));
        assertThat(after.type("uid")).isEqualTo(PgType.of("uuid"));
        assertThat(after.get("born")).isEqualTo(LocalDate.parse("2024-05-01"));
        assertThat(after.get("at")).isEqualTo(LocalDateTime.parse("2024-05-01T10:15:30.123456"));
        assertThat(after.get("atz")).isEqualTo(Instant.parse("2024-05-01T10:15:30.5Z"));
        assertThat(after.type("meta")).isEqualTo(PgType.of("jsonb"));
        assertThat(after.get("meta").toString()).contains("\"lang\"").contains("\"en\"");
        assertThat(after.get("tags")).isEqualTo(List.of("a", "b"));
        assertThat(after.type("tags")).isEqualTo(PgType.of("text[]"));
        assertThat((byte[]) after.get("blob")).containsExactly(1, 2, 3);

        RowEvent update =
                EVENTS.stream().filter(e -> e.op() == Op.UPDATE).findFirst().orElseThrow();
        assertThat(update.before().get("title")).isEqualTo("hello");
        assertThat(update.after().get("title")).isEqualTo("hello again");
        assertThat(update.lsn()).isGreaterThan(insert.lsn());
        RowEvent delete =
                EVENTS.stream().filter(e -> e.op() == Op.DELETE).findFirst().orElseThrow();
        assertThat(delete.before().get("id")).isEqualTo(1L);
        assertThat(delete.after()).isNull();
    }
}
