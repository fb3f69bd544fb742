package io.puffgres.cli.generate;

import io.puffgres.cli.CliException;
import io.puffgres.cli.ExitCode;
import io.puffgres.cli.generate.PostgresCatalog.Column;
import io.puffgres.cli.generate.PostgresCatalog.Relation;
import io.puffgres.document.AttributeNames;
import io.puffgres.document.IdType;
import io.puffgres.event.PgType;
import io.puffgres.event.RelationId;
import io.puffgres.migration.IdSpec;
import io.puffgres.migration.Membership;
import io.puffgres.migration.Migration;
import io.puffgres.migration.Project;
import io.puffgres.migration.Source;
import io.puffgres.migration.TransformSpec;
import java.io.PrintWriter;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The questions of {@code puffgres generate}, in order: source, names, id, membership, columns, full-text
 * search, transform. A flag answers its question; otherwise the terminal asks it, or, without one
 * ({@code --yes}), its default is taken. A bad flag is a {@link CliException} under {@code --yes} and a note
 * followed by the question otherwise. Answers are checked against the database's real tables and types.
 */
final class GenerateWizard {

    private final GenerateFlags flags;
    private final PostgresCatalog catalog;
    private final Project project;
    private final Questions ask;

    /** @param prompts the terminal, or null to take defaults ({@code --yes}); notes then go to {@code out} */
    GenerateWizard(
            GenerateFlags flags, PostgresCatalog catalog, Project project, TerminalPrompts prompts, PrintWriter out) {
        this.flags = flags;
        this.catalog = catalog;
        this.project = project;
        this.ask = new Questions(prompts, out);
    }

    MigrationDraft run() throws SQLException {
        Relation relation = new SourceQuestions(flags, catalog, ask).relation();
        List<Column> columns = catalog.columns(relation.id());
        Optional<String> baseTable = relation.view()
                ? Optional.of(new SourceQuestions(flags, catalog, ask).baseTable(relation))
                : Optional.empty();
        int version =
                project.migrations().stream().mapToInt(Migration::version).max().orElse(0) + 1;
        String mapping = ask.text(
                new Questions.Text(
                        "--mapping",
                        "Mapping name",
                        "lower case letters, digits and _; a later version with the same name replaces this one",
                        true,
                        ExitCode.USAGE),
                flags.mapping,
                DraftChecks.mappingNameFor(relation.id().name()),
                DraftChecks::mappingName);
        noteExisting(mapping, version);
        String namespace = ask.text(
                new Questions.Text(
                        "--namespace",
                        "turbopuffer namespace",
                        "where the documents go; one mapping per namespace",
                        true,
                        ExitCode.USAGE),
                flags.namespace,
                defaultNamespace(mapping, version),
                ns -> DraftChecks.namespace(ns, mapping, project));
        Column id = idColumn(columns);
        if (!relation.view() && !catalog.replicaIdentityCovers(relation.id(), id.name())) {
            ask.note(relation.id() + "'s replica identity does not include " + id.name() + ", so a DELETE will not"
                    + " say which document to remove; run ALTER TABLE " + relation.id() + " REPLICA IDENTITY FULL");
        }
        IdType idType = idType(id);
        Membership membership = new MembershipQuestions(flags, catalog, ask).membership(relation, columns, id);
        List<String> selected = columns(columns, id, membership);
        List<String> fullText = fullText(columns, selected, id);
        TransformSpec transform =
                new TransformQuestions(flags, project, ask).transform(mapping, unstorable(selected, id));
        RelationId rel = relation.id();
        Source source = new Source(
                rel.schema(),
                relation.view() ? Optional.empty() : Optional.of(rel.name()),
                relation.view() ? Optional.of(rel.name()) : Optional.empty(),
                baseTable);
        return new MigrationDraft(
                version,
                mapping,
                namespace,
                selected,
                source,
                new IdSpec(id.name(), idType),
                membership,
                transform,
                fullText);
    }

    private void noteExisting(String mapping, int version) {
        project.effectiveMappings().stream()
                .filter(m -> m.mappingName().equals(mapping))
                .findFirst()
                .ifPresent(m -> ask.note("mapping " + mapping + " exists (v" + m.version() + ", namespace "
                        + m.namespace() + "); version " + version + " replaces it"));
    }

    private String defaultNamespace(String mapping, int version) {
        boolean existing = project.effectiveMappings().stream()
                .anyMatch(m -> m.mappingName().equals(mapping));
        // a new version of a mapping gets a fresh namespace, so apply can switch over when it is filled
        return existing || DraftChecks.namespace(mapping, mapping, project).isPresent()
                ? mapping + "_v" + version
                : mapping;
    }

    private Column idColumn(List<Column> columns) {
        List<Column> ordered = columns.stream()
                .sorted(Comparator.comparingInt(Column::key)
                        .thenComparing(
                                c -> c.key() == Column.NO_KEY && !c.name().equals("id")))
                .toList();
        List<Choice<Column>> choices = ordered.stream()
                .map(c -> new Choice<>(c, c.name(), c.sqlType() + keyNote(c)))
                .toList();
        return ask.choose("--id", flags.id, "Id column", choices, 0, Column::name, ExitCode.USAGE);
    }

    private static String keyNote(Column c) {
        return switch (c.key()) {
            case Column.PRIMARY_KEY -> ", primary key";
            case Column.UNIQUE_NOT_NULL -> ", unique, not null";
            default -> c.notNull() ? ", not null" : "";
        };
    }

    private IdType idType(Column id) {
        List<Choice<IdType>> choices = DraftChecks.idTypes(id.type()).stream()
                .map(t -> new Choice<>(t, t.spelling(), idTypeNote(t)))
                .toList();
        return ask.choose("--id-type", flags.idType, "Id type", choices, 0, IdType::spelling, ExitCode.USAGE);
    }

    private static String idTypeNote(IdType t) {
        return switch (t) {
            case UINT -> "unsigned 64-bit integer id";
            case INT -> "integer id; a negative value is an error";
            case UUID -> "UUID id";
            case STRING -> "text id, at most 64 bytes";
        };
    }

    /** The columns to read: the flag's or the user's pick, with the id and predicate columns always in. */
    private List<String> columns(List<Column> columns, Column id, Membership membership) {
        Set<String> required = required(id, membership);
        List<Choice<String>> choices = columns.stream()
                .map(c -> new Choice<>(c.name(), c.name(), c.sqlType() + columnNote(c, id, required)))
                .toList();
        Set<String> picked = new LinkedHashSet<>();
        if (flags.columns != null) {
            Set<String> known = columns.stream().map(Column::name).collect(Collectors.toSet());
            List<String> unknown =
                    flags.columns.stream().filter(c -> !known.contains(c)).toList();
            if (unknown.isEmpty()) {
                picked.addAll(flags.columns);
                ask.answered("Columns to read", String.join(", ", flags.columns), "--columns");
            } else {
                ask.rejectFlag(
                        "--columns",
                        "no column " + String.join(", ", unknown) + " in the source",
                        "its columns: " + names(columns),
                        ExitCode.USAGE);
            }
        }
        if (picked.isEmpty() && ask.interactive()) {
            Set<Integer> preselected = new LinkedHashSet<>();
            Map<Integer, String> locked = new LinkedHashMap<>();
            for (int i = 0; i < columns.size(); i++) {
                String name = columns.get(i).name();
                if (name.equals(id.name())) {
                    locked.put(i, "it is the id column");
                } else if (required.contains(name)) {
                    locked.put(i, "the predicate reads it");
                }
            }
            picked.addAll(ask.multiSelect("Columns to read", choices, preselected, locked));
        } else if (picked.isEmpty()) {
            // without a terminal: every column turbopuffer can store
            columns.stream()
                    .map(Column::name)
                    .filter(c ->
                            c.equals(id.name()) || AttributeNames.problem(c).isEmpty())
                    .forEach(picked::add);
        }
        picked.addAll(required);
        return columns.stream().map(Column::name).filter(picked::contains).toList();
    }

    private static String columnNote(Column c, Column id, Set<String> required) {
        if (c.name().equals(id.name())) {
            return ", the id";
        }
        if (required.contains(c.name())) {
            return ", read by the predicate";
        }
        return AttributeNames.problem(c.name())
                .map(p -> ", not storable as is: " + p)
                .orElse("");
    }

    private static Set<String> required(Column id, Membership membership) {
        Set<String> required = new LinkedHashSet<>();
        required.add(id.name());
        membership.predicate().ifPresent(p -> required.addAll(p.columns()));
        return required;
    }

    /** Why selected columns (but the id) cannot be attributes as they are; only a js/java transform fits then. */
    private static List<String> unstorable(List<String> selected, Column id) {
        return selected.stream()
                .filter(c -> !c.equals(id.name()))
                .flatMap(c -> AttributeNames.problem(c).stream())
                .toList();
    }

    private List<String> fullText(List<Column> columns, List<String> selected, Column id) {
        List<Choice<String>> candidates = columns.stream()
                .filter(c -> selected.contains(c.name()) && !c.name().equals(id.name()))
                .filter(c -> !c.type().array() && c.type().category() == PgType.Category.TEXT)
                .map(c -> new Choice<>(c.name(), c.name(), c.sqlType()))
                .toList();
        if (flags.fullText != null) {
            Set<String> allowed = candidates.stream().map(Choice::value).collect(Collectors.toSet());
            List<String> wrong =
                    flags.fullText.stream().filter(c -> !allowed.contains(c)).toList();
            if (wrong.isEmpty()) {
                ask.answered("Full-text search on", String.join(", ", flags.fullText), "--full-text");
                return selected.stream().filter(flags.fullText::contains).toList();
            }
            ask.rejectFlag(
                    "--full-text",
                    String.join(", ", wrong) + " is not a selected text column",
                    "selected text columns: " + (allowed.isEmpty() ? "none" : String.join(", ", allowed)),
                    ExitCode.USAGE);
        }
        if (candidates.isEmpty() || !ask.interactive()) {
            return List.of();
        }
        return ask.multiSelect("Full-text search on", candidates, Set.of(), Map.of());
    }

    /** The columns of {@code columns} by name with their types, as the predicate binds them. */
    static Map<String, PgType> types(List<Column> columns) {
        Map<String, PgType> types = new LinkedHashMap<>();
        columns.forEach(c -> types.put(c.name(), c.type()));
        return types;
    }

    static String names(List<Column> columns) {
        List<String> names = new ArrayList<>();
        columns.forEach(c -> names.add(c.name()));
        return String.join(", ", names);
    }
}
