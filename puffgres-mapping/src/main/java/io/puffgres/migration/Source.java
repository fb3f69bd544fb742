package io.puffgres.migration;

import io.puffgres.event.RelationId;
import java.util.Optional;

/**
 * The {@code [source]} of a mapping: exactly one of a table or a view. Views produce no WAL, so CDC follows
 * {@code baseTable} (declared, or inferred later from the view definition).
 */
public record Source(String schema, Optional<String> table, Optional<String> view, Optional<String> baseTable) {

    /** The table or view itself. */
    public RelationId relation() {
        return new RelationId(schema, table.orElseGet(view::orElseThrow));
    }

    /** The declared {@code base_table} as a relation: {@code schema.table}, or a bare name in the source's schema. */
    public Optional<RelationId> baseRelation() {
        return baseTable.map(name -> {
            int dot = name.indexOf('.');
            return dot < 0
                    ? new RelationId(schema, name)
                    : new RelationId(name.substring(0, dot), name.substring(dot + 1));
        });
    }

    public boolean isView() {
        return view.isPresent();
    }
}
