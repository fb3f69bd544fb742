package io.puffgres.source;

import io.debezium.connector.postgresql.UnchangedToastedReplicationMessageColumn;
import io.debezium.spi.converter.CustomConverter;
import io.debezium.spi.converter.RelationalColumn;
import io.puffgres.event.Unavailable;
import java.sql.Types;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.connect.data.SchemaBuilder;

/**
 * A Debezium converter for the columns Debezium's own converters get wrong, registered by {@link
 * PostgresCdcSources}:
 *
 * <ul>
 *   <li>arrays: as Postgres's text form ({@code {{1,2},{3,4}}}), which {@link ChangeEventDeserializer} parses as the
 *       poll source and lookups do. Debezium turns an array of two or more dimensions into a list of NULLs and leaves
 *       out an array whose element type it has no converter for ({@code bytea[]}, enums).
 *   <li>geometric types ({@code point}, {@code box}, …), bit strings, {@code hstore} and PostGIS types: as {@link
 *       Unavailable#TEXT}, so the job reads the value's text from the current row (as for an unchanged TOASTed
 *       value). Debezium gives a point as a struct holding WKB bytes and the others not at all (pgjdbc's parsed
 *       objects print their coordinates in Java's notation, {@code 2.0}, not Postgres's), bits as a boolean or as
 *       bytes that lose a varbit's leading zeros, an hstore as JSON and a geometry as a struct.
 * </ul>
 *
 * The value Debezium hands over is what it parsed from the change (pgjdbc's {@code PgArray}, whose text is the
 * change's, or a {@code PGobject}); Debezium's unchanged-TOAST marker becomes {@link Unavailable#TEXT}.
 */
public final class PgTextConverter implements CustomConverter<SchemaBuilder, RelationalColumn> {

    /** The types whose text is read from the current row. */
    private static final Set<String> LOOKED_UP = Set.of(
            "point",
            "box",
            "circle",
            "line",
            "lseg",
            "path",
            "polygon",
            "bit",
            "varbit",
            "hstore",
            "geometry",
            "geography");

    @Override
    public void configure(Properties props) {}

    @Override
    public void converterFor(RelationalColumn column, ConverterRegistration<SchemaBuilder> registration) {
        if (column.jdbcType() == Types.ARRAY) {
            registration.register(SchemaBuilder.string().optional(), PgTextConverter::arrayText);
        } else if (LOOKED_UP.contains(column.typeName())) {
            registration.register(SchemaBuilder.string().optional(), v -> v == null ? null : Unavailable.TEXT);
        }
    }

    /** An array's text form: pgjdbc's {@code PgArray} keeps the text it was made from. */
    static Object arrayText(Object v) {
        if (v == null) {
            return null;
        }
        if (v == UnchangedToastedReplicationMessageColumn.UNCHANGED_TOAST_VALUE) {
            return Unavailable.TEXT;
        }
        return v.toString();
    }
}
