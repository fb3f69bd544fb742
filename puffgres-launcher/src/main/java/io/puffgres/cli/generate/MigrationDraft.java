package io.puffgres.cli.generate;

import io.puffgres.migration.IdSpec;
import io.puffgres.migration.Membership;
import io.puffgres.migration.Source;
import io.puffgres.migration.TransformSpec;
import java.util.List;

/**
 * The answers of {@code puffgres generate}: everything the new migration file (and its transform stub) says.
 * Immutable; built only from checked answers, so the file it renders is valid.
 *
 * @param columns the selected columns in table order (the id column and the predicate's columns among them)
 * @param transform for js and java, {@code path} is the stub's path relative to {@code puffgres/}
 * @param fullText columns that get {@code { type = "string", full_text_search = true }} in {@code [tp_schema]}
 */
record MigrationDraft(
        int version,
        String mappingName,
        String namespace,
        List<String> columns,
        Source source,
        IdSpec id,
        Membership membership,
        TransformSpec transform,
        List<String> fullText) {

    MigrationDraft {
        columns = List.copyOf(columns);
        fullText = List.copyOf(fullText);
    }

    /** {@code puffgres/migrations/0003_pages.toml}: the version as four (or more) digits, then the mapping name. */
    String fileName() {
        return String.format("%04d_%s.toml", version, mappingName);
    }

    /** The columns the transform turns into attributes: every selected column but the id. */
    List<String> attributeColumns() {
        return columns.stream().filter(c -> !c.equals(id.column())).toList();
    }
}
