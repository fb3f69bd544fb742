package io.puffgres.event;

import java.io.Serializable;
import java.util.Objects;

/** A Postgres relation (table or view) by schema and name, both unquoted and case-sensitive. */
public record RelationId(String schema, String name) implements Serializable {

    public RelationId {
        Objects.requireNonNull(schema, "schema");
        Objects.requireNonNull(name, "name");
    }

    @Override
    public String toString() {
        return schema + "." + name;
    }
}
