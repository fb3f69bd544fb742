package io.puffgres.poll;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.puffgres.event.Op;
import io.puffgres.event.PgType;
import io.puffgres.event.RelationId;
import io.puffgres.event.Row;
import io.puffgres.event.RowEvent;
import io.puffgres.lookup.JdbcRows;
import io.puffgres.source.StreamFixture;
import io.puffgres.testkit.PostgresDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.flink.cdc.connectors.base.options.StartupOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.functions.sink.SinkFunction;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The poll source's decoder against the stream: one workload, read both by the Flink CDC source through {@link
 * io.puffgres.source.ChangeEventDeserializer} (as {@code source/ChangeEventDeserializerIT} runs it) and by {@link
 * Wal2JsonDecoder} from a wal2json slot created beside the stream's, must give equal event lists.
 */
class Wal2JsonDecoderIT {

    @RegisterExtension
    static final PostgresDatabase db = new PostgresDatabase();

    static final Map<String, ConcurrentLinkedQueue<RowEvent>> STREAMS = new ConcurrentHashMap<>();

    /** Collects the events of one plugin's stream (the local MiniCluster runs in this JVM). */
    static final class Collect implements SinkFunction<RowEvent> {
        private final String plugin;

        Collect(String plugin) {
            this.plugin = plugin;
        }

        @Override
        public void invoke(RowEvent value, Context context) {
            STREAMS.get(plugin).add(value);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"pgoutput", "wal2json"})
    void decodesTheSameEventsAsTheStream(String plugin) throws Exception {
        String p = plugin.substring(0, 3) + "_";
        Wal2JsonWorkload workload = new Wal2JsonWorkload(p);
        db.execute(workload.schema());
        List<RelationId> tables = workload.tables();
        String publication = p + "pub";
        db.execute("CREATE PUBLICATION " + publication + " FOR TABLE "
                + String.join(", ", tables.stream().map(RelationId::toString).toList()));
        String streamSlot = p + "stream";
        String pollSlot = p + "poll";
        // both slots start at the same WAL position: the stream reads from its slot's confirmed position
        db.execute(
                "SELECT pg_create_logical_replication_slot('" + streamSlot + "', '" + plugin + "')",
                "SELECT pg_create_logical_replication_slot('" + pollSlot + "', 'wal2json')");
        STREAMS.put(plugin, new ConcurrentLinkedQueue<>());
        JobClient job = StreamFixture.start(
                db,
                tables.stream().map(RelationId::toString).toList(),
                streamSlot,
                publication,
                plugin,
                StartupOptions.committed(),
                new Collect(plugin));
        try {
            db.execute(workload.statements());
            await().atMost(Duration.ofSeconds(90))
                    .untilAsserted(() -> assertThat(STREAMS.get(plugin))
                            .anyMatch(e -> e.relation().equals(workload.end())));
        } finally {
            job.cancel().get();
        }
        List<RowEvent> stream = new ArrayList<>(STREAMS.get(plugin));
        List<RowEvent> polled = poll(pollSlot, tables);
        assertThat(polled).as("events decoded").hasSizeGreaterThan(20);
        assertKnownDifferences(plugin, p, stream, polled);
        assertReadsAgreeWithTheLastChanges(p, polled);
        if (plugin.equals("wal2json")) {
            assertPluginDifferences(p, stream, polled);
            return;
        }
        assertThat(differences(
                        stream.stream()
                                .map(Wal2JsonDecoderIT::withoutKnownDifferences)
                                .toList(),
                        polled.stream()
                                .map(Wal2JsonDecoderIT::withoutKnownDifferences)
                                .toList()))
                .isEmpty();
    }

    /**
     * Where the poll source cannot or should not give what the stream gives (both stream plugins alike):
     * <ul>
     *   <li>float4/float8 NaN and ±Infinity: wal2json prints JSON null (they are no JSON numbers), so the poll source
     *       gives NULL; the WAL's value is lost before it reaches puffgres (numeric NaN is NULL in both).
     *   <li>{@code point} (and the other geometric types), {@code bit} and {@code varbit}: the stream marks them
     *       unavailable, so the job reads their text from the current row (PgTextConverter); the poll source has the
     *       text.
     * </ul>
     * What Debezium alone got wrong, the stream now gives as the poll source does: {@code name} (was NULL), arrays of
     * two dimensions (were lists of NULLs), {@code tsvector} and {@code bytea[]} (were left out).
     */
    private static void assertKnownDifferences(String plugin, String p, List<RowEvent> stream, List<RowEvent> polled) {
        RowEvent streamTypes = first(stream, p + "types", 1L);
        RowEvent polledTypes = first(polled, p + "types", 1L);
        assertThat(streamTypes.after().get("nm")).isEqualTo("nm");
        assertThat(polledTypes.after().get("nm")).isEqualTo("nm");
        // the stream over wal2json loses them as the poll source does
        assertThat(first(stream, p + "types", 6L).after().get("f8"))
                .isEqualTo(plugin.equals("pgoutput") ? Double.POSITIVE_INFINITY : null);
        assertThat(first(polled, p + "types", 6L).after().get("f8")).isNull();
        for (List<RowEvent> events : List.of(stream, polled)) {
            Row arrays = first(events, p + "arrays", 1L).after();
            assertThat(arrays.get("a_2d")).isEqualTo(List.of(List.of(1L, 2L), List.of(3L, 4L)));
            assertThat(comparable(arrays).get("a_ba")).isEqualTo(List.of("0102", ""));
            assertThat(first(events, p + "others", 1L).after().get("tsv")).isEqualTo("'a' 'cat' 'fat'");
        }
        for (String lookedUp : List.of("pt", "bt", "vb", "hs", "bx")) {
            assertThat(first(stream, p + "others", 1L).after().isUnavailable(lookedUp))
                    .isTrue();
        }
        assertThat(first(polled, p + "others", 1L).after().get("bt")).isEqualTo("1010");
        assertThat(first(polled, p + "others", 1L).after().get("vb")).isEqualTo("101");
        // an unchanged TOASTed array is marked as any unchanged TOASTed value (the stream over wal2json leaves it out)
        for (List<RowEvent> events : plugin.equals("pgoutput") ? List.of(stream, polled) : List.of(polled)) {
            assertThat(events.stream()
                            .filter(e -> e.relation().name().equals(p + "toasted") && e.op() == Op.UPDATE)
                            .map(e -> e.after().isUnavailable("arr"))
                            .toList())
                    .containsExactly(true, true);
        }
        assertThat(first(polled, p + "others", 1L).after().get("pt")).isEqualTo("(1.5,2)");
    }

    /**
     * What a lookup or a fill reads ({@link JdbcRows}, in a session of another time zone) equals, row by row, the
     * last change the poll source decoded of it (the stream's equal the poll source's, above).
     */
    private static void assertReadsAgreeWithTheLastChanges(String p, List<RowEvent> polled) throws Exception {
        try (Connection c = db.connect();
                Statement s = c.createStatement()) {
            s.execute("SET TimeZone = 'Asia/Kolkata'");
            for (String table : List.of(p + "types", p + "arrays", p + "others")) {
                Map<Object, Row> last = new java.util.HashMap<>();
                for (RowEvent e : polled) {
                    if (e.relation().name().equals(table)) {
                        if (e.op() == Op.DELETE) {
                            last.remove(e.before().get("id"));
                        } else {
                            last.put(e.after().get("id"), e.after());
                        }
                    }
                }
                int read = 0;
                try (ResultSet rs = s.executeQuery("SELECT * FROM " + table)) {
                    while (rs.next()) {
                        Row row = JdbcRows.read(rs);
                        Row changed = last.get(row.get("id"));
                        assertThat(changed).as(table + " " + row.get("id")).isNotNull();
                        assertThat(rowDiff(
                                        "row",
                                        byValue(changed, Set.of()),
                                        byValue(row.only(changed.columns()), Set.of())))
                                .as(table + " " + row.get("id"))
                                .isEmpty();
                        read++;
                    }
                }
                assertThat(read).as(table).isEqualTo(last.size()).isPositive();
            }
        }
    }

    /**
     * The stream over wal2json (Debezium's wal2json decoder) differs from the stream over pgoutput, which the poll
     * source follows: it gives no TRUNCATE, leaves an unchanged TOASTed column out of an UPDATE (instead of marking it
     * unavailable), gives an old image of the key (other columns NULL) with every UPDATE of a table with a key, carries
     * generated columns, gives float8 {@code -0} as 0 and a point as NULL, and its LSN of a change is at times that of
     * an earlier change of the transaction. The values of the rows inserted agree.
     */
    private static void assertPluginDifferences(String p, List<RowEvent> stream, List<RowEvent> polled) {
        assertThat(stream).noneMatch(e -> e.op() == Op.TRUNCATE);
        assertThat(polled).filteredOn(e -> e.op() == Op.TRUNCATE).hasSize(2);
        RowEvent streamToast = stream.stream()
                .filter(e -> e.relation().name().equals(p + "toasted") && e.op() == Op.UPDATE)
                .findFirst()
                .orElseThrow();
        assertThat(streamToast.after().has("big")).isFalse();
        assertThat(streamToast.before()).isNotNull();
        RowEvent polledToast = polled.stream()
                .filter(e -> e.relation().name().equals(p + "toasted") && e.op() == Op.UPDATE)
                .findFirst()
                .orElseThrow();
        assertThat(polledToast.after().isUnavailable("big")).isTrue();
        assertThat(polledToast.before()).isNull();
        assertThat(insertedValues(stream, p)).isEqualTo(insertedValues(polled, p));
    }

    /** The new rows of the INSERTs into the tables of many types, without what the two plugins give differently. */
    private static List<Row> insertedValues(List<RowEvent> events, String p) {
        Set<String> tables = Set.of(p + "types", p + "arrays", p + "others");
        List<Row> rows = new ArrayList<>();
        for (RowEvent e : events) {
            if (e.op() == Op.INSERT && tables.contains(e.relation().name())) {
                Row row = comparable(e.after());
                Row.Builder b = Row.builder();
                for (String c : row.columns()) {
                    Object v = row.get(c);
                    if (!c.equals("g")) {
                        b.put(c, row.type(c), v instanceof Double d && d == 0 ? (Object) 0.0 : v);
                    }
                }
                rows.add(b.build());
            }
        }
        return rows;
    }

    private static RowEvent first(List<RowEvent> events, String table, long id) {
        return events.stream()
                .filter(e -> e.relation().name().equals(table) && e.after() != null)
                .filter(e -> Long.valueOf(id).equals(e.after().get("id")))
                .findFirst()
                .orElseThrow();
    }

    /** {@code e} with the columns and values of {@link #assertKnownDifferences} out of the comparison. */
    private static RowEvent withoutKnownDifferences(RowEvent e) {
        return new RowEvent(
                e.op(), e.relation(), comparable(e.before()), comparable(e.after()), e.lsn(), e.txId(), e.commitTime());
    }

    /** {@link #byValue}, with the types the stream leaves to a lookup NULL. */
    static Row comparable(Row row) {
        return byValue(row, Set.of("point", "bit", "varbit", "hstore", "box"));
    }

    /** {@code row} with byte arrays as hex (also inside lists), so rows compare by value; NaN, ±Infinity NULL. */
    static Row byValue(Row row, Set<String> unmatchedTypes) {
        if (row == null) {
            return null;
        }
        Row.Builder b = Row.builder();
        for (String c : row.columns()) {
            Object v = row.get(c);
            PgType type = row.type(c);
            boolean unmatched =
                    (v instanceof Double d && (d.isNaN() || d.isInfinite())) || unmatchedTypes.contains(type.name());
            b.put(c, type, unmatched ? null : hex(v));
        }
        return b.build();
    }

    private static Object hex(Object v) {
        if (v instanceof byte[] bytes) {
            return java.util.HexFormat.of().formatHex(bytes);
        }
        return v instanceof List<?> list
                ? list.stream().map(Wal2JsonDecoderIT::hex).toList()
                : v;
    }

    /** Every change of the poll slot, decoded; in a session whose time zone has a half-hour offset. */
    private static List<RowEvent> poll(String slot, List<RelationId> tables) throws Exception {
        List<RowEvent> events = new ArrayList<>();
        try (Connection c = db.connect()) {
            try (Statement s = c.createStatement()) {
                s.execute("SET TimeZone = 'America/St_Johns'");
            }
            Wal2JsonDecoder decoder = new Wal2JsonDecoder(new CatalogColumns(() -> c, Set.copyOf(tables)));
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT lsn::text, data FROM pg_logical_slot_peek_changes(?, NULL, NULL, VARIADIC ?)")) {
                ps.setString(1, slot);
                ps.setArray(
                        2,
                        c.createArrayOf("text", Wal2JsonDecoder.options(tables).toArray()));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        RowEvent e = decoder.decode(lsn(rs.getString(1)), rs.getString(2));
                        if (e != null) {
                            events.add(e);
                            RowEvent second = decoder.pending();
                            if (second != null) {
                                events.add(second);
                            }
                        }
                    }
                }
            }
        }
        return events;
    }

    static long lsn(String text) {
        int slash = text.indexOf('/');
        return (Long.parseLong(text.substring(0, slash), 16) << 32) | Long.parseLong(text.substring(slash + 1), 16);
    }

    /** The events that differ, side by side, with what differs; empty when the lists are equal. */
    private static List<String> differences(List<RowEvent> stream, List<RowEvent> polled) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < Math.max(stream.size(), polled.size()); i++) {
            RowEvent a = i < stream.size() ? stream.get(i) : null;
            RowEvent b = i < polled.size() ? polled.get(i) : null;
            if (a == null || b == null || !a.equals(b)) {
                out.add("#" + i + " stream: " + describe(a) + "\n     poll:   " + describe(b) + "\n     " + what(a, b));
            }
        }
        return out;
    }

    private static String describe(RowEvent e) {
        return e == null
                ? "(none)"
                : e.op() + " " + e.relation() + " lsn=" + e.lsnText() + " tx=" + e.txId() + " at=" + e.commitTime()
                        + " before=" + e.before() + " after=" + e.after();
    }

    private static String what(RowEvent a, RowEvent b) {
        if (a == null || b == null) {
            return "";
        }
        List<String> d = new ArrayList<>();
        if (a.op() != b.op() || !a.relation().equals(b.relation())) {
            d.add("op/relation");
        }
        if (a.lsn() != b.lsn()) {
            d.add("lsn " + a.lsnText() + " vs " + b.lsnText());
        }
        if (a.txId() != b.txId()) {
            d.add("txId");
        }
        if (!a.commitTime().equals(b.commitTime())) {
            d.add("commitTime " + a.commitTime() + " vs " + b.commitTime());
        }
        d.addAll(rowDiff("before", a.before(), b.before()));
        d.addAll(rowDiff("after", a.after(), b.after()));
        return String.join("; ", d);
    }

    private static List<String> rowDiff(String side, Row a, Row b) {
        List<String> d = new ArrayList<>();
        if (a == null || b == null) {
            if (a != b) {
                d.add(side + " " + a + " vs " + b);
            }
            return d;
        }
        Set<String> names = new LinkedHashSet<>(a.columns());
        names.addAll(b.columns());
        for (String n : names) {
            if (!a.has(n) || !b.has(n)) {
                d.add(side + "." + n + " only in " + (a.has(n) ? "stream" : "poll"));
            } else if (!a.type(n).equals(b.type(n))) {
                d.add(side + "." + n + " type " + a.type(n) + " vs " + b.type(n));
            } else if (!java.util.Objects.deepEquals(a.get(n), b.get(n))) {
                d.add(side + "." + n + " " + show(a.get(n)) + " vs " + show(b.get(n)));
            }
        }
        return d;
    }

    private static String show(Object v) {
        if (v == null) {
            return "null";
        }
        String s = v instanceof byte[] bytes ? java.util.HexFormat.of().formatHex(bytes) : v.toString();
        return s + " (" + v.getClass().getSimpleName() + ")";
    }
}
