package io.puffgres.cli.generate;

import io.puffgres.cli.CliException;
import io.puffgres.cli.ExitCode;
import io.puffgres.cli.generate.PostgresCatalog.Relation;
import io.puffgres.event.RelationId;
import java.sql.SQLException;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/** {@code puffgres generate}'s first questions: the table or view to map and, for a view, its base table. */
final class SourceQuestions {

    // a --yes error lists this many relations as a hint; more would bury the error line
    private static final int HINT_RELATIONS = 12;

    private final GenerateFlags flags;
    private final PostgresCatalog catalog;
    private final Questions ask;

    SourceQuestions(GenerateFlags flags, PostgresCatalog catalog, Questions ask) {
        this.flags = flags;
        this.catalog = catalog;
        this.ask = ask;
    }

    Relation relation() throws SQLException {
        if (flags.table != null && flags.view != null) {
            throw new CliException(ExitCode.USAGE, "give --table or --view, not both", "run puffgres generate --help");
        }
        List<Relation> all = catalog.relations();
        boolean wantView = flags.view != null;
        String given = wantView ? flags.view : flags.table;
        String flag = wantView ? "--view" : "--table";
        if (given != null) {
            List<Relation> found = find(all, given);
            String problem;
            if (found.size() == 1 && found.get(0).view() == wantView) {
                ask.answered("Table or view", found.get(0).id().toString(), flag);
                return found.get(0);
            } else if (found.isEmpty()) {
                problem = "no table or view " + given + " in the database";
            } else if (found.size() > 1) {
                problem = given + " names "
                        + found.stream().map(r -> r.id().toString()).collect(Collectors.joining(" and "))
                        + "; add the schema";
            } else {
                problem = found.get(0).id() + " is a " + found.get(0).kind() + "; use --"
                        + found.get(0).kind();
            }
            ask.rejectFlag(flag, problem, "tables and views: " + list(all), ExitCode.USAGE);
        }
        if (all.isEmpty()) {
            throw new CliException(
                    ExitCode.RUNTIME,
                    "the database has no table or view to map",
                    "check that [postgres] url in puffgres.toml names your application's database");
        }
        if (!ask.interactive()) {
            throw new CliException(ExitCode.USAGE, "--yes needs --table or --view", "tables and views: " + list(all));
        }
        List<Choice<Relation>> choices = all.stream()
                .map(r -> new Choice<>(r, r.id().toString(), r.kind()))
                .toList();
        return ask.select("Table or view", choices, 0);
    }

    /**
     * The table whose changes drive {@code view}, as {@code source.base_table} spells it (unqualified in the
     * view's schema).
     */
    String baseTable(Relation view) throws SQLException {
        List<RelationId> reads = catalog.viewTables(view.id());
        if (flags.baseTable != null) {
            List<Relation> found = find(catalog.relations(), flags.baseTable).stream()
                    .filter(r -> !r.view())
                    .toList();
            if (found.size() == 1) {
                return spell(view, found.get(0).id());
            }
            ask.rejectFlag(
                    "--base-table",
                    found.isEmpty() ? "no table " + flags.baseTable + " in the database" : "names several tables",
                    "the view reads: " + (reads.isEmpty() ? "no table" : join(reads)),
                    ExitCode.USAGE);
        }
        if (reads.size() == 1) {
            return spell(view, reads.get(0));
        }
        if (reads.isEmpty()) {
            throw new CliException(
                    ExitCode.USAGE,
                    "view " + view.id() + " reads no table; puffgres follows a table's changes to look rows up in"
                            + " the view",
                    "map a table, or a view over one");
        }
        if (!ask.interactive()) {
            throw new CliException(
                    ExitCode.USAGE,
                    "view " + view.id() + " reads " + join(reads) + "; --base-table says whose changes drive it",
                    "e.g. --base-table " + reads.get(0));
        }
        List<Choice<RelationId>> choices = reads.stream()
                .map(r -> new Choice<>(r, r.toString(), "its changes trigger lookups in the view"))
                .toList();
        return spell(view, ask.select("Base table", choices, 0));
    }

    /** Relations named {@code given} ({@code name} or {@code schema.name}); exact case first, then folded. */
    private static List<Relation> find(List<Relation> all, String given) {
        List<Relation> exact = all.stream().filter(r -> named(r.id(), given)).toList();
        if (!exact.isEmpty()) {
            return exact;
        }
        String folded = given.toLowerCase(Locale.ROOT);
        return all.stream().filter(r -> named(r.id(), folded)).toList();
    }

    private static boolean named(RelationId id, String given) {
        return given.contains(".") ? id.toString().equals(given) : id.name().equals(given);
    }

    private static String spell(Relation view, RelationId table) {
        return table.schema().equals(view.id().schema()) ? table.name() : table.toString();
    }

    private static String join(List<RelationId> ids) {
        return ids.stream().map(RelationId::toString).collect(Collectors.joining(", "));
    }

    private static String list(List<Relation> all) {
        if (all.isEmpty()) {
            return "none";
        }
        String shown =
                all.stream().limit(HINT_RELATIONS).map(r -> r.id().toString()).collect(Collectors.joining(", "));
        return all.size() > HINT_RELATIONS ? shown + ", … (" + all.size() + " in all)" : shown;
    }
}
