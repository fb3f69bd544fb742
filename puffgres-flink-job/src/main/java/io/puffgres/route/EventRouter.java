package io.puffgres.route;

import io.puffgres.dlq.DlqEntry;
import io.puffgres.dlq.DlqSink;
import io.puffgres.event.RowEvent;
import io.puffgres.migration.Migration;
import io.puffgres.pipeline.Failure;
import io.puffgres.pipeline.MappedEvent;
import io.puffgres.pipeline.Router;
import io.puffgres.pipeline.Routing;
import io.puffgres.stream.JobSpec;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * A mapping's route stage: picks the changes of the mapping's table from the source's stream and routes each with
 * the pipeline's {@link Router} (the document id, an UPDATE that changed the id, TRUNCATE for every writer subtask).
 * A row whose id cannot be a turbopuffer id goes to the DLQ side output ({@link #DLQ}).
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
    private transient Router router;

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
        router = new Router(migration, spec.snapshotLsn(), truncateKeys(writerParallelism));
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
        Routing routing = router.route(e);
        for (Failure failure : routing.failures()) {
            DlqEntry entry = DlqEntry.of(migration, routing.event(), failure);
            if (spec.strict()) {
                DlqSink.recordAndStop(spec, entry);
            }
            ctx.output(DLQ, entry);
        }
        for (MappedEvent change : routing.changes()) {
            out.collect(change);
        }
    }
}
