package io.puffgres.event;

/**
 * Postgres identifiers in SQL text: the one quoter of every statement puffgres builds from a table, column,
 * publication or slot name (the job's lookups, replication setup, {@code doctor}'s fixes, {@code verify}). Quoting
 * keeps a name exactly as written (case, spaces, quotes), so it never needs to be a plain identifier.
 */
public final class PgIdentifiers {

    private PgIdentifiers() {}

    /** {@code identifier} as a quoted SQL identifier: {@code "my ""table"""}. */
    public static String quote(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }

    /** {@code relation} as {@code "schema"."name"}. */
    public static String quote(RelationId relation) {
        return quote(relation.schema()) + "." + quote(relation.name());
    }
}
