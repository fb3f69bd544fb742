package io.puffgres.lookup;

import io.debezium.time.Interval;
import io.puffgres.event.PgType;
import io.puffgres.event.PgVector;
import io.puffgres.event.Row;
import java.math.BigDecimal;
import java.sql.Array;
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
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.postgresql.util.PGInterval;

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
        if (rs.getObject(i) == null) {
            return null;
        }
        if (type.array()) {
            Array array = rs.getArray(i);
            List<Object> items = new ArrayList<>();
            try (ResultSet elements = array.getResultSet()) {
                PgType element = new PgType(type.name(), false);
                while (elements.next()) {
                    items.add(elements.getObject(2) == null ? null : scalar(elements, 2, element));
                }
            }
            return items;
        }
        return scalar(rs, i, type);
    }

    private static Object scalar(ResultSet rs, int i, PgType type) throws SQLException {
        return switch (type.category()) {
            case INTEGER -> rs.getLong(i);
            case NUMERIC -> rs.getBigDecimal(i);
            case FLOAT -> rs.getDouble(i);
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
            default -> other(rs, i, type);
        };
    }

    /** Types without a category of their own: the text form, but intervals as CDC events carry them. */
    private static Object other(ResultSet rs, int i, PgType type) throws SQLException {
        return type.name().equals("interval") ? isoInterval((PGInterval) rs.getObject(i)) : rs.getString(i);
    }

    /** As Debezium writes an interval in {@code interval.handling.mode = string}: {@code P1Y2M3DT4H5M6.5S}. */
    private static String isoInterval(PGInterval v) {
        return Interval.toIsoString(
                v.getYears(), v.getMonths(), v.getDays(), v.getHours(), v.getMinutes(), new BigDecimal(v.getSeconds()));
    }
}
