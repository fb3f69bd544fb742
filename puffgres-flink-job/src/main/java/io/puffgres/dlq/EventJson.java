package io.puffgres.dlq;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.puffgres.event.Op;
import io.puffgres.event.PgType;
import io.puffgres.event.RelationId;
import io.puffgres.event.Row;
import io.puffgres.event.RowEvent;
import io.puffgres.event.Unavailable;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A {@link RowEvent} as JSON for the DLQ: {@code {"op","relation","lsn","tx_id","commit_time","before","after"}};
 * each row maps a column to {@code {"type": "int4", "value": ...}}. Numbers stay exact (numeric as a string),
 * bytea is base64, vectors and arrays are JSON arrays, other values their text form. {@link #decode} reads it back
 * into the same event (values in {@link Row}'s representation, guided by each column's type), so {@code puffgres
 * dlq retry} can run a stored change through the mapping again.
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
        } else if (Unavailable.is(v)) {
            node.put(field, Unavailable.TEXT);
        } else {
            node.put(field, v.toString());
        }
    }

    /**
     * The event {@link #encode} wrote. A value that does not parse as its column's type (it never happens for what
     * {@link #encode} writes) stays text.
     *
     * @throws IllegalArgumentException when {@code json} is not an encoded event
     */
    public static RowEvent decode(String json) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not a stored event: " + e.getOriginalMessage(), e);
        }
        String relation = root.path("relation").asText();
        int dot = relation.indexOf('.');
        if (!root.path("op").isTextual() || dot < 0) {
            throw new IllegalArgumentException("not a stored event: no op or relation");
        }
        return new RowEvent(
                Op.valueOf(root.get("op").asText()),
                new RelationId(relation.substring(0, dot), relation.substring(dot + 1)),
                row(root.get("before")),
                row(root.get("after")),
                lsn(root.path("lsn").asText()),
                root.path("tx_id").asLong(-1),
                Instant.parse(root.path("commit_time").asText()));
    }

    /** {@code 16/B374D848} as the unsigned 64-bit number it stands for. */
    public static long lsn(String text) {
        int slash = text.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("not an LSN: " + text);
        }
        return (Long.parseLong(text.substring(0, slash), 16) << 32) | Long.parseLong(text.substring(slash + 1), 16);
    }

    private static Row row(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        Row.Builder row = Row.builder();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> column = it.next();
            PgType type = PgType.of(column.getValue().path("type").asText());
            row.put(column.getKey(), type, value(column.getValue().get("value"), type));
        }
        return row.build();
    }

    private static Object value(JsonNode v, PgType type) {
        if (v == null || v.isNull()) {
            return null;
        }
        if (v.isArray()) {
            if (type.category() == PgType.Category.VECTOR && !type.array()) {
                float[] f = new float[v.size()];
                for (int i = 0; i < f.length; i++) {
                    f[i] = (float) v.get(i).doubleValue();
                }
                return f;
            }
            PgType element = new PgType(type.name(), false);
            List<Object> items = new ArrayList<>();
            v.forEach(item -> items.add(value(item, element)));
            return items;
        }
        if (v.isBoolean()) {
            return v.booleanValue();
        }
        if (v.isIntegralNumber()) {
            return v.longValue();
        }
        if (v.isNumber()) {
            return v.doubleValue();
        }
        String text = v.asText();
        if (Unavailable.TEXT.equals(text)) {
            return Unavailable.VALUE;
        }
        try {
            return switch (type.category()) {
                case NUMERIC -> new BigDecimal(text);
                case FLOAT -> Double.parseDouble(text); // NaN and the infinities travel as text
                case UUID -> UUID.fromString(text);
                case TIMESTAMP -> LocalDateTime.parse(text);
                case TIMESTAMPTZ -> Instant.parse(text);
                case DATE -> LocalDate.parse(text);
                case TIME -> type.name().equals("time") ? LocalTime.parse(text) : text;
                case BYTEA -> Base64.getDecoder().decode(text);
                default -> text;
            };
        } catch (IllegalArgumentException | DateTimeParseException e) {
            return text;
        }
    }
}
