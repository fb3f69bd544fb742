package io.puffgres.pipeline;

import io.puffgres.document.DocIds;
import io.puffgres.event.Op;
import io.puffgres.event.Row;
import io.puffgres.event.RowEvent;
import io.puffgres.migration.Migration;
import io.puffgres.transform.FailureKind;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The first step of a mapping's pipeline: gives a change of the mapping's table the document id it is about. INSERT,
 * UPDATE and snapshot rows become a {@link MappedEvent.Kind#CHANGE} of the new id (an UPDATE that changed the id
 * first deletes the old one), DELETE a delete of the old id, TRUNCATE a truncate under each of the truncate keys. A
 * row whose id cannot be a turbopuffer id (NULL, negative, too long, missing from the image) is an {@link
 * FailureKind#ID} failure. Rows keep only the columns the mapping reads ({@link Migration#readColumns()}), so the
 * transform, the writer and the DLQ never see the others.
 *
 * <p>The stream's route stage, {@code puffgres dlq retry} and any other source of changes route with it. Immutable.
 */
public final class Router {

    private final Migration migration;
    private final Set<String> readColumns;
    private final long snapshotLsn;
    private final List<String> truncateKeys;

    /**
     * @param snapshotLsn the LSN given to snapshot rows that carry none (their source reads no WAL position)
     * @param truncateKeys the ids a TRUNCATE is sent under, one per writer subtask; none where a TRUNCATE is not
     *     applied
     */
    public Router(Migration migration, long snapshotLsn, List<String> truncateKeys) {
        this.migration = migration;
        this.readColumns = migration.readColumns();
        this.snapshotLsn = snapshotLsn;
        this.truncateKeys = List.copyOf(truncateKeys);
    }

    /** Routes {@code e}, a change of the mapping's table (for a view mapping: of its base table). */
    public Routing route(RowEvent e) {
        RowEvent event = (e.op() == Op.READ && e.lsn() == 0 ? e.withLsn(snapshotLsn) : e).only(readColumns);
        return switch (event.op()) {
            case TRUNCATE ->
                new Routing(
                        event,
                        truncateKeys.stream()
                                .map(key -> new MappedEvent(key, MappedEvent.Kind.TRUNCATE, event))
                                .toList(),
                        List.of());
            case DELETE -> one(event, event.before(), "old row", MappedEvent.Kind.DELETE);
            default -> change(event);
        };
    }

    private Routing one(RowEvent event, Row row, String which, MappedEvent.Kind kind) {
        DocIds.Result id = idOf(event, row, which);
        return id instanceof DocIds.Result.Ok ok
                ? new Routing(event, List.of(new MappedEvent(ok.id().toString(), kind, event)), List.of())
                : new Routing(event, List.of(), List.of(failure(row, (DocIds.Result.Invalid) id)));
    }

    /** INSERT, UPDATE, snapshot row: the new id's change, after the old id's delete when an UPDATE changed the id. */
    private Routing change(RowEvent event) {
        Row before = event.before();
        String idColumn = migration.id().column();
        if (event.op() != Op.UPDATE || before == null || before.get(idColumn) == null) {
            return one(event, event.after(), "new row", MappedEvent.Kind.CHANGE);
        }
        List<MappedEvent> changes = new ArrayList<>(2);
        List<Failure> failures = new ArrayList<>(0);
        DocIds.Result newId = idOf(event, event.after(), "new row");
        DocIds.Result oldId = idOf(event, before, "old row");
        String newText = newId instanceof DocIds.Result.Ok ok ? ok.id().toString() : null;
        if (oldId instanceof DocIds.Result.Ok old) {
            if (newText != null && !old.id().toString().equals(newText)) {
                changes.add(new MappedEvent(old.id().toString(), MappedEvent.Kind.DELETE, event));
            }
        } else if (newText != null) {
            failures.add(failure(before, (DocIds.Result.Invalid) oldId));
        }
        if (newText != null) {
            changes.add(new MappedEvent(newText, MappedEvent.Kind.CHANGE, event));
        } else {
            failures.add(failure(event.after(), (DocIds.Result.Invalid) newId));
        }
        return new Routing(event, changes, failures);
    }

    private Failure failure(Row row, DocIds.Result.Invalid invalid) {
        Object raw = row == null ? null : row.get(migration.id().column());
        return new Failure(FailureKind.ID, String.valueOf(raw), invalid.message(), "");
    }

    /**
     * The document id in {@code row}, the {@code which} ("new row", "old row") image of {@code e}, or why there is
     * none (no id column in the image, a value that cannot be a turbopuffer id).
     */
    private DocIds.Result idOf(RowEvent e, Row row, String which) {
        String column = migration.id().column();
        if (row == null || !row.has(column)) {
            return new DocIds.Result.Invalid("the " + which + " of " + e.op() + " has no id column \"" + column
                    + "\"; the table's REPLICA IDENTITY must cover it (ALTER TABLE " + e.relation()
                    + " REPLICA IDENTITY FULL, or a key including the column)");
        }
        return DocIds.from(migration.id().type(), column, row.get(column));
    }
}
