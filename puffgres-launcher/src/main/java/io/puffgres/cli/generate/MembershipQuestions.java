package io.puffgres.cli.generate;

import io.puffgres.cli.ExitCode;
import io.puffgres.cli.generate.PostgresCatalog.Column;
import io.puffgres.cli.generate.PostgresCatalog.Relation;
import io.puffgres.event.PgType;
import io.puffgres.migration.Membership;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code puffgres generate}'s membership question: every row, a DSL predicate (checked against the source's
 * real column types as it is typed), the view's own rows, or a lookup query (planned by Postgres).
 */
final class MembershipQuestions {

    private final GenerateFlags flags;
    private final PostgresCatalog catalog;
    private final Questions ask;

    MembershipQuestions(GenerateFlags flags, PostgresCatalog catalog, Questions ask) {
        this.flags = flags;
        this.catalog = catalog;
        this.ask = ask;
    }

    Membership membership(Relation relation, List<Column> columns, Column id) throws SQLException {
        List<Choice<String>> choices = new ArrayList<>();
        choices.add(new Choice<>("all", "all", "every row of the source"));
        choices.add(new Choice<>("dsl", "dsl", "rows matching a predicate, e.g. status = 'published'"));
        if (relation.view()) {
            choices.add(new Choice<>("view", "view", "the rows the view returns"));
        }
        choices.add(new Choice<>("lookup", "lookup", "rows a SQL query finds, with $1 = the id"));
        String preferred =
                flags.predicate != null ? "dsl" : flags.lookupSql != null ? "lookup" : relation.view() ? "view" : "all";
        int dflt = choices.stream().map(Choice::value).toList().indexOf(preferred);
        String mode = ask.choose("--membership", flags.membership, "Membership", choices, dflt, v -> v, ExitCode.USAGE);
        if (flags.predicate != null && !mode.equals("dsl")) {
            ask.rejectFlag(
                    "--predicate",
                    "is only used with --membership dsl",
                    "drop it or use --membership dsl",
                    ExitCode.USAGE);
        }
        if (flags.lookupSql != null && !mode.equals("lookup")) {
            ask.rejectFlag(
                    "--lookup-sql",
                    "is only used with --membership lookup",
                    "drop it or use --membership lookup",
                    ExitCode.USAGE);
        }
        return switch (mode) {
            case "dsl" -> predicate(columns);
            case "view" -> new Membership(Membership.Mode.VIEW, Optional.empty(), Optional.empty());
            case "lookup" -> lookup(id);
            default -> Membership.all();
        };
    }

    private Membership predicate(List<Column> columns) throws SQLException {
        Map<String, PgType> types = GenerateWizard.types(columns);
        String text = ask.text(
                new Questions.Text(
                        "--predicate",
                        "Predicate",
                        "columns: " + GenerateWizard.names(columns) + " (syntax: docs/predicates.md)",
                        true,
                        ExitCode.INVALID_CONFIG),
                flags.predicate,
                null,
                t -> DraftChecks.predicate(t, types));
        return new Membership(Membership.Mode.DSL, Optional.of(DraftChecks.parsedPredicate(text)), Optional.empty());
    }

    private Membership lookup(Column id) throws SQLException {
        String sql = ask.text(
                new Questions.Text(
                        "--lookup-sql",
                        "Lookup SQL",
                        "a row back means member; $1 is the row's id, e.g. SELECT 1 FROM paid_orders WHERE order_id"
                                + " = $1",
                        false,
                        ExitCode.INVALID_CONFIG),
                flags.lookupSql,
                null,
                text -> {
                    Optional<InputProblem> shape = DraftChecks.lookupShape(text);
                    if (shape.isPresent()) {
                        return shape;
                    }
                    return catalog.checkLookup(text, id.sqlType())
                            .map(p -> new InputProblem(
                                    (p.position() > 0 ? "1:" + p.position() + ": " : "") + "Postgres: " + p.message(),
                                    p.position()));
                });
        return new Membership(Membership.Mode.LOOKUP, Optional.empty(), Optional.of(sql));
    }
}
