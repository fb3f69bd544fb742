package io.puffgres.poll;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import io.puffgres.event.Op;
import io.puffgres.event.RelationId;
import io.puffgres.event.Row;
import io.puffgres.event.RowEvent;
import io.puffgres.event.Unavailable;
import io.puffgres.pgtext.PgTimes;
import java.io.IOException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * Turns wal2json's format-version-2 output, one {@code data} value of {@code pg_logical_slot_*_changes} at a time, into
 * the {@link RowEvent}s the streaming source ({@link io.puffgres.source.ChangeEventDeserializer} over pgoutput) gives
 * for the same changes: the same op, relation, row images, values and types, change LSN, transaction id and commit
 * time (milliseconds, as Debezium's {@code ts_ms}). A column an UPDATE leaves out (an unchanged TOASTed value) is
 * {@link Unavailable#VALUE}, found missing against {@link TableColumns}.
 *
 * <p>Stateful across a transaction (its {@code B} gives the transaction id and commit time of the changes that follow)
 * and used by one thread. Reads each change with a streaming parser; {@code numeric} keeps its exact digits.
 */
public final class Wal2JsonDecoder {

    /** JSON as wal2json writes it: a numeric of any length, a text value of any size. */
    private static final JsonFactory JSON = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNumberLength(Integer.MAX_VALUE)
                    .maxStringLength(Integer.MAX_VALUE)
                    .maxNestingDepth(Integer.MAX_VALUE)
                    .build())
            .build();

    private final TableColumns tables;
    private final Row.Builder builder = Row.builder();
    private final RowParser rows = new RowParser();

    /** The current transaction's id; -1 outside a transaction. */
    private long xid = -1;

    private Instant commitTime;

    /** The relation of the previous change, reused while changes stay in one table. */
    private RelationId relation;

    /** The INSERT half of a key-changing UPDATE, until {@link #pending()} takes it. */
    private RowEvent pending;

    /** The LSN of the change last decoded again after its table's columns were refreshed. */
    private long refreshed = -1;

    public Wal2JsonDecoder(TableColumns columns) {
        this.tables = Objects.requireNonNull(columns, "columns");
    }

    /**
     * The options of pg_logical_slot_*_changes after (slot, upto_lsn, upto_nchanges), as name, value, name, value…:
     * format version 2 with transaction ids, commit timestamps, LSNs and column types, only {@code tables}.
     */
    public static List<String> options(Collection<RelationId> tables) {
        List<String> options = new ArrayList<>(List.of(
                "format-version", "2",
                "include-xids", "1",
                "include-timestamp", "1",
                "include-lsn", "1",
                "include-types", "1",
                "include-typmod", "1",
                "include-type-oids", "0",
                "include-pk", "0",
                "include-transaction", "1"));
        if (!tables.isEmpty()) {
            StringBuilder add = new StringBuilder();
            for (RelationId t : tables) {
                if (add.length() > 0) {
                    add.append(',');
                }
                add.append(escape(t.schema())).append('.').append(escape(t.name()));
            }
            options.add("add-tables");
            options.add(add.toString());
        }
        return List.copyOf(options);
    }

    /**
     * A name as wal2json's {@code add-tables} reads it: a backslash takes the next character literally, and the
     * list's separators (comma, whitespace), the schema/table dot, a leading {@code *} (any schema, any table) and the
     * backslash itself would otherwise mean something.
     */
    static String escape(String name) {
        StringBuilder b = new StringBuilder(name.length());
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '\\' || c == ',' || c == '.' || c == '*' || c == ' ' || (c >= '\t' && c <= '\r')) {
                b.append('\\');
            }
            b.append(c);
        }
        return b.toString();
    }

    /** Whether data is a commit ("action":"C"), cheaply (no full parse). */
    public static boolean isCommit(String data) {
        // wal2json writes the action first: {"action":"C",…
        return data.startsWith("{\"action\":\"C\"");
    }

    /**
     * One {@code data} value with its row's {@code lsn} column; the row change it carries, or null (B, C, M, a table not
     * followed).
     *
     * @throws Wal2JsonException naming the LSN and what was wrong: malformed JSON, an unknown action, a change outside
     *     a transaction, a value that is not of its column's type
     */
    public RowEvent decode(long lsn, String data) {
        try (JsonParser p = JSON.createParser(data)) {
            if (p.nextToken() != JsonToken.START_OBJECT
                    || p.nextToken() != JsonToken.FIELD_NAME
                    || !"action".equals(p.currentName())
                    || p.nextToken() != JsonToken.VALUE_STRING) {
                throw problem(lsn, "does not start with {\"action\": …}", data);
            }
            String action = p.getText();
            return switch (action) {
                case "B" -> begin(p, lsn, data);
                case "C" -> {
                    xid = -1;
                    commitTime = null;
                    yield null;
                }
                case "M" -> null;
                case "I" -> change(p, lsn, data, Op.INSERT);
                case "U" -> change(p, lsn, data, Op.UPDATE);
                case "D" -> change(p, lsn, data, Op.DELETE);
                case "T" -> change(p, lsn, data, Op.TRUNCATE);
                default -> throw problem(lsn, "has the unknown action \"" + action + "\"", data);
            };
        } catch (IOException e) {
            throw problem(lsn, "is not valid JSON (" + firstLine(e.getMessage()) + ")", data);
        }
    }

    private RowEvent begin(JsonParser p, long lsn, String data) throws IOException {
        long beginXid = -1;
        Instant time = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            if (field.equals("xid") && value == JsonToken.VALUE_NUMBER_INT) {
                beginXid = p.getLongValue();
            } else if (field.equals("timestamp") && value == JsonToken.VALUE_STRING) {
                time = commitTime(lsn, p.getText(), data);
            } else {
                p.skipChildren();
            }
        }
        if (beginXid < 0 || time == null) {
            throw problem(
                    lsn,
                    "is a BEGIN without \"xid\" or \"timestamp\" (options include-xids and include-timestamp)",
                    data);
        }
        xid = beginXid;
        commitTime = time;
        return null;
    }

    /** As the stream's {@code ts_ms}: milliseconds. */
    private static Instant commitTime(long lsn, String text, String data) {
        try {
            return PgTimes.timestamptz(text).truncatedTo(ChronoUnit.MILLIS);
        } catch (RuntimeException e) {
            throw problem(lsn, "has a commit timestamp that is not one: \"" + text + "\"", data);
        }
    }

    private RowEvent change(JsonParser p, long lsn, String data, Op op) throws IOException {
        if (xid < 0) {
            throw problem(
                    lsn,
                    "is a change (\"" + data.charAt(11) + "\") outside a transaction: no BEGIN (\"B\") came"
                            + " before it; read the slot from a transaction's start with include-transaction on",
                    data);
        }
        String schema = null;
        String table = null;
        RelationId r = null;
        List<TableColumns.Column> columns = null;
        RowParser.Image after = null;
        RowParser.Image identity = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            switch (field) {
                case "schema" -> schema = p.getText();
                case "table" -> table = p.getText();
                case "columns", "identity" -> {
                    if (columns == null) {
                        r = relation(lsn, schema, table, data);
                        columns = tables.columns(r);
                        if (columns == null) {
                            return null; // not followed
                        }
                    }
                    if (value != JsonToken.START_ARRAY) {
                        throw problem(lsn, "has \"" + field + "\" that is not an array", data);
                    }
                    boolean isColumns = field.equals("columns");
                    RowParser.Image image = rows.read(p, isColumns, columns, lsn, data);
                    if (isColumns) {
                        after = image;
                    } else {
                        identity = image;
                    }
                }
                default -> p.skipChildren();
            }
        }
        if (r == null) {
            r = relation(lsn, schema, table, data);
            columns = tables.columns(r);
            if (columns == null) {
                return null;
            }
        }
        if ((after != null && after.unknown()) || (identity != null && identity.unknown())) {
            if (refreshed != lsn) {
                refreshed = lsn; // the table was altered since its columns were read: read them again, once
                tables.refresh(r);
                return decode(lsn, data);
            }
        }
        return switch (op) {
            case INSERT ->
                event(Op.INSERT, r, null, require(after, "columns", lsn, data).row(builder), lsn);
            case UPDATE -> update(r, columns, identity, require(after, "columns", lsn, data), lsn);
            case DELETE -> event(Op.DELETE, r, padded(columns, require(identity, "identity", lsn, data)), null, lsn);
            default -> event(Op.TRUNCATE, r, null, null, lsn);
        };
    }

    private RowEvent event(Op op, RelationId r, Row before, Row after, long lsn) {
        return new RowEvent(op, r, before, after, lsn, xid, commitTime);
    }

    /**
     * An UPDATE as the stream gives it. Postgres logs the old identity (the key; every old column under REPLICA
     * IDENTITY FULL) only when the key changed or the identity is FULL; wal2json prints an identity either way (the new
     * key when none was logged), so an identity that is not every column and equals the new row's values is one
     * Postgres did not log: no old image. An UPDATE that changes the primary key is, in the stream (Debezium), a
     * DELETE of the old row and an INSERT of the new one at the same LSN: the INSERT waits in {@link #pending()}.
     */
    private RowEvent update(
            RelationId r,
            List<TableColumns.Column> columns,
            RowParser.Image identity,
            RowParser.Image after,
            long lsn) {
        Row newRow = withUnchangedToast(columns, after);
        if (identity == null) {
            return event(Op.UPDATE, r, null, newRow, lsn);
        }
        if (keyChanged(columns, identity, after)) {
            pending = event(Op.INSERT, r, null, newRow, lsn);
            return event(Op.DELETE, r, padded(columns, identity), null, lsn);
        }
        boolean full = identity.size() >= streamed(columns);
        if (!full && identity.sameValuesIn(after)) {
            return event(Op.UPDATE, r, null, newRow, lsn);
        }
        return event(Op.UPDATE, r, full ? identity.row(builder) : padded(columns, identity), newRow, lsn);
    }

    /** Whether the old identity holds the primary key and it differs from the new row's. */
    private static boolean keyChanged(
            List<TableColumns.Column> columns, RowParser.Image identity, RowParser.Image after) {
        boolean any = false;
        for (TableColumns.Column c : columns) {
            if (c.key()) {
                int old = identity.indexOf(c.name(), 0);
                int now = after.indexOf(c.name(), 0);
                if (old < 0 || now < 0) {
                    return false;
                }
                any |= !Objects.deepEquals(identity.value(old), after.value(now));
            }
        }
        return any;
    }

    /** The columns the stream carries: all but generated ones. */
    private static int streamed(List<TableColumns.Column> columns) {
        int n = 0;
        for (TableColumns.Column c : columns) {
            if (!c.generated()) {
                n++;
            }
        }
        return n;
    }

    /** An old image as the stream gives it: every column, those the identity lacks NULL. */
    private Row padded(List<TableColumns.Column> columns, RowParser.Image identity) {
        if (identity.size() >= streamed(columns)) {
            return identity.row(builder);
        }
        for (TableColumns.Column c : columns) {
            if (!c.generated()) {
                int at = identity.indexOf(c.name(), 0);
                builder.put(c.name(), at < 0 ? c.type() : identity.type(at), at < 0 ? null : identity.value(at));
            }
        }
        return builder.build();
    }

    /**
     * The second event of the change {@link #decode} read last, or null; taking it clears it. An UPDATE that changes
     * the primary key is, as the stream gives it, a DELETE of the old row (returned by {@code decode}) and then an
     * INSERT of the new one (this). Call after every {@code decode} that returned an event.
     */
    public RowEvent pending() {
        RowEvent e = pending;
        pending = null;
        return e;
    }

    private RelationId relation(long lsn, String schema, String table, String data) {
        if (schema == null || table == null) {
            throw problem(lsn, "names no \"schema\" and \"table\" before its columns", data);
        }
        RelationId r = relation;
        if (r == null || !r.name().equals(table) || !r.schema().equals(schema)) {
            r = new RelationId(schema, table);
            relation = r;
        }
        return r;
    }

    /** The new image of an UPDATE with the table's columns it left out as {@link Unavailable#VALUE}. */
    private Row withUnchangedToast(List<TableColumns.Column> columns, RowParser.Image after) {
        if (after.size() >= streamed(columns)) {
            return after.row(builder);
        }
        for (TableColumns.Column c : columns) {
            if (!c.generated()) {
                int at = after.indexOf(c.name(), 0);
                builder.put(c.name(), at < 0 ? c.type() : after.type(at), at < 0 ? Unavailable.VALUE : after.value(at));
            }
        }
        return builder.build();
    }

    private static RowParser.Image require(RowParser.Image image, String field, long lsn, String data) {
        if (image == null) {
            throw problem(lsn, "has no \"" + field + "\"", data);
        }
        return image;
    }

    static Wal2JsonException problem(long lsn, String what, String data) {
        return new Wal2JsonException("wal2json change at LSN " + RowEvent.lsnText(lsn) + " " + what + ": "
                + abbreviated(data) + "; this is a bug in puffgres or wal2json: report it with this message");
    }

    private static String abbreviated(String data) {
        String line = data.replace('\n', ' ');
        return line.length() <= 200 ? line : line.substring(0, 200) + "…";
    }

    static String firstLine(String message) {
        if (message == null) {
            return "no detail";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
