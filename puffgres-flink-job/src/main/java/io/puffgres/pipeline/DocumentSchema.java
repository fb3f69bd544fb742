package io.puffgres.pipeline;

import io.puffgres.document.AttributeNames;
import io.puffgres.document.Document;
import io.puffgres.document.IdType;
import io.puffgres.migration.Migration;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The schema a mapping's upserts declare: {@code __source_lsn} as uint, every {@code [tp_schema]} hint that names a
 * type, and the types turbopuffer cannot infer from JSON (a datetime or uuid arrives as a string), learned from the
 * documents' Java values. An attribute is declared once and stays declared. Not thread-safe: one per writer or
 * command.
 */
public final class DocumentSchema {

    private final Map<String, Object> schema;
    /**
     * Attributes whose type is known: declared, or seen with a value JSON carries unambiguously (an attribute keeps
     * its type, so one value decides); {@link #learn} looks at each attribute once, not once per document.
     */
    private final Set<String> settled = new HashSet<>();

    public DocumentSchema(Migration migration) {
        this.schema = declared(migration);
    }

    /**
     * The schema declared up front (also by {@code puffgres apply --schema}), so types are set before the first value
     * could pin them (e.g. an integral float as int): uuid ids, {@code __source_lsn} as uint, typed tp_schema hints.
     */
    public static Map<String, Object> declared(Migration m) {
        Map<String, Object> schema = new LinkedHashMap<>();
        if (m.id().type() == IdType.UUID) {
            schema.put("id", "uuid"); // turbopuffer infers string for a uuid sent as text
        }
        schema.put(AttributeNames.SOURCE_LSN, "uint");
        m.tpSchema()
                .forEach((attribute, hint) -> hint.type().ifPresent(type -> {
                    Map<String, Object> entry = new LinkedHashMap<>();
                    entry.put("type", type);
                    entry.putAll(hint.options());
                    schema.put(attribute, entry);
                }));
        return schema;
    }

    /**
     * Learns the types of {@code document}'s attributes and returns the schema to send with upserts from now on. The
     * pipeline calls it as each document is made, while the document is in the cache.
     */
    public Map<String, Object> learn(Document document) {
        document.attributes().forEach((attribute, value) -> {
            if (settled.contains(attribute)
                    || value == null
                    || (value instanceof List<?> l && (l.isEmpty() || l.get(0) == null))) {
                return; // a null, or a list without a first element, says nothing of the type yet
            }
            String type = declaredType(value);
            if (type != null) {
                schema.putIfAbsent(attribute, type);
            }
            settled.add(attribute);
        });
        return schema;
    }

    /** The schema learned so far (see {@link #learn}); the same map, updated in place. */
    public Map<String, Object> current() {
        return schema;
    }

    private static String declaredType(Object v) {
        if (v instanceof Instant) {
            return "datetime";
        }
        if (v instanceof UUID) {
            return "uuid";
        }
        if (v instanceof List<?> list && !list.isEmpty()) {
            String element = declaredType(list.get(0));
            return element == null ? null : "[]" + element;
        }
        return null;
    }
}
