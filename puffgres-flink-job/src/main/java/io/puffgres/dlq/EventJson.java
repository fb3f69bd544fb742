package io.puffgres.dlq;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.puffgres.event.PgType;
import io.puffgres.event.Row;
import io.puffgres.event.RowEvent;
import java.math.BigDecimal;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * A {@link RowEvent} as JSON for the DLQ: {@code {"op","relation","lsn","tx_id","commit_time","before","after"}};
 * each row maps a column to {@code {"type": "int4", "value": ...}}. Numbers stay exact (numeric as a string),
 * bytea is base64, vectors and arrays are JSON arrays, other values their text form.
 */
public final class EventJson {

    private static final ObjectMapper JSON = new ObjectMapper();

    private EventJson() {}

    public static String encode(RowEvent e) {
        ObjectNode root = JSON.createObjectNode();
        root.put("op", e.op().name());
        root.put("relation", e.relation().toString());
        root.put("lsn", e.lsnText());
        root.put("tx_id", e.txId());
        root.put("commit_time", e.commitTime().toString());
        row(root, "before", e.before());
        row(root, "after", e.after());
        return root.toString();
    }

    private static void row(ObjectNode root, String field, Row row) {
        if (row == null) {
            root.putNull(field);
            return;
        }
        ObjectNode columns = root.putObject(field);
        for (Map.Entry<String, PgType> c : row.types().entrySet()) {
            ObjectNode column = columns.putObject(c.getKey());
            column.put("type", c.getValue().toString());
            value(column, "value", row.get(c.getKey()));
        }
    }

    private static void value(ObjectNode node, String field, Object v) {
        if (v == null) {
            node.putNull(field);
        } else if (v instanceof Long l) {
            node.put(field, l);
        } else if (v instanceof Double d && Double.isFinite(d)) {
            node.put(field, d);
        } else if (v instanceof Boolean b) {
            node.put(field, b);
        } else if (v instanceof BigDecimal d) {
            node.put(field, d.toPlainString());
        } else if (v instanceof byte[] b) {
            node.put(field, Base64.getEncoder().encodeToString(b));
        } else if (v instanceof float[] f) {
            ArrayNode a = node.putArray(field);
            for (float x : f) {
                a.add(x);
            }
        } else if (v instanceof List<?> list) {
            ArrayNode a = node.putArray(field);
            for (Object item : list) {
                ObjectNode holder = JSON.createObjectNode();
                value(holder, "v", item);
                a.add(holder.get("v"));
            }
        } else {
            node.put(field, v.toString());
        }
    }
}
