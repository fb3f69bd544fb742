package io.puffgres.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Compiles turbopuffer's filter grammar ({@code ["attr","Eq",v]}, {@code ["And",[…]]}, {@code ["Or",[…]]},
 * {@code ["Not",f]}) into a document predicate, with turbopuffer's null rules: {@code Eq null} matches a missing
 * attribute, {@code NotEq null} a present one, and {@code Lt}/{@code Lte} also match missing values.
 * {@code {"$ref_new": "attr"}} values are resolved from the incoming document (conditional writes).
 */
final class Filters {

    private final Function<String, String> typeOf;
    private final Doc refNew;

    private Filters(Function<String, String> typeOf, Doc refNew) {
        this.typeOf = typeOf;
        this.refNew = refNew;
    }

    /**
     * @param typeOf the schema type of an attribute (null when unknown), used for datetime and id comparisons
     * @param refNew the incoming document for {@code $ref_new}, or null (then every reference is null)
     */
    static Predicate<Doc> compile(JsonNode filter, Function<String, String> typeOf, Doc refNew) {
        return new Filters(typeOf, refNew).node(filter);
    }

    private Predicate<Doc> node(JsonNode f) {
        if (f == null || !f.isArray() || f.size() < 2 || !f.get(0).isTextual()) {
            throw TpufError.badRequest("💔 invalid filter: " + f);
        }
        String head = f.get(0).textValue();
        switch (head) {
            case "And", "Or" -> {
                if (!f.get(1).isArray()) {
                    throw TpufError.badRequest("💔 " + head + " expects an array of filters");
                }
                List<Predicate<Doc>> parts = new ArrayList<>();
                f.get(1).forEach(p -> parts.add(node(p)));
                return head.equals("And")
                        ? d -> parts.stream().allMatch(p -> p.test(d))
                        : d -> parts.stream().anyMatch(p -> p.test(d));
            }
            case "Not" -> {
                Predicate<Doc> inner = node(f.get(1));
                return inner.negate();
            }
            default -> {
                if (f.size() < 3 || !f.get(1).isTextual()) {
                    throw TpufError.badRequest("💔 invalid filter: " + f);
                }
                return condition(head, f.get(1).textValue(), f.get(2));
            }
        }
    }

    private Predicate<Doc> condition(String attr, String op, JsonNode rawValue) {
        String type = typeOf.apply(attr);
        boolean ref = rawValue.isObject() && rawValue.has("$ref_new");
        Function<Doc, JsonNode> value = ref
                ? d -> refNew == null
                        ? null
                        : refNew.get(rawValue.get("$ref_new").asText())
                : d -> rawValue.isNull() ? null : rawValue;
        return switch (op) {
            case "Eq" ->
                d -> {
                    JsonNode v = value.apply(d);
                    JsonNode a = d.get(attr);
                    return v == null ? a == null : a != null && Compare.equal(a, v, type);
                };
            case "NotEq" ->
                d -> {
                    JsonNode v = value.apply(d);
                    JsonNode a = d.get(attr);
                    return v == null ? a != null : a == null || !Compare.equal(a, v, type);
                };
            case "In" -> d -> in(d.get(attr), value.apply(d), type);
            case "NotIn" -> d -> !in(d.get(attr), value.apply(d), type);
            case "Lt", "Lte", "Gt", "Gte" -> d -> ordered(op, d.get(attr), value.apply(d), type);
            case "Contains" -> d -> contains(d.get(attr), value.apply(d), type);
            case "NotContains" -> d -> !contains(d.get(attr), value.apply(d), type);
            case "ContainsAny" -> d -> containsAny(d.get(attr), value.apply(d), type);
            case "NotContainsAny" -> d -> !containsAny(d.get(attr), value.apply(d), type);
            case "AnyLt", "AnyLte", "AnyGt", "AnyGte" ->
                d -> anyOrdered(op.substring(3), d.get(attr), value.apply(d), type);
            case "Glob", "NotGlob", "IGlob", "NotIGlob" -> glob(attr, op, rawValue);
            case "Regex" -> {
                Pattern p = Pattern.compile(rawValue.asText());
                yield d -> d.get(attr) != null
                        && d.get(attr).isTextual()
                        && p.matcher(d.get(attr).textValue()).find();
            }
            case "ContainsAllTokens", "ContainsAnyToken", "ContainsTokenSequence" -> tokens(attr, op, rawValue);
            default -> throw TpufError.badRequest("💔 unknown filter operator " + op + " for attribute " + attr);
        };
    }

    private static boolean in(JsonNode a, JsonNode list, String type) {
        if (a == null || list == null || !list.isArray()) {
            return false;
        }
        if (a.isArray()) {
            for (JsonNode element : a) {
                if (in(element, list, type)) {
                    return true;
                }
            }
            return false;
        }
        for (JsonNode v : list) {
            if (Compare.equal(a, v, type)) {
                return true;
            }
        }
        return false;
    }

    private static boolean ordered(String op, JsonNode a, JsonNode v, String type) {
        if (v == null) {
            return false;
        }
        if (a == null) {
            return op.equals("Lt") || op.equals("Lte");
        }
        int c = Compare.compare(a, v, type);
        return switch (op) {
            case "Lt" -> c < 0;
            case "Lte" -> c <= 0;
            case "Gt" -> c > 0;
            default -> c >= 0;
        };
    }

    private static boolean anyOrdered(String op, JsonNode a, JsonNode v, String type) {
        if (a == null || !a.isArray()) {
            return false;
        }
        String element = type != null && type.startsWith("[]") ? type.substring(2) : null;
        for (JsonNode e : a) {
            if (ordered(op, e, v, element)) {
                return true;
            }
        }
        return false;
    }

    private static boolean contains(JsonNode a, JsonNode v, String type) {
        if (a == null || v == null || !a.isArray()) {
            return false;
        }
        String element = type != null && type.startsWith("[]") ? type.substring(2) : null;
        for (JsonNode e : a) {
            if (Compare.equal(e, v, element)) {
                return true;
            }
        }
        return false;
    }

    private static boolean containsAny(JsonNode a, JsonNode list, String type) {
        if (list == null || !list.isArray()) {
            return false;
        }
        for (JsonNode v : list) {
            if (contains(a, v, type)) {
                return true;
            }
        }
        return false;
    }

    private static Predicate<Doc> glob(String attr, String op, JsonNode pattern) {
        boolean ignoreCase = op.contains("IGlob");
        Pattern p = Pattern.compile(globToRegex(pattern.asText()), ignoreCase ? Pattern.CASE_INSENSITIVE : 0);
        Predicate<Doc> match = d -> d.get(attr) != null
                && d.get(attr).isTextual()
                && p.matcher(d.get(attr).textValue()).matches();
        return op.startsWith("Not") ? match.negate() : match;
    }

    static String globToRegex(String glob) {
        StringBuilder re = new StringBuilder();
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            switch (c) {
                case '*' -> re.append(".*");
                case '?' -> re.append('.');
                case '[' -> {
                    int end = glob.indexOf(']', i + 1);
                    if (end < 0) {
                        re.append("\\[");
                    } else {
                        String body = glob.substring(i + 1, end);
                        re.append('[')
                                .append(body.startsWith("!") ? "^" + body.substring(1) : body)
                                .append(']');
                        i = end;
                    }
                }
                default -> re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return re.toString();
    }

    private static Predicate<Doc> tokens(String attr, String op, JsonNode query) {
        List<String> wanted = query.isArray()
                ? java.util.stream.StreamSupport.stream(query.spliterator(), false)
                        .map(JsonNode::asText)
                        .toList()
                : Bm25.tokenize(query.asText());
        return d -> {
            JsonNode a = d.get(attr);
            if (a == null || !a.isTextual()) {
                return false;
            }
            List<String> have = Bm25.tokenize(a.textValue());
            return switch (op) {
                case "ContainsAllTokens" -> have.containsAll(wanted);
                case "ContainsAnyToken" -> wanted.stream().anyMatch(have::contains);
                default -> java.util.Collections.indexOfSubList(have, wanted) >= 0;
            };
        };
    }

    /** Value comparison by schema type: datetimes by instant, uuids case-insensitively, numbers numerically. */
    static final class Compare {
        private Compare() {}

        static boolean equal(JsonNode a, JsonNode b, String type) {
            if (a.isNumber() && b.isNumber()) {
                return numbers(a, b) == 0;
            }
            if ("datetime".equals(type) && a.isTextual() && b.isTextual()) {
                return Values.datetimeMillis(a.textValue()) == Values.datetimeMillis(b.textValue());
            }
            if ("uuid".equals(type) && a.isTextual() && b.isTextual()) {
                return a.textValue()
                        .toLowerCase(Locale.ROOT)
                        .equals(b.textValue().toLowerCase(Locale.ROOT));
            }
            return a.equals(b);
        }

        /** Two integers that fit a long compare as longs (every conditional write compares two); else exactly. */
        private static int numbers(JsonNode a, JsonNode b) {
            if (a.isIntegralNumber() && b.isIntegralNumber() && a.canConvertToLong() && b.canConvertToLong()) {
                return Long.compare(a.longValue(), b.longValue());
            }
            return a.decimalValue().compareTo(b.decimalValue());
        }

        static int compare(JsonNode a, JsonNode b, String type) {
            if (a.isNumber() && b.isNumber()) {
                return numbers(a, b);
            }
            if ("datetime".equals(type)) {
                long x = a.isNumber() ? a.longValue() : Values.datetimeMillis(a.asText());
                long y = b.isNumber() ? b.longValue() : Values.datetimeMillis(b.asText());
                return Long.compare(x, y);
            }
            if (a.isBoolean() && b.isBoolean()) {
                return Boolean.compare(a.booleanValue(), b.booleanValue());
            }
            if (a.isTextual() && b.isTextual()) {
                return a.textValue().compareTo(b.textValue());
            }
            throw TpufError.badRequest(
                    "💔 filter error: type mismatch, cannot compare " + Values.kind(a) + " with " + Values.kind(b));
        }
    }
}
