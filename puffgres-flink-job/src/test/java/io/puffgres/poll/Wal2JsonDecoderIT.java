package io.puffgres.poll;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.puffgres.event.RelationId;
import io.puffgres.event.RowEvent;
import io.puffgres.source.PostgresCdcSources;
import io.puffgres.testkit.PostgresCluster;
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
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.cdc.connectors.base.options.StartupOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
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
    @ValueSource(strings = {"pgoutput"})
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
        JobClient job = start(tables, streamSlot, publication, plugin);
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
        assertThat(differences(stream, polled)).isEmpty();
    }

    private static JobClient start(List<RelationId> tables, String slot, String publication, String plugin)
            throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(1);
        env.enableCheckpointing(1000);
        env.fromSource(
                        PostgresCdcSources.build(new PostgresCdcSources.Settings(
                                "127.0.0.1",
                                PostgresCluster.shared().port(),
                                db.name(),
                                "postgres",
                                "unused",
                                Map.of(),
                                tables.stream().map(RelationId::toString).toList(),
                                slot,
                                publication,
                                plugin,
                                StartupOptions.committed(),
                                Optional.empty())),
                        WatermarkStrategy.noWatermarks(),
                        "cdc")
                .addSink(new Collect(plugin));
        return env.executeAsync("decoder-it " + slot);
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

    private static List<String> rowDiff(String side, io.puffgres.event.Row a, io.puffgres.event.Row b) {
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
