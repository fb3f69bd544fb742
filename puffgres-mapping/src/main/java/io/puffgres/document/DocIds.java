package io.puffgres.document;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/** Turns the value of a mapping's id column into a turbopuffer document id, per the migration's id type. */
public final class DocIds {

    /** turbopuffer's limit on string ids, in UTF-8 bytes. */
    public static final int MAX_STRING_ID_BYTES = 64;

    private DocIds() {}

    /** A converted id or the reason the row has no valid id. */
    public sealed interface Result {
        record Ok(DocId id) implements Result {}

        record Invalid(String message) implements Result {}
    }

    /**
     * Converts {@code value} of column {@code column} to an id of type {@code idType}.
     * Never throws for bad values: they are per-row {@link Result.Invalid} results.
     */
    public static Result from(IdType idType, String column, Object value) {
        if (value == null) {
            return invalid(column, idType, "is NULL");
        }
        return switch (idType) {
            case UINT, INT -> integerId(idType, column, value);
            case UUID -> uuidId(column, value);
            case STRING -> stringId(column, value);
        };
    }

    /**
     * The id whose text form ({@link DocId#toString()}) is {@code text}, for a mapping of {@code idType}: how the job
     * keys and carries ids turned back into ids.
     *
     * @throws IllegalArgumentException when {@code text} is no id of that type
     */
    public static DocId parse(IdType idType, String text) {
        return switch (idType) {
            case UINT, INT -> new DocId.Uint(Long.parseUnsignedLong(text));
            case UUID -> new DocId.Uuid(UUID.fromString(text));
            case STRING -> new DocId.Str(text);
        };
    }

    private static Result integerId(IdType idType, String column, Object value) {
        Long v = null;
        if (value instanceof Long || value instanceof Integer || value instanceof Short) {
            v = ((Number) value).longValue();
        } else if (value instanceof BigDecimal d && d.stripTrailingZeros().scale() <= 0) {
            try {
                v = d.longValueExact();
            } catch (ArithmeticException e) {
                return invalid(column, idType, "does not fit in 64 bits (got " + show(value) + ")");
            }
        }
        if (v == null) {
            return invalid(column, idType, "must be an integer (got " + show(value) + ")");
        }
        if (v < 0) {
            return new Result.Invalid("id column \"" + column + "\" of type " + idType.spelling()
                    + " must be >= 0 for a turbopuffer id (got " + v + ")");
        }
        return new Result.Ok(new DocId.Uint(v));
    }

    private static Result uuidId(String column, Object value) {
        if (value instanceof UUID u) {
            return new Result.Ok(new DocId.Uuid(u));
        }
        if (value instanceof String s) {
            try {
                return new Result.Ok(new DocId.Uuid(UUID.fromString(s.strip())));
            } catch (IllegalArgumentException e) {
                return invalid(column, IdType.UUID, "is not a UUID (got " + show(value) + ")");
            }
        }
        return invalid(column, IdType.UUID, "must be a uuid or text (got " + show(value) + ")");
    }

    private static Result stringId(String column, Object value) {
        String s = value instanceof String str ? str : value instanceof byte[] ? null : String.valueOf(value);
        if (s == null) {
            return invalid(column, IdType.STRING, "cannot be bytea");
        }
        int bytes = s.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_STRING_ID_BYTES) {
            return invalid(
                    column,
                    IdType.STRING,
                    "is " + bytes + " bytes; turbopuffer string ids are at most " + MAX_STRING_ID_BYTES + " bytes (got "
                            + show(s) + ")");
        }
        if (s.isEmpty()) {
            return invalid(column, IdType.STRING, "is empty");
        }
        return new Result.Ok(new DocId.Str(s));
    }

    private static Result invalid(String column, IdType idType, String what) {
        return new Result.Invalid("id column \"" + column + "\" (id type " + idType.spelling() + ") " + what);
    }

    static String show(Object value) {
        String s = value instanceof String str ? "\"" + str + "\"" : String.valueOf(value);
        return s.length() > 80 ? s.substring(0, 77) + "..." : s;
    }
}
