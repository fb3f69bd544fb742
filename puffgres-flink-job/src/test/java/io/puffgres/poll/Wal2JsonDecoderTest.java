package io.puffgres.poll;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.puffgres.event.Op;
import io.puffgres.event.PgType;
import io.puffgres.event.RelationId;
import io.puffgres.event.RowEvent;
import io.puffgres.event.Unavailable;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link Wal2JsonDecoder} on literal wal2json lines. */
class Wal2JsonDecoderTest {

    static final RelationId T = new RelationId("public", "t");

    /** Columns of {@code public.t}: id (key), n numeric, big text. */
    static final TableColumns COLUMNS = table -> table.equals(T)
            ? List.of(
                    new TableColumns.Column("id", PgType.of("int4"), PgType.of("int4"), true, false),
                    new TableColumns.Column("n", PgType.of("numeric")),
                    new TableColumns.Column("big", PgType.of("text")))
            : null;

    static final String BEGIN = "{\"action\":\"B\",\"xid\":726,\"timestamp\":\"2026-12-06 19:57:29.669763+00\","
            + "\"lsn\":\"0/1528790\",\"nextlsn\":\"0/15287C0\"}";

    private final Wal2JsonDecoder decoder = new Wal2JsonDecoder(COLUMNS);

    @Test
    void decodesAnInsertWithTheTransactionOfItsBegin() {
        assertThat(decoder.decode(1, BEGIN)).isNull();
        RowEvent e = decoder.decode(
                0x1528618L,
                "{\"action\":\"I\",\"xid\":726,\"lsn\":\"0/1528618\",\"schema\":\"public\",\"table\":\"t\",\"columns\":["
                        + "{\"name\":\"id\",\"type\":\"integer\",\"value\":1},"
                        + "{\"name\":\"n\",\"type\":\"numeric\",\"value\":123456789012345678901234567890.50},"
                        + "{\"name\":\"big\",\"type\":\"text\",\"value\":null}]}");
        assertThat(e.op()).isEqualTo(Op.INSERT);
        assertThat(e.relation()).isEqualTo(T);
        assertThat(e.lsn()).isEqualTo(0x1528618L);
        assertThat(e.txId()).isEqualTo(726);
        assertThat(e.commitTime()).isEqualTo(Instant.parse("2026-12-06T19:57:29.669Z"));
        assertThat(e.after().values())
                .containsExactlyEntriesOf(
                        orderedMap("id", 1L, "n", new BigDecimal("123456789012345678901234567890.50"), "big", null));
    }

    @Test
    void marksAColumnAnUpdateLeavesOutAsUnavailable() {
        decoder.decode(1, BEGIN);
        RowEvent e = decoder.decode(
                2,
                "{\"action\":\"U\",\"xid\":726,\"schema\":\"public\",\"table\":\"t\",\"columns\":["
                        + "{\"name\":\"id\",\"type\":\"integer\",\"value\":1},"
                        + "{\"name\":\"n\",\"type\":\"numeric\",\"value\":2}],"
                        + "\"identity\":[{\"name\":\"id\",\"type\":\"integer\",\"value\":1}]}");
        assertThat(e.op()).isEqualTo(Op.UPDATE);
        assertThat(e.before()).isNull(); // the key did not change: Postgres logged no old key
        assertThat(e.after().get("big")).isSameAs(Unavailable.VALUE);
        assertThat(e.after().type("big")).isEqualTo(PgType.of("text"));
    }

    @Test
    void givesAnUpdateOfTheKeyAsADeleteAndAnInsert() {
        decoder.decode(1, BEGIN);
        RowEvent delete = decoder.decode(
                2,
                "{\"action\":\"U\",\"xid\":726,\"schema\":\"public\",\"table\":\"t\",\"columns\":["
                        + "{\"name\":\"id\",\"type\":\"integer\",\"value\":2},"
                        + "{\"name\":\"n\",\"type\":\"numeric\",\"value\":2},"
                        + "{\"name\":\"big\",\"type\":\"text\",\"value\":\"b\"}],"
                        + "\"identity\":[{\"name\":\"id\",\"type\":\"integer\",\"value\":1}]}");
        assertThat(delete.op()).isEqualTo(Op.DELETE);
        assertThat(delete.before().values()).containsExactlyEntriesOf(orderedMap("id", 1L, "n", null, "big", null));
        RowEvent insert = decoder.pending();
        assertThat(insert.op()).isEqualTo(Op.INSERT);
        assertThat(insert.after().get("id")).isEqualTo(2L);
        assertThat(decoder.pending()).isNull();
    }

    @Test
    void skipsTablesNotFollowedMessagesAndCommits() {
        decoder.decode(1, BEGIN);
        assertThat(decoder.decode(
                        2,
                        "{\"action\":\"I\",\"xid\":726,\"schema\":\"public\",\"table\":\"other\","
                                + "\"columns\":[{\"name\":\"id\",\"type\":\"integer\",\"value\":1}]}"))
                .isNull();
        assertThat(decoder.decode(
                        3,
                        "{\"action\":\"M\",\"xid\":726,\"transactional\":true,\"prefix\":\"p\","
                                + "\"content\":\"x\"}"))
                .isNull();
        String commit = "{\"action\":\"C\",\"xid\":726,\"lsn\":\"0/1528790\",\"nextlsn\":\"0/15287C0\"}";
        assertThat(Wal2JsonDecoder.isCommit(commit)).isTrue();
        assertThat(Wal2JsonDecoder.isCommit(BEGIN)).isFalse();
        assertThat(decoder.decode(4, commit)).isNull();
    }

    @Test
    void refusesMalformedJsonNamingTheLsn() {
        decoder.decode(1, BEGIN);
        assertThatThrownBy(() -> decoder.decode(
                        0x100000010L, "{\"action\":\"I\",\"schema\":\"public\",\"table\":\"t\",\"columns\":[{"))
                .isInstanceOf(Wal2JsonException.class)
                .hasMessageStartingWith("wal2json change at LSN 1/10 is not valid JSON");
    }

    @Test
    void refusesAnUnknownAction() {
        assertThatThrownBy(() -> decoder.decode(16, "{\"action\":\"X\"}"))
                .isInstanceOf(Wal2JsonException.class)
                .hasMessageContaining("at LSN 0/10 has the unknown action \"X\"");
    }

    @Test
    void refusesAChangeWithoutBegin() {
        assertThatThrownBy(() ->
                        decoder.decode(16, "{\"action\":\"U\",\"schema\":\"public\",\"table\":\"t\",\"columns\":[]}"))
                .isInstanceOf(Wal2JsonException.class)
                .hasMessageContaining("at LSN 0/10 is a change (\"U\") outside a transaction");
    }

    @Test
    void refusesAValueThatIsNotOfItsType() {
        decoder.decode(1, BEGIN);
        assertThatThrownBy(() -> decoder.decode(
                        16,
                        "{\"action\":\"I\",\"schema\":\"public\",\"table\":\"t\",\"columns\":["
                                + "{\"name\":\"id\",\"type\":\"integer\",\"value\":\"one\"}]}"))
                .isInstanceOf(Wal2JsonException.class)
                .hasMessageContaining("has column id whose value is not a int4");
    }

    @Test
    void escapesTableNamesForAddTables() {
        List<String> options =
                Wal2JsonDecoder.options(List.of(new RelationId("public", "t"), new RelationId("my schema", "a.b,c*")));
        assertThat(options).containsSubsequence("format-version", "2");
        assertThat(options).endsWith("add-tables", "public.t,my\\ schema.a\\.b\\,c\\*");
    }

    private static Map<String, Object> orderedMap(Object... kv) {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }
}
