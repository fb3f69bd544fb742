package io.puffgres.sink;

import io.puffgres.dlq.DlqEntry;
import io.puffgres.event.Op;
import io.puffgres.event.RelationId;
import io.puffgres.event.Row;
import io.puffgres.event.RowEvent;
import io.puffgres.pipeline.MappedEvent;
import io.puffgres.stream.JobSpec;
import io.puffgres.testkit.ProjectFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.contrib.streaming.state.EmbeddedRocksDBStateBackend;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;

/**
 * {@link MappingWriter}s in Flink's operator test harness (RocksDB keyed state, the harness's mailbox and processing
 * time) against one {@link FakeTurbopuffer}, for a project of one mapping {@code items} of table {@code public.items}
 * into namespace {@code items}; {@link #close()} closes them all.
 */
final class WriterHarness implements AutoCloseable {

    static final RelationId ITEMS = new RelationId("public", "items");
    static final int MAX_PARALLELISM = 128;
    private static final Instant COMMITTED = Instant.ofEpochMilli(1_700_000_000_000L);

    final FakeTurbopuffer tpuf;
    private final List<KeyedOneInputStreamOperatorTestHarness<String, MappedEvent, DlqEntry>> harnesses =
            new ArrayList<>();

    WriterHarness() throws Exception {
        tpuf = new FakeTurbopuffer();
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
        ProjectFiles.writeConfig(dir, "jdbc:postgresql://127.0.0.1:1/unused", "s", "p", tpuf.baseUrl(), 1000);
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
        var h = new KeyedOneInputStreamOperatorTestHarness<>(
                new MappingWriter(spec, "items"), MappedEvent::id, Types.STRING, MAX_PARALLELISM, subtasks, index);
        h.setStateBackend(new EmbeddedRocksDBStateBackend());
        harnesses.add(h);
        if (restore != null) {
            h.initializeState(restore);
        }
        h.open();
        return h;
    }

    /** An UPDATE of {@code row}'s id to {@code row}. */
    static MappedEvent change(Row row, long lsn) {
        return new MappedEvent(
                String.valueOf(row.get("id")),
                MappedEvent.Kind.CHANGE,
                new RowEvent(Op.UPDATE, ITEMS, null, row, lsn, 7, COMMITTED));
    }

    static MappedEvent upsert(long id, String title, long lsn) {
        return change(
                Row.builder().put("id", "int8", id).put("title", "text", title).build(), lsn);
    }

    static MappedEvent delete(long id, long lsn) {
        Row row = Row.builder().put("id", "int8", id).build();
        return new MappedEvent(
                Long.toString(id),
                MappedEvent.Kind.DELETE,
                new RowEvent(Op.DELETE, ITEMS, row, null, lsn, 7, COMMITTED));
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

    @Override
    public void close() throws Exception {
        for (var h : harnesses) {
            h.close();
        }
        tpuf.close();
    }
}
