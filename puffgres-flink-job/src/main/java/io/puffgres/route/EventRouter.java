package io.puffgres.route;

import io.puffgres.dlq.DlqEntry;
import io.puffgres.dlq.DlqSink;
import io.puffgres.dlq.EventJson;
import io.puffgres.document.DocIds;
import io.puffgres.event.Op;
import io.puffgres.event.Row;
import io.puffgres.event.RowEvent;
import io.puffgres.migration.Migration;
import io.puffgres.stream.JobSpec;
import io.puffgres.stream.MappedEvent;
import java.util.List;
import java.util.Set;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Picks the changes of one mapping's relation and gives each the document id it is about: INSERT, UPDATE and
 * snapshot rows become a {@link MappedEvent.Kind#CHANGE} of the new id (an UPDATE that changed the id first
 * deletes the old one), DELETE a delete of the old id, TRUNCATE a truncate of the mapping for every writer subtask.
 * A row whose id cannot be a turbopuffer id (NULL, negative, too long, missing from a DELETE's old row) goes to the
 * DLQ. Rows keep only the columns the mapping reads ({@link Migration#readColumns()}).
 */
public final class EventRouter extends ProcessFunction<RowEvent, MappedEvent> {

    private static final long serialVersionUID = 1L;

    /**
     * The writers' number of key groups, set rather than derived from the parallelism so that a TRUNCATE can be
     * addressed to every subtask (see {@link #truncateKeys}) and a restore at another parallelism keeps the keyed state.
     * 128 is what Flink derives for parallelism up to 85, so checkpoints taken before it was set still restore.
     */
    public static final int MAX_PARALLELISM = 128;

    /** Where rows without a valid id go. */
    public static final OutputTag<DlqEntry> DLQ = new OutputTag<>("dlq") {};

    private final JobSpec spec;
    private final String mappingName;
    private final String schema;
    private final String table;

    private final int writerParallelism;

    private transient Migration migration;
    private transient Set<String> readColumns;
    private transient List<String> truncateKeys;

    /**
     * @param schema,table the relation whose changes drive the mapping (a view's base table)
     * @param writerParallelism the parallelism of the mapping's keyed writer, every subtask of which gets a TRUNCATE
     */
    public EventRouter(JobSpec spec, String mappingName, String schema, String table, int writerParallelism) {
        this.spec = spec;
        this.mappingName = mappingName;
        this.schema = schema;
        this.table = table;
        this.writerParallelism = writerParallelism;
    }

    @Override
    public void open(Configuration parameters) {
        migration = spec.mapping(mappingName);
        readColumns = migration.readColumns();
        truncateKeys = truncateKeys(writerParallelism);
    }

    /**
     * One key per writer subtask, in subtask order: a TRUNCATE is sent under each, so every subtask writes what it
     * buffered before the TRUNCATE and then deletes the documents older than it. (Under a single key, the other
     * subtasks would write their older buffered rows after the delete, bringing them back.)
     */
    static List<String> truncateKeys(int parallelism) {
        String[] keys = new String[parallelism];
        int found = 0;
        for (int n = 0; found < parallelism; n++) {
            String key = "truncate-" + n;
            int subtask = KeyGroupRangeAssignment.assignKeyToParallelOperator(key, MAX_PARALLELISM, parallelism);
            if (keys[subtask] == null) {
                keys[subtask] = key;
                found++;
            }
        }
        return List.of(keys);
    }

    @Override
    public void processElement(RowEvent e, Context ctx, Collector<MappedEvent> out) {
        if (!e.relation().name().equals(table) || !e.relation().schema().equals(schema)) {
            return;
        }
        // only the columns the mapping reads travel on: the transform and the DLQ never see the others
        RowEvent event = (e.op() == Op.READ && e.lsn() == 0 ? e.withLsn(spec.snapshotLsn()) : e).only(readColumns);
        switch (event.op()) {
            case TRUNCATE ->
                truncateKeys.forEach(key -> out.collect(new MappedEvent(key, MappedEvent.Kind.TRUNCATE, event)));
            case DELETE -> {
                String id = id(event, event.before(), ctx, "old row");
                if (id != null) {
                    out.collect(new MappedEvent(id, MappedEvent.Kind.DELETE, event));
                }
            }
            default -> {
                String id = id(event, event.after(), ctx, "new row");
                if (id == null) {
                    return;
                }
                Row before = event.before();
                String idColumn = migration.id().column();
                if (event.op() == Op.UPDATE && before != null && before.has(idColumn) && before.get(idColumn) != null) {
                    String oldId = id(event, before, ctx, "old row");
                    if (oldId != null && !oldId.equals(id)) {
                        out.collect(new MappedEvent(oldId, MappedEvent.Kind.DELETE, event));
                    }
                }
                out.collect(new MappedEvent(id, MappedEvent.Kind.CHANGE, event));
            }
        }
    }

    /**
     * The document id in {@code row}, the {@code which} ("new row", "old row") image of {@code e}, or why there is
     * none (no id column in the image, a value that cannot be a turbopuffer id).
     */
    public static DocIds.Result idOf(Migration migration, RowEvent e, Row row, String which) {
        String column = migration.id().column();
        if (row == null || !row.has(column)) {
            return new DocIds.Result.Invalid("the " + which + " of " + e.op() + " has no id column \"" + column
                    + "\"; the table's REPLICA IDENTITY must cover it (ALTER TABLE " + e.relation()
                    + " REPLICA IDENTITY FULL, or a key including the column)");
        }
        return DocIds.from(migration.id().type(), column, row.get(column));
    }

    private String id(RowEvent e, Row row, Context ctx, String which) {
        DocIds.Result result = idOf(migration, e, row, which);
        if (result instanceof DocIds.Result.Ok ok) {
            return ok.id().toString();
        }
        String problem = ((DocIds.Result.Invalid) result).message();
        Object raw = row == null ? null : row.get(migration.id().column());
        DlqEntry entry = new DlqEntry(
                e.lsn(),
                migration.mappingName(),
                migration.version(),
                migration.namespace(),
                String.valueOf(raw),
                EventJson.encode(e),
                "id",
                problem,
                "");
        if (spec.strict()) {
            DlqSink.recordAndStop(spec, entry);
        }
        ctx.output(DLQ, entry);
        return null;
    }
}
