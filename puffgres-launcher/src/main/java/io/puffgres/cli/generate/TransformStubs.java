package io.puffgres.cli.generate;

import io.puffgres.document.AttributeNames;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The starting points {@code puffgres generate} writes for a js or java transform. Each returns the selected
 * columns (but the id) as attributes of the same name, like the identity transform, so it loads and runs as
 * written; the user edits it from there. Columns that cannot be turbopuffer attribute names are left out, with
 * a comment saying why.
 */
final class TransformStubs {

    private static final Pattern JS_IDENTIFIER = Pattern.compile("[A-Za-z_$][A-Za-z0-9_$]*");

    private TransformStubs() {}

    /** An ES module exporting {@code transform(row, ctx)}. */
    static String js(MigrationDraft d) {
        StringBuilder sb = new StringBuilder();
        sb.append("// Turns a row of ")
                .append(d.source().relation())
                .append(" into a turbopuffer document (written by puffgres generate; see docs/transforms.md).\n");
        sb.append("// row: the selected columns; ctx: { id, op, lsn, table, commitTime, embed(text) }.\n");
        sb.append("// Return the attributes to upsert, null to skip the row, or { $delete: true } to delete it.\n");
        sb.append("export function transform(row, ctx) {\n  return {\n");
        for (String column : d.attributeColumns()) {
            Optional<String> problem = AttributeNames.problem(column);
            if (problem.isPresent()) {
                sb.append("    // left out: ").append(problem.get()).append('\n');
                continue;
            }
            boolean bare = JS_IDENTIFIER.matcher(column).matches();
            String key = bare ? column : MigrationFiles.quote(column);
            String read = bare ? "row." + column : "row[" + MigrationFiles.quote(column) + "]";
            sb.append("    ").append(key).append(": ").append(read).append(",\n");
        }
        return sb.append("  };\n}\n").toString();
    }

    /** A class implementing {@code io.puffgres.transform.Transform}, in the package its name gives. */
    static String java(MigrationDraft d) {
        String className = d.transform().className().orElseThrow();
        int dot = className.lastIndexOf('.');
        StringBuilder sb = new StringBuilder();
        if (dot > 0) {
            sb.append("package ").append(className, 0, dot).append(";\n\n");
        }
        List<String> copied = d.attributeColumns().stream()
                .filter(c -> AttributeNames.problem(c).isEmpty())
                .toList();
        sb.append(String.join(
                "\n",
                "import io.puffgres.document.DocId;",
                "import io.puffgres.document.Document;",
                "import io.puffgres.document.ValueConverter;",
                "import io.puffgres.event.Row;",
                "import io.puffgres.event.RowEvent;",
                "import io.puffgres.transform.Action;",
                "import io.puffgres.transform.Transform;",
                "import io.puffgres.transform.TransformContext;",
                "import java.util.LinkedHashMap;",
                "import java.util.List;",
                "import java.util.Map;",
                "import java.util.Optional;",
                "",
                "/**",
                " * Turns a row of " + d.source().relation() + " into a turbopuffer document (written by puffgres"
                        + " generate; see",
                " * docs/transforms.md). Edit apply() to shape the document.",
                " */",
                "public class " + className.substring(dot + 1) + " implements Transform {",
                "",
                "    /** The columns copied into attributes of the same name. */",
                "    private static final List<String> COLUMNS = List.of("
                        + copied.stream().map(TransformStubs::javaString).collect(Collectors.joining(", ")) + ");",
                "",
                "    @Override",
                "    public Action apply(RowEvent event, DocId id, TransformContext ctx) {",
                "        Row row = event.after();",
                "        Map<String, Object> attributes = new LinkedHashMap<>();",
                "        for (String column : COLUMNS) {",
                "            // converts the value as the identity transform does (docs/types.md)",
                "            Optional<String> problem =",
                "                    ValueConverter.put(attributes, column, row.type(column), row.get(column), null);",
                "            if (problem.isPresent()) {",
                "                return new Action.Error(\"type\", problem.get(), \"\");",
                "            }",
                "        }",
                "        return new Action.Upsert(new Document(id, attributes));",
                "    }",
                "}",
                ""));
        return sb.toString();
    }

    /** A Java string literal; control characters as octal escapes (a {@code \\u} escape would end the line). */
    private static String javaString(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20) {
                sb.append('\\').append(Integer.toOctalString(c));
            } else {
                sb.append(c);
            }
        }
        return sb.append('"').toString();
    }
}
