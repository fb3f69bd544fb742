package io.puffgres.sink;

import io.puffgres.client.ErrorPolicy;
import io.puffgres.client.Query;
import io.puffgres.client.TurbopufferClient;
import io.puffgres.client.TurbopufferException;
import io.puffgres.client.WriteRequest;
import io.puffgres.dlq.DlqEntry;
import io.puffgres.event.Op;
import io.puffgres.event.RelationId;
import io.puffgres.event.Row;
import io.puffgres.event.RowEvent;
import io.puffgres.event.Snapshot;
import io.puffgres.pipeline.MappedEvent;
import io.puffgres.stream.JobSpec;
import io.puffgres.stream.WriterMetric;
import io.puffgres.testkit.ProjectFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.contrib.streaming.state.EmbeddedRocksDBStateBackend;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.runtime.metrics.groups.InternalOperatorMetricGroup;
import org.apache.flink.runtime.metrics.groups.UnregisteredMetricGroups;
import org.apache.flink.runtime.metrics.util.InterceptingOperatorMetricGroup;
import org.apache.flink.runtime.operators.testutils.MockEnvironment;
import org.apache.flink.runtime.operators.testutils.MockEnvironmentBuilder;
import org.apache.flink.runtime.operators.testutils.MockInputSplitProvider;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.tasks.StreamTaskActionExecutor;
import org.apache.flink.streaming.runtime.tasks.mailbox.MailboxExecutorImpl;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;

/**
 * {@link MappingWriter}s in Flink's operator test harness (RocksDB keyed state, the harness's mailbox and processing
 * time) against one {@link FakeTurbopuffer} (or another turbopuffer, such as the emulator), for a project of one
 * mapping {@code items} of table {@code public.items} into namespace {@code items}; {@link #close()} closes them all.
 */
final class WriterHarness implements AutoCloseable {

    static final RelationId ITEMS = new RelationId("public", "items");
    static final int MAX_PARALLELISM = 128;
    private static final Instant COMMITTED = Instant.ofEpochMilli(1_700_000_000_000L);

    /** The fake turbopuffer written to; null when the writers write to {@link #baseUrl} of another. */
    final FakeTurbopuffer tpuf;

    private final String baseUrl;
    private final List<KeyedOneInputStreamOperatorTestHarness<String, MappedEvent, DlqEntry>> harnesses =
            new ArrayList<>();
    private final List<MockEnvironment> environments = new ArrayList<>();
    private final Map<Object, InterceptingOperatorMetricGroup> metrics = new IdentityHashMap<>();

    WriterHarness() throws Exception {
        tpuf = new FakeTurbopuffer();
        baseUrl = tpuf.baseUrl();
    }

    /** Writers to the turbopuffer at {@code baseUrl}, which the caller runs (the emulator: it applies conditions). */
    WriterHarness(String baseUrl) {
        tpuf = null;
        this.baseUrl = baseUrl;
    }

    /** An identity mapping of {@code items(id, title)}; {@code write} are the keys of its {@code [write]} table. */
    JobSpec spec(String write) throws Exception {
        return spec(write, "", "\"id\", \"title\"");
    }

    /**
     * A mapping of {@code columns} (a TOML list's contents), with more keys in the {@code [turbopuffer]} table of
     * {@code puffgres.toml}; {@code write} is TOML after the migration's {@code [write]} header (so it may add tables).
     */
    JobSpec spec(String write, String turbopuffer, String columns) throws Exception {
        Path dir = Files.createTempDirectory("puffgres-writer");
        ProjectFiles.writeConfig(dir, "jdbc:postgresql://127.0.0.1:1/unused", "s", "p", baseUrl, 1000);
        Path toml = dir.resolve("puffgres.toml");
        Files.writeString(toml, Files.readString(toml).replace("[turbopuffer]\n", "[turbopuffer]\n" + turbopuffer));
        Files.writeString(
                dir.resolve("puffgres/migrations/0001_items.toml"),
                ProjectFiles.migration(1, "items", "items", "items", columns, write));
        return new JobSpec(dir.toString(), 1, "s", Map.of("items", 1), false);
    }

    KeyedOneInputStreamOperatorTestHarness<String, MappedEvent, DlqEntry> open(
            JobSpec spec, OperatorSubtaskState restore) throws Exception {
        return open(spec, restore, 1, 0);
    }

    /** Subtask {@code index} of {@code subtasks}, with the job's number of key groups. */
    KeyedOneInputStreamOperatorTestHarness<String, MappedEvent, DlqEntry> open(
            JobSpec spec, OperatorSubtaskState restore, int subtasks, int index) throws Exception {
        return open(new MappingWriter(spec, "items"), restore, subtasks, index);
    }

    /** A writer of a mapping with a fill, whose stamp floor is {@code floor} (the WAL position when it opens). */
    KeyedOneInputStreamOperatorTestHarness<String, MappedEvent, DlqEntry> openFilling(
            JobSpec spec, OperatorSubtaskState restore, long floor) throws Exception {
        return open(new MappingWriter(spec, "items", () -> floor), restore, 1, 0);
    }

    private KeyedOneInputStreamOperatorTestHarness<String, MappedEvent, DlqEntry> open(
            MappingWriter writer, OperatorSubtaskState restore, int subtasks, int index) throws Exception {
        InterceptingOperatorMetricGroup operatorMetrics = new InterceptingOperatorMetricGroup();
        // as the harness builds its own environment, with a metric group that keeps the operator's metrics
        MockEnvironment env = new MockEnvironmentBuilder()
                .setTaskName("MockTask")
                .setManagedMemorySize(3 * 1024 * 1024)
                .setInputSplitProvider(new MockInputSplitProvider())
                .setBufferSize(1024)
                .setMaxParallelism(MAX_PARALLELISM)
                .setParallelism(subtasks)
                .setSubtaskIndex(index)
                .setMetricGroup(new UnregisteredMetricGroups.UnregisteredTaskMetricGroup() {
                    @Override
                    public InternalOperatorMetricGroup getOrAddOperator(OperatorID id, String name) {
                        return operatorMetrics;
                    }
                })
                .build();
        environments.add(env);
        var h = new Harness(writer, env);
        h.setStateBackend(new EmbeddedRocksDBStateBackend());
        harnesses.add(h);
        metrics.put(h, operatorMetrics);
        if (restore != null) {
            h.initializeState(restore);
        }
        h.open();
        return h;
    }

    /**
     * The keyed harness on an environment of ours (whose metric group keeps the operator's metrics). Given an operator
     * rather than a factory, the harness does not hand it the task's mailbox: that is done here, as Flink does.
     */
    private static final class Harness extends KeyedOneInputStreamOperatorTestHarness<String, MappedEvent, DlqEntry> {

        Harness(MappingWriter writer, MockEnvironment env) throws Exception {
            super(writer, MappedEvent::id, Types.STRING, env);
        }

        @Override
        public void setup(TypeSerializer<DlqEntry> outputSerializer) {
            super.setup(outputSerializer);
            ((MappingWriter) getOperator())
                    .setMailboxExecutor(
                            new MailboxExecutorImpl(getTaskMailbox(), 0, StreamTaskActionExecutor.IMMEDIATE));
        }
    }

    /** An UPDATE of {@code row}'s id to {@code row}. */
    static MappedEvent change(Row row, long lsn) {
        return change(row, lsn, 7);
    }

    /** An UPDATE of {@code row}'s id to {@code row} by transaction {@code txId}. */
    static MappedEvent change(Row row, long lsn, long txId) {
        return new MappedEvent(
                String.valueOf(row.get("id")),
                MappedEvent.Kind.CHANGE,
                new RowEvent(Op.UPDATE, ITEMS, null, row, lsn, txId, COMMITTED));
    }

    /** {@code row} as a fill read it in {@code snapshot}. */
    static MappedEvent filled(Row row, Snapshot snapshot) {
        return MappedEvent.filled(
                String.valueOf(row.get("id")),
                new RowEvent(Op.READ, ITEMS, null, row, snapshot.horizon(), -1, COMMITTED),
                snapshot);
    }

    /** A sweep's finding that id {@code id} has no member row in {@code snapshot}. */
    static MappedEvent absent(long id, Snapshot snapshot) {
        Row row = Row.builder().put("id", "int8", id).build();
        return MappedEvent.absent(
                Long.toString(id),
                new RowEvent(Op.DELETE, ITEMS, row, null, snapshot.horizon(), -1, COMMITTED),
                snapshot);
    }

    /** A row of {@code items(id, title, status)}. */
    static Row item(long id, String title, String status) {
        return Row.builder()
                .put("id", "int8", id)
                .put("title", "text", title)
                .put("status", "text", status)
                .build();
    }

    static MappedEvent upsert(long id, String title, long lsn) {
        return change(
                Row.builder().put("id", "int8", id).put("title", "text", title).build(), lsn);
    }

    static MappedEvent delete(long id, long lsn) {
        return delete(id, lsn, 7);
    }

    static MappedEvent delete(long id, long lsn, long txId) {
        Row row = Row.builder().put("id", "int8", id).build();
        return new MappedEvent(
                Long.toString(id),
                MappedEvent.Kind.DELETE,
                new RowEvent(Op.DELETE, ITEMS, row, null, lsn, txId, COMMITTED));
    }

    /** A TRUNCATE of the table at {@code lsn} by transaction {@code txId}, as the router sends it to one subtask. */
    static MappedEvent truncate(long lsn, long txId) {
        return new MappedEvent(
                "truncate",
                MappedEvent.Kind.TRUNCATE,
                new RowEvent(Op.TRUNCATE, ITEMS, null, null, lsn, txId, COMMITTED));
    }

    static void send(KeyedOneInputStreamOperatorTestHarness<String, MappedEvent, DlqEntry> h, MappedEvent e)
            throws Exception {
        h.processElement(new StreamRecord<>(e));
    }

    /** What the task does at a barrier: the operator prepares (flushes), then its state is snapshotted. */
    static OperatorSubtaskState checkpoint(
            KeyedOneInputStreamOperatorTestHarness<String, MappedEvent, DlqEntry> h, long id) throws Exception {
        h.prepareSnapshotPreBarrier(id);
        return h.snapshot(id, id);
    }

    static List<DlqEntry> dlq(KeyedOneInputStreamOperatorTestHarness<String, MappedEvent, DlqEntry> h) {
        return h.extractOutputValues();
    }

    /** The count of {@code metric}, a counter of {@code h}'s writer. */
    long count(KeyedOneInputStreamOperatorTestHarness<String, MappedEvent, DlqEntry> h, WriterMetric metric) {
        return ((Counter) metrics.get(h).get(metric.id())).getCount();
    }

    /**
     * Every document of namespace {@code items} in the turbopuffer at {@link #baseUrl}, by id (attributes without
     * {@code id}); a test writes fewer than a query's 1000.
     */
    Map<String, Map<String, Object>> documents() {
        try (TurbopufferClient client =
                new TurbopufferClient(baseUrl, Optional.empty(), ErrorPolicy.defaults(), Duration.ofSeconds(30))) {
            Map<String, Map<String, Object>> out = new TreeMap<>();
            Query all = Query.builder()
                    .rankBy(Query.RankBy.attribute("id", true))
                    .topK(1000)
                    .includeAllAttributes()
                    .build();
            for (Map<String, Object> row : client.query("items", all).rows()) {
                Map<String, Object> attributes = new TreeMap<>(row);
                attributes.remove("$dist");
                out.put(String.valueOf(attributes.remove("id")), attributes);
            }
            return out;
        } catch (TurbopufferException e) {
            if (e.status() == 404) {
                return Map.of();
            }
            throw e;
        }
    }

    /** Writes {@code request} to namespace {@code items} as another writer would (a namespace left behind). */
    void write(WriteRequest request) {
        try (TurbopufferClient client =
                new TurbopufferClient(baseUrl, Optional.empty(), ErrorPolicy.defaults(), Duration.ofSeconds(30))) {
            client.write("items", request);
        }
    }

    @Override
    public void close() throws Exception {
        for (var h : harnesses) {
            h.close();
        }
        for (MockEnvironment env : environments) {
            env.close();
        }
        if (tpuf != null) {
            tpuf.close();
        }
    }
}
