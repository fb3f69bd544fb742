package io.puffgres.lookup;

import io.puffgres.event.PgType;
import io.puffgres.event.PgVector;
import io.puffgres.event.Row;
import io.puffgres.pgtext.PgText;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.UUID;

/** Reads the current row of a JDBC result into a {@link Row}, with the value representation CDC events use. */
public final class JdbcRows {

    private JdbcRows() {}

    public static Row read(ResultSet rs) throws SQLException {
        ResultSetMetaData md = rs.getMetaData();
        Row.Builder row = Row.builder();
        for (int i = 1; i <= md.getColumnCount(); i++) {
            PgType type = PgType.of(md.getColumnTypeName(i));
            row.put(md.getColumnLabel(i), type, value(rs, i, type));
        }
        return row.build();
    }

    private static Object value(ResultSet rs, int i, PgType type) throws SQLException {
        if (type.array() || type.category() == PgType.Category.OTHER) {
            // read as the changes carry them: their text form, parsed as the poll source does (any number of
            // dimensions; money's amount, an interval in ISO 8601, bits as bytes)
            String text = rs.getString(i);
            return text == null ? null : PgText.text(text, type);
        }
        if (rs.getObject(i) == null) {
            return null;
        }
        return scalar(rs, i, type);
    }

    private static Object scalar(ResultSet rs, int i, PgType type) throws SQLException {
        return switch (type.category()) {
            case INTEGER -> rs.getLong(i);
            case NUMERIC -> PgText.numeric(rs.getString(i)); // pgjdbc's getBigDecimal fails on NaN
            // a float4 as the changes carry it: read as a float and widened (0.1 is 0.10000000149011612)
            case FLOAT -> type.name().equals("float4") ? (double) rs.getFloat(i) : rs.getDouble(i);
            case BOOLEAN -> rs.getBoolean(i);
            case UUID -> rs.getObject(i, UUID.class);
            case TIMESTAMP -> rs.getObject(i, LocalDateTime.class);
            case TIMESTAMPTZ -> rs.getObject(i, OffsetDateTime.class).toInstant();
            case DATE -> rs.getObject(i, LocalDate.class);
            case TIME ->
                type.name().equals("timetz")
                        // as Debezium's ZonedTime: the instant's time in UTC
                        ? rs.getObject(i, OffsetTime.class)
                                .withOffsetSameInstant(ZoneOffset.UTC)
                                .format(DateTimeFormatter.ISO_OFFSET_TIME)
                        : rs.getObject(i, LocalTime.class);
            case BYTEA -> rs.getBytes(i);
            case VECTOR -> PgVector.parse(rs.getString(i));
            default -> rs.getString(i);
        };
    }
}
