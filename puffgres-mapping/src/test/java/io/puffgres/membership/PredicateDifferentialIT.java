package io.puffgres.membership;

import static org.assertj.core.api.Assertions.assertThat;

import io.puffgres.event.PgType;
import io.puffgres.event.Row;
import io.puffgres.testkit.PostgresDatabase;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Differential test: generated predicates (as text, with random case, quoting and spacing) are evaluated by
 * our parser + binder + evaluator and by PostgreSQL over the same rows; results must be identical (TRUE,
 * FALSE, NULL), and a predicate PostgreSQL rejects at plan time must be rejected by {@link Predicate#bind}.
 */
class PredicateDifferentialIT {

    @RegisterExtension
    static final PostgresDatabase db = new PostgresDatabase();

    private static final long SEED = Long.getLong("puffgres.dsl.seed", 20261125L);
    private static final int ROWS = 120;
    private static final int PREDICATES = 220;

    /** Column → (type, SQL literals stored in rows, string literals used in predicates). */
    private static final Map<String, ColumnSpec> COLUMNS = new LinkedHashMap<>();

    record ColumnSpec(String sqlType, List<String> rowValues, List<String> literals) {}

    static {
        List<String> ints = List.of("0", "1", "-1", "42", "7", "32767", "-32768");
        List<String> intLits = List.of("0", "1", "-1", "42", " 7 ", "+7", "70000", "abc", "1.5", "32767", "");
        COLUMNS.put("c_int2", new ColumnSpec("int2", ints, intLits));
        COLUMNS.put("c_int4", new ColumnSpec("int4", concat(ints, "2147483647"), concat(intLits, "2147483648")));
        COLUMNS.put(
                "c_int8",
                new ColumnSpec(
                        "int8",
                        concat(ints, "9223372036854775807"),
                        concat(intLits, "9223372036854775807", "9223372036854775808")));
        COLUMNS.put(
                "c_num",
                new ColumnSpec(
                        "numeric",
                        List.of("0", "1.5", "1.50", "42", "-7.25", "12345678901234567890.123", "'NaN'", "100"),
                        List.of(
                                "1.5",
                                "1.50",
                                "42",
                                "NaN",
                                "-7.25",
                                "1e2",
                                "abc",
                                "Infinity",
                                "12345678901234567890.123",
                                " 42 ")));
        COLUMNS.put(
                "c_f4",
                new ColumnSpec(
                        "float4",
                        List.of("0.1", "1.5", "'NaN'", "'Infinity'", "42", "'-0'", "0"),
                        List.of("0.1", "1.5", "NaN", "Infinity", "-Infinity", "42", "1e39", "abc", "-0", "inf")));
        COLUMNS.put(
                "c_f8",
                new ColumnSpec(
                        "float8",
                        List.of("0.1", "1.5", "'NaN'", "'Infinity'", "42", "'-0'", "1e300"),
                        List.of("0.1", "1.5", "NaN", "Infinity", "42", "1e400", "abc", "-0", "1e-400", "1e300")));
        COLUMNS.put(
                "c_bool",
                new ColumnSpec(
                        "bool",
                        List.of("true", "false"),
                        List.of(
                                "t", "true", "yes", "on", "off", "0", "1", "f", "no", "maybe", "o", "TRUE ", " y",
                                "of")));
        List<String> texts = List.of("'hello'", "''", "'a''b'", "'Hello'", "'x y'", "'ab'");
        List<String> textLits = List.of("hello", "", "a'b", "Hello", "x y", "ab", "ab  ", "-- not a comment");
        COLUMNS.put("c_text", new ColumnSpec("text", texts, textLits));
        COLUMNS.put("c_vc", new ColumnSpec("varchar(20)", texts, textLits));
        COLUMNS.put(
                "c_bpc",
                new ColumnSpec(
                        "char(5)",
                        List.of("'ab'", "'abcde'", "''", "'a b'"),
                        List.of("ab", "ab   ", "abcde", "abcdef", "", "a b")));
        COLUMNS.put(
                "c_uuid",
                new ColumnSpec(
                        "uuid",
                        List.of("'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'", "'00000000-0000-0000-0000-000000000000'"),
                        List.of(
                                "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
                                "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11",
                                "{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}",
                                "a0eebc999c0b4ef8bb6d6bb9bd380a11",
                                "a0ee-bc99-9c0b-4ef8-bb6d-6bb9-bd38-0a11",
                                "not-a-uuid",
                                "00000000-0000-0000-0000-000000000000")));
        COLUMNS.put(
                "c_date",
                new ColumnSpec(
                        "date",
                        List.of("'2024-01-01'", "'2024-02-29'", "'1999-12-31'"),
                        List.of("2024-01-01", "2024-02-29", "2023-02-29", "2024-01-01 10:00", "x", "1999-12-31")));
        COLUMNS.put(
                "c_ts",
                new ColumnSpec(
                        "timestamp",
                        List.of("'2024-01-01 10:00:00'", "'2024-01-01 10:00:00.123456'", "'2024-01-01 00:00:00'"),
                        List.of(
                                "2024-01-01 10:00:00",
                                "2024-01-01T10:00:00",
                                "2024-01-01 10:00:00.123456",
                                "2024-01-01 10:00:00+05",
                                "2024-01-01",
                                "2024-01-01 10:00",
                                "2024-13-01",
                                "x")));
        COLUMNS.put(
                "c_tstz",
                new ColumnSpec(
                        "timestamptz",
                        List.of("'2024-01-01 10:00:00+00'", "'2024-01-01 12:00:00.5+02'"),
                        List.of(
                                "2024-01-01 10:00:00+00",
                                "2024-01-01 12:00:00+02",
                                "2024-01-01T10:00:00Z",
                                "2024-01-01 10:00:00",
                                "2024-01-01 10:00:00.5",
                                "2024-01-01 06:30:00.5-03:30",
                                "2024-01-01 10:00:00.5+00:00",
                                "garbage")));
    }

    private static final List<Row> rows = new ArrayList<>();
    private static final Map<String, PgType> types = new LinkedHashMap<>();

    @BeforeAll
    static void createRows() throws SQLException {
        Random random = new Random(SEED);
        StringBuilder ddl = new StringBuilder("CREATE TABLE t (rowid int PRIMARY KEY");
        COLUMNS.forEach(
                (name, spec) -> ddl.append(", ").append(name).append(' ').append(spec.sqlType()));
        db.execute(ddl.append(')').toString());
        for (int r = 0; r < ROWS; r++) {
            StringBuilder insert = new StringBuilder("INSERT INTO t VALUES (" + r);
            for (ColumnSpec spec : COLUMNS.values()) {
                insert.append(", ").append(random.nextInt(4) == 0 ? "NULL" : pick(random, spec.rowValues()));
            }
            db.execute(insert.append(')').toString());
        }
        try (Connection c = db.connect();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT * FROM t ORDER BY rowid")) {
            for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                types.put(
                        rs.getMetaData().getColumnName(i),
                        PgType.of(rs.getMetaData().getColumnTypeName(i)));
            }
            while (rs.next()) {
                Row.Builder row = Row.builder();
                for (Map.Entry<String, PgType> col : types.entrySet()) {
                    row.put(col.getKey(), col.getValue(), readValue(rs, col.getKey(), col.getValue()));
                }
                rows.add(row.build());
            }
        }
    }

    @Test
    void evaluatorAgreesWithPostgresOnGeneratedPredicatesAndRows() throws Exception {
        System.out.println("PredicateDifferentialIT seed=" + SEED + " (rerun with -Dpuffgres.dsl.seed=N)");
        Random random = new Random(SEED * 31 + 7);
        int pairs = 0;
        int errorsAgreed = 0;
        int nulls = 0;
        try (Connection c = db.connect();
                Statement s = c.createStatement()) {
            for (int p = 0; p < PREDICATES; p++) {
                String text = expression(random, 0);
                Predicate predicate = PredicateParser.parse(text);
                List<Boolean> expected = new ArrayList<>();
                String pgError = evaluate(s, predicate.toSql(), expected);
                // the renderer must mean what the text means: PostgreSQL evaluates the original text the same way
                List<Boolean> fromText = new ArrayList<>();
                String textError = evaluate(s, text, fromText);
                assertThat(fromText)
                        .as("PostgreSQL on the text vs on toSql() of %s", text)
                        .isEqualTo(expected);
                assertThat(textError == null).isEqualTo(pgError == null);
                BoundPredicate bound;
                try {
                    bound = predicate.bind(types);
                } catch (PredicateTypeException e) {
                    assertThat(pgError)
                            .as("we rejected %s (%s) but PostgreSQL accepted it", text, e.getMessage())
                            .isNotNull();
                    errorsAgreed++;
                    continue;
                }
                assertThat(pgError)
                        .as("PostgreSQL rejected %s but we accepted it", text)
                        .isNull();
                for (int r = 0; r < rows.size(); r++) {
                    Boolean ours = bound.test(rows.get(r)).toBoolean();
                    assertThat(ours)
                            .as("predicate %s%nSQL %s%nrow %s", text, predicate.toSql(), rows.get(r))
                            .isEqualTo(expected.get(r));
                    nulls += ours == null ? 1 : 0;
                    pairs++;
                }
            }
        }
        System.out.printf(
                "PredicateDifferentialIT: %d (predicate, row) pairs identical (%d NULL), %d ill-typed predicates"
                        + " rejected by both%n",
                pairs, nulls, errorsAgreed);
        assertThat(pairs).isGreaterThanOrEqualTo(10_000);
        assertThat(nulls).isGreaterThan(500);
        assertThat(errorsAgreed).isGreaterThan(5);
    }

    /** Evaluates the predicate over every row into {@code results}; the error message when PostgreSQL rejects it. */
    private static String evaluate(Statement s, String predicateSql, List<Boolean> results) {
        try (ResultSet rs = s.executeQuery("SELECT rowid, (" + predicateSql + "\n) FROM t ORDER BY rowid")) {
            while (rs.next()) {
                boolean b = rs.getBoolean(2);
                results.add(rs.wasNull() ? null : b);
            }
            return null;
        } catch (SQLException e) {
            return e.getMessage();
        }
    }

    private static String expression(Random random, int depth) {
        int choice = depth >= 3 ? 0 : random.nextInt(6);
        String and = keyword(random, "AND");
        String or = keyword(random, "OR");
        return switch (choice) {
            case 3 ->
                expression(random, depth + 1) + space(random) + and + space(random) + expression(random, depth + 1);
            case 4 ->
                "(" + expression(random, depth + 1) + space(random) + or + space(random) + expression(random, depth + 1)
                        + ")";
            case 5 -> keyword(random, "NOT") + " " + "(" + expression(random, depth + 1) + ")";
            default -> leaf(random);
        };
    }

    private static String leaf(Random random) {
        List<String> names = new ArrayList<>(COLUMNS.keySet());
        String column = names.get(random.nextInt(names.size()));
        String ident = identifier(random, column);
        if (random.nextInt(6) == 0) {
            return ident + " " + keyword(random, "IS") + (random.nextBoolean() ? " " + keyword(random, "NOT") : "")
                    + " " + keyword(random, "NULL");
        }
        String literal = literal(random, COLUMNS.get(column));
        String op = List.of("=", "!=", "<>", " = ").get(random.nextInt(4));
        return random.nextInt(4) == 0 ? literal + op + ident : ident + op + literal;
    }

    private static String literal(Random random, ColumnSpec spec) {
        int kind = random.nextInt(10);
        if (kind < 6) {
            return "'" + pick(random, spec.literals()).replace("'", "''") + "'";
        }
        return switch (kind) {
            case 6 ->
                List.of("42", "0", "-1", "7", "2147483648", "9223372036854775808", "100")
                        .get(random.nextInt(7));
            case 7 -> List.of("1.5", "42.0", "0.1", "1e2", "-7.25", ".5").get(random.nextInt(6));
            case 8 -> keyword(random, random.nextBoolean() ? "TRUE" : "FALSE");
            default -> keyword(random, "NULL");
        };
    }

    private static String identifier(Random random, String column) {
        return switch (random.nextInt(3)) {
            case 0 -> "\"" + column + "\"";
            case 1 -> column.toUpperCase(Locale.ROOT);
            default -> column;
        };
    }

    private static String keyword(Random random, String word) {
        return switch (random.nextInt(3)) {
            case 0 -> word.toLowerCase(Locale.ROOT);
            case 1 -> word.charAt(0) + word.substring(1).toLowerCase(Locale.ROOT);
            default -> word;
        };
    }

    private static String space(Random random) {
        return random.nextInt(5) == 0 ? "\n  " : " ";
    }

    private static Object readValue(ResultSet rs, String column, PgType type) throws SQLException {
        String text = rs.getString(column);
        if (text == null) {
            return null;
        }
        return switch (type.category()) {
            case INTEGER -> Long.parseLong(text);
            case NUMERIC -> text.equals("NaN") ? (Object) Double.NaN : new BigDecimal(text);
            case FLOAT -> type.name().equals("float4") ? (double) Float.parseFloat(text) : Double.parseDouble(text);
            case BOOLEAN -> text.equals("t");
            case UUID -> UUID.fromString(text);
            case DATE -> LocalDate.parse(text);
            case TIMESTAMP -> rs.getObject(column, LocalDateTime.class);
            case TIMESTAMPTZ -> rs.getObject(column, OffsetDateTime.class).toInstant();
            default -> text;
        };
    }

    private static String pick(Random random, List<String> values) {
        return values.get(random.nextInt(values.size()));
    }

    private static List<String> concat(List<String> base, String... more) {
        List<String> all = new ArrayList<>(base);
        all.addAll(List.of(more));
        return all;
    }
}
