package io.puffgres.membership;

import io.puffgres.event.PgType;
import io.puffgres.event.Row;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Type-checks a predicate like PostgreSQL's operator resolution and compiles it into evaluator nodes. An
 * untyped string literal takes the column's type; integer literals are int4/int8/numeric by size; decimal
 * literals are numeric; integer columns compare with numeric literals as numeric, real/double columns as
 * double precision; text, boolean, uuid and date/time columns have no operator for numbers.
 */
final class PredicateBinder {

    private static final BigInteger INT4_MIN = BigInteger.valueOf(Integer.MIN_VALUE);
    private static final BigInteger INT4_MAX = BigInteger.valueOf(Integer.MAX_VALUE);
    private static final BigInteger INT8_MIN = BigInteger.valueOf(Long.MIN_VALUE);
    private static final BigInteger INT8_MAX = BigInteger.valueOf(Long.MAX_VALUE);

    private final Map<String, PgType> types;
    private final List<String> problems = new ArrayList<>();

    private PredicateBinder(Map<String, PgType> types) {
        this.types = types;
    }

    static BoundPredicate bind(io.puffgres.membership.Predicate predicate, Map<String, PgType> types)
            throws PredicateTypeException {
        PredicateBinder binder = new PredicateBinder(types);
        BoundPredicate.Node root = binder.node(predicate.root());
        if (!binder.problems.isEmpty()) {
            throw new PredicateTypeException(binder.problems);
        }
        return new BoundPredicate(predicate, root);
    }

    private BoundPredicate.Node node(Expr expr) {
        if (expr instanceof Expr.And and) {
            BoundPredicate.Node l = node(and.left());
            BoundPredicate.Node r = node(and.right());
            return row -> l.eval(row).and(r.eval(row));
        }
        if (expr instanceof Expr.Or or) {
            BoundPredicate.Node l = node(or.left());
            BoundPredicate.Node r = node(or.right());
            return row -> l.eval(row).or(r.eval(row));
        }
        if (expr instanceof Expr.Not not) {
            BoundPredicate.Node inner = node(not.operand());
            return row -> inner.eval(row).not();
        }
        if (expr instanceof Expr.IsNull isNull) {
            String column = isNull.column();
            checkColumn(column);
            boolean negated = isNull.negated();
            return row -> Tri.of((value(row, column) == null) != negated);
        }
        return comparison((Expr.Comparison) expr);
    }

    private BoundPredicate.Node comparison(Expr.Comparison cmp) {
        PgType type = checkColumn(cmp.column());
        if (type == null) {
            return row -> Tri.UNKNOWN;
        }
        if (cmp.literal() instanceof Literal.Null) {
            return row -> Tri.UNKNOWN;
        }
        Predicate<Object> equalsLiteral;
        try {
            equalsLiteral = equality(cmp, type);
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
            return row -> Tri.UNKNOWN;
        }
        if (equalsLiteral == null) {
            problems.add(noOperator(cmp, type));
            return row -> Tri.UNKNOWN;
        }
        String column = cmp.column();
        boolean notEqual = cmp.notEqual();
        return row -> {
            Object v = value(row, column);
            return v == null ? Tri.UNKNOWN : Tri.of(equalsLiteral.test(v) != notEqual);
        };
    }

    /** An equality test against the coerced literal, or null when PostgreSQL has no such operator. */
    private static Predicate<Object> equality(Expr.Comparison cmp, PgType type) {
        if (type.array()) {
            throw new IllegalArgumentException("column \"" + cmp.column() + "\" is an array ("
                    + PgTypeNames.display(type) + "); the membership DSL compares scalar columns only");
        }
        Literal lit = cmp.literal();
        String str = lit instanceof Literal.Str s ? s.value() : null;
        String number = lit instanceof Literal.Int i ? i.text() : lit instanceof Literal.Dec d ? d.text() : null;
        switch (type.category()) {
            case INTEGER:
                if (str != null) {
                    long v = PgLiteralInput.integer(str, type);
                    return o -> ((Number) o).longValue() == v;
                }
                if (lit instanceof Literal.Int) {
                    BigInteger v = new BigInteger(number);
                    boolean fits = v.compareTo(INT8_MIN) >= 0 && v.compareTo(INT8_MAX) <= 0;
                    long l = v.longValue();
                    return o -> fits && ((Number) o).longValue() == l;
                }
                if (number != null) {
                    BigDecimal v = new BigDecimal(number);
                    return o -> BigDecimal.valueOf(((Number) o).longValue()).compareTo(v) == 0;
                }
                return null;
            case NUMERIC:
                if (str != null || number != null) {
                    Object v = str != null ? PgLiteralInput.numeric(str, type) : new BigDecimal(number);
                    return o -> numericEquals(o, v);
                }
                return null;
            case FLOAT:
                return floatEquality(str, number, type);
            case BOOLEAN:
                if (str != null || lit instanceof Literal.Bool) {
                    Boolean v = str != null ? PgLiteralInput.bool(str, type) : ((Literal.Bool) lit).value();
                    return v::equals;
                }
                return null;
            case TEXT:
                return str == null ? null : textEquality(str, type);
            case UUID:
                return str == null ? null : PgLiteralInput.uuid(str, type)::equals;
            case DATE:
                return str == null ? null : PgLiteralInput.date(str, type)::equals;
            case TIMESTAMP:
                return str == null ? null : PgLiteralInput.timestamp(str, type)::equals;
            case TIMESTAMPTZ:
                return str == null ? null : PgLiteralInput.timestamptz(str, type)::equals;
            default:
                throw new IllegalArgumentException("column \"" + cmp.column() + "\" has type "
                        + PgTypeNames.display(type) + ", which the membership DSL cannot compare (supported: integer,"
                        + " numeric, real, double precision, boolean, text, uuid, date, timestamp types)");
        }
    }

    private static Predicate<Object> floatEquality(String str, String number, PgType type) {
        boolean real = type.name().equals("float4");
        if (str != null) {
            if (real) {
                float v = PgLiteralInput.float4(str, type);
                return o -> doubleEquals(((Number) o).floatValue(), v);
            }
            double v = PgLiteralInput.float8(str, type);
            return o -> doubleEquals(((Number) o).doubleValue(), v);
        }
        if (number == null) {
            return null;
        }
        // numbers compare as double precision (float48eq for real columns)
        double v = Double.parseDouble(number);
        return o -> doubleEquals(real ? ((Number) o).floatValue() : ((Number) o).doubleValue(), v);
    }

    private static Predicate<Object> textEquality(String literal, PgType type) {
        if (type.name().equals("bpchar")) {
            // character(n) comparison ignores trailing spaces
            String v = rtrimSpaces(literal);
            return o -> rtrimSpaces((String) o).equals(v);
        }
        return literal::equals;
    }

    private static String rtrimSpaces(String s) {
        int end = s.length();
        while (end > 0 && s.charAt(end - 1) == ' ') {
            end--;
        }
        return s.substring(0, end);
    }

    /** PostgreSQL float equality: NaN equals NaN, -0 equals 0. */
    private static boolean doubleEquals(double a, double b) {
        return (Double.isNaN(a) && Double.isNaN(b)) || a == b;
    }

    /** numeric equality; NaN and the infinities arrive as {@link Double}. */
    private static boolean numericEquals(Object rowValue, Object literal) {
        if (rowValue instanceof Double || rowValue instanceof Float || literal instanceof Double) {
            double a = ((Number) rowValue).doubleValue();
            double b = ((Number) literal).doubleValue();
            if (Double.isFinite(a) && Double.isFinite(b)) {
                return toDecimal(rowValue).compareTo(toDecimal(literal)) == 0;
            }
            return doubleEquals(a, b);
        }
        return toDecimal(rowValue).compareTo(toDecimal(literal)) == 0;
    }

    private static BigDecimal toDecimal(Object n) {
        if (n instanceof BigDecimal d) {
            return d;
        }
        if (n instanceof Double || n instanceof Float) {
            return new BigDecimal(n.toString());
        }
        return BigDecimal.valueOf(((Number) n).longValue());
    }

    private PgType checkColumn(String column) {
        PgType type = types.get(column);
        if (type == null) {
            problems.add("column \"" + column + "\" does not exist");
        }
        return type;
    }

    private static Object value(Row row, String column) {
        if (!row.has(column)) {
            throw new IllegalArgumentException("the row has no column \"" + column + "\" for the membership predicate");
        }
        return row.get(column);
    }

    private static String noOperator(Expr.Comparison cmp, PgType type) {
        String litType = literalType(cmp.literal());
        String colType = PgTypeNames.display(type);
        String op = cmp.notEqual() ? "<>" : "=";
        String sides = cmp.literalFirst() ? litType + " " + op + " " + colType : colType + " " + op + " " + litType;
        return "operator does not exist: " + sides + " (column \"" + cmp.column() + "\")";
    }

    private static String literalType(Literal lit) {
        if (lit instanceof Literal.Int i) {
            BigInteger v = new BigInteger(i.text());
            if (v.compareTo(INT4_MIN) >= 0 && v.compareTo(INT4_MAX) <= 0) {
                return "integer";
            }
            return v.compareTo(INT8_MIN) >= 0 && v.compareTo(INT8_MAX) <= 0 ? "bigint" : "numeric";
        }
        if (lit instanceof Literal.Dec) {
            return "numeric";
        }
        return lit instanceof Literal.Bool ? "boolean" : "unknown";
    }
}
