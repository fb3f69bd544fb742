package io.puffgres.poll;

import io.puffgres.event.PgType;
import io.puffgres.event.RelationId;
import java.util.List;

/**
 * The columns of the tables the poll source follows, in table order, with what the {@link Wal2JsonDecoder} needs to
 * give a change as the stream does: wal2json leaves an unchanged TOASTed value out of an UPDATE altogether (found
 * missing here), prints a domain's value as its base type's, and prints generated columns, which the stream leaves
 * out; an UPDATE of the key is a DELETE and an INSERT in the stream.
 */
public interface TableColumns {

    /**
     * One column.
     *
     * @param type its type as {@code format_type} prints it, parsed: the type the row image carries
     * @param valueType the type its values are read as: for a domain its base type, else {@code type}
     * @param key whether it is part of the table's primary key (the stream's key)
     * @param generated whether it is a generated column (the stream leaves these out)
     */
    record Column(String name, PgType type, PgType valueType, boolean key, boolean generated) {

        /** A plain column: not a domain, not in the key, not generated. */
        public Column(String name, PgType type) {
            this(name, type, type, false, false);
        }
    }

    /** The columns of {@code table}, in table order, generated ones included; null when {@code table} is not followed. */
    List<Column> columns(RelationId table);

    /**
     * Forgets what is known of {@code table}, so the next {@link #columns} reads it again: a change named a column
     * this does not know (the table was altered).
     */
    default void refresh(RelationId table) {}
}
