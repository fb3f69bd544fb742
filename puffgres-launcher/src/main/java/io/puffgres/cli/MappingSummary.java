package io.puffgres.cli;

import io.puffgres.migration.Migration;

/**
 * A mapping in one line, as {@code validate}, {@code apply} and {@code run} print it: {@code pages_public v2:
 * public.pages -> namespace pages_v2 (dsl: status = 'published', 7 columns, js transform)}.
 */
public final class MappingSummary {

    private MappingSummary() {}

    /** The one-line summary of {@code m}: name and version, source, namespace, membership, columns, transform kind. */
    public static String of(Migration m) {
        String membership = switch (m.membership().mode()) {
            case ALL -> "all rows";
            case DSL -> "dsl: " + m.membership().predicate().orElseThrow().text();
            case VIEW -> "view";
            case LOOKUP -> "lookup";
        };
        String source = m.source().isView()
                ? m.relation() + " (view"
                        + m.source().baseTable().map(t -> " over " + t).orElse("") + ")"
                : m.relation().toString();
        return String.format(
                "%s v%d: %s -> namespace %s (%s, %d columns, %s transform)",
                m.mappingName(),
                m.version(),
                source,
                m.namespace(),
                membership,
                m.columns().size(),
                m.transform().kind().name().toLowerCase());
    }
}
