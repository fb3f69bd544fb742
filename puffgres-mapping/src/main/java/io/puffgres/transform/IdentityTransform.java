package io.puffgres.transform;

import io.puffgres.document.AttributeNames;
import io.puffgres.document.AttributeSchema;
import io.puffgres.document.DocId;
import io.puffgres.document.Document;
import io.puffgres.document.ValueConverter;
import io.puffgres.event.PgType;
import io.puffgres.event.Row;
import io.puffgres.event.RowEvent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The default transform: every listed column except the id column becomes an attribute of the same name,
 * converted by {@link ValueConverter} with the migration's {@code tp_schema} hints. Stateless and thread-safe.
 */
public final class IdentityTransform implements Transform {

    private final String idColumn;
    private final List<String> attributes;
    private final Map<String, AttributeSchema> hints;

    /**
     * @throws IllegalArgumentException when a column name cannot be a turbopuffer attribute name
     */
    public IdentityTransform(String idColumn, List<String> columns, Map<String, AttributeSchema> hints) {
        this.idColumn = idColumn;
        this.attributes = columns.stream().filter(c -> !c.equals(idColumn)).toList();
        this.hints = Map.copyOf(hints);
        List<String> problems = new ArrayList<>();
        attributes.forEach(a -> AttributeNames.problem(a).ifPresent(problems::add));
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
    }

    @Override
    public Action apply(RowEvent event, DocId id, TransformContext ctx) {
        Row row = event.after();
        LinkedHashMap<String, Object> attrs = new LinkedHashMap<>();
        for (String column : attributes) {
            if (!row.has(column)) {
                return new Action.Error(
                        "attribute", "column \"" + column + "\" is missing from the row of " + event.relation(), "");
            }
            PgType type = row.type(column);
            Optional<String> problem = ValueConverter.put(attrs, column, type, row.get(column), hints.get(column));
            if (problem.isPresent()) {
                return new Action.Error("type", problem.get(), "");
            }
        }
        return new Action.Upsert(Document.adopt(id, attrs));
    }

    /** The id column this transform leaves out of the attributes. */
    public String idColumn() {
        return idColumn;
    }
}
