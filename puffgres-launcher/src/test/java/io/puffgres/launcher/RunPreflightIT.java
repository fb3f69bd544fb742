package io.puffgres.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.puffgres.cli.ExitCode;
import io.puffgres.emulator.EmulatorExtension;
import io.puffgres.testkit.PostgresDatabase;
import io.puffgres.testkit.ProjectFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What {@code puffgres run} and {@code puffgres apply} refuse before they change anything, against a real Postgres:
 * tables the application could no longer update once published, a table Flink CDC cannot split, and mappings that do
 * not match the database, every finding in one pass.
 */
class RunPreflightIT {

    @RegisterExtension
    static final PostgresDatabase db = new PostgresDatabase();

    @RegisterExtension
    static final EmulatorExtension tpuf = new EmulatorExtension();

    /** Adds migration {@code 0002_<table>.toml} (identity transform) to the project. */
    private static Path second(CliProject p, String table, String columns, String rest) throws Exception {
        Path file = p.dir().resolve("puffgres/migrations/0002_" + table + ".toml");
        Files.writeString(file, ProjectFiles.migration(2, table, table, table, columns, rest));
        return file;
    }

    private static List<String> err(ValidateCommandTest.Result r) {
        return r.err().lines().toList();
    }

    @Test
    void tablesWithoutAReplicaIdentityAreRefusedBeforeThePublicationIsTouched() throws Exception {
        CliProject p = CliProject.create(db, tpuf, "ri_run");
        db.execute(
                "INSERT INTO ri_run VALUES (1, 'one')",
                "ALTER TABLE ri_run REPLICA IDENTITY NOTHING",
                "CREATE TABLE ri_run_bare (id bigint, title text)",
                "INSERT INTO ri_run_bare VALUES (1, 'one')");
        second(p, "ri_run_bare", "\"id\", \"title\"", "");
        assertThat(p.run("apply").exitCode()).isEqualTo(ExitCode.OK);

        ValidateCommandTest.Result r = p.run("run", "--create-slot", "--web-ui-port", "-1");
        assertThat(r.exitCode()).as(r.err()).isEqualTo(ExitCode.PREFLIGHT);
        String refused = ": once the table is published, Postgres refuses every UPDATE and DELETE of the application"
                + " on it (\"cannot update table ... because it does not have a replica identity and publishes"
                + " updates\"), even after puffgres stops; puffgres run does not publish it";
        assertThat(err(r))
                .containsSubsequence(
                        "FAIL replica identity public.ri_run: NOTHING" + refused,
                        "     fix: ALTER TABLE \"public\".\"ri_run\" REPLICA IDENTITY DEFAULT;",
                        "FAIL replica identity public.ri_run_bare: DEFAULT without a primary key" + refused,
                        "     fix: ALTER TABLE \"public\".\"ri_run_bare\" REPLICA IDENTITY FULL;",
                        "FAIL snapshot key: public.ri_run_bare has no primary key, and its id column id is not a unique"
                                + " NOT NULL column: Flink CDC cannot split its snapshot, and the job would restart"
                                + " without end",
                        "     fix: ALTER TABLE \"public\".\"ri_run_bare\" ADD PRIMARY KEY (\"id\"); (the id must be"
                                + " unique and NOT NULL)",
                        "error: 3 findings before the start (above); nothing was changed",
                        "hint: apply the fixes above, then puffgres run again (puffgres doctor shows every check)");
        assertThat(db.query("SELECT 1 FROM pg_publication WHERE pubname = 'ri_run'"))
                .as("no publication created")
                .isEmpty();
        assertThat(db.query("SELECT 1 FROM pg_replication_slots WHERE slot_name = 'ri_run'"))
                .as("no slot created")
                .isEmpty();
        // the application's own writes still work
        db.execute(
                "UPDATE ri_run SET title = 'changed' WHERE id = 1",
                "DELETE FROM ri_run_bare WHERE id = 1",
                "UPDATE ri_run_bare SET title = 'x'");
    }

    @Test
    void aPublishedTableThatLosesItsIdentityIsRefusedAndTheApplicationKeepsWriting() throws Exception {
        CliProject p = CliProject.create(db, tpuf, "ri_pub");
        db.execute(
                "INSERT INTO ri_pub VALUES (1, 'one')",
                "CREATE TABLE ri_other_pub_table_none (id bigint PRIMARY KEY)",
                "CREATE PUBLICATION ri_pub FOR TABLE ri_other_pub_table_none",
                "ALTER TABLE ri_pub REPLICA IDENTITY NOTHING");
        ValidateCommandTest.Result r = p.run("run", "--create-slot", "--web-ui-port", "-1");
        assertThat(r.exitCode()).as(r.err()).isEqualTo(ExitCode.PREFLIGHT);
        assertThat(err(r))
                .containsExactly(
                        "error: replica identity public.ri_pub: NOTHING: once the table is published, Postgres refuses"
                                + " every UPDATE and DELETE of the application on it (\"cannot update table ... because"
                                + " it does not have a replica identity and publishes updates\"), even after puffgres"
                                + " stops; puffgres run does not publish it",
                        "hint: ALTER TABLE \"public\".\"ri_pub\" REPLICA IDENTITY DEFAULT; (nothing was changed)");
        assertThat(db.query("SELECT tablename FROM pg_publication_tables WHERE pubname = 'ri_pub'"))
                .extracting(row -> row.get("tablename"))
                .containsExactly("ri_other_pub_table_none");
        db.execute("UPDATE ri_pub SET title = 'changed' WHERE id = 1", "DELETE FROM ri_pub WHERE id = 1");
    }

    @Test
    void mappingsThatNoLongerMatchTheDatabaseAreRefusedWithTheirFileAndLine() throws Exception {
        CliProject p = CliProject.create(db, tpuf, "cat_run");
        db.execute("CREATE TABLE cat_items (id bigint PRIMARY KEY, n int, title text, extra text)");
        Path file = second(
                p,
                "cat_items",
                "\"id\",\n  \"n\",\n  \"title\",\n  \"extra\"",
                "[membership]\nmode = \"dsl\"\npredicate = \"n = '5' AND title = 'x'\"\n");
        assertThat(p.run("apply").exitCode()).isEqualTo(ExitCode.OK);
        db.execute(
                "ALTER TABLE cat_items DROP COLUMN extra",
                "ALTER TABLE cat_items ALTER COLUMN title TYPE int USING 0",
                "DROP TABLE cat_run");

        ValidateCommandTest.Result r = p.run("run", "--create-slot", "--web-ui-port", "-1");
        assertThat(r.exitCode()).as(r.err()).isEqualTo(ExitCode.INVALID_CONFIG);
        String items = "puffgres/migrations/0002_cat_items.toml";
        String run = "puffgres/migrations/0001_cat_run.toml";
        assertThat(err(r))
                .containsSubsequence(
                        "FAIL mapping cat_run: " + run + ":7:1: source.table: relation public.cat_run does not exist",
                        "     fix: correct source.table in " + run + " (once applied: in a new version of the"
                                + " mapping), or the database",
                        "FAIL mapping cat_items: " + items + ":7:3: columns: column \"extra\" does not exist in"
                                + " public.cat_items",
                        "FAIL mapping cat_items: " + items + ":17:1: membership.predicate: invalid input syntax for"
                                + " type integer: \"x\" in public.cat_items",
                        "error: 3 findings before the start (above); nothing was changed");
        assertThat(Files.readString(file).lines().toList().get(6)).isEqualTo("  \"extra\"]");
        assertThat(db.query("SELECT 1 FROM pg_publication WHERE pubname = 'cat_run'"))
                .isEmpty();
    }

    @Test
    void applyRefusesPendingMigrationsThatDoNotMatchTheDatabaseAndRecordsNothing() throws Exception {
        CliProject p = CliProject.create(db, tpuf, "cat_apply");
        db.execute("CREATE TABLE cat_pending (id bigint PRIMARY KEY, n int, title text)");
        second(
                p,
                "cat_pending",
                "\"id\", \"n\", \"title\", \"nosuchcol\"",
                "[membership]\nmode = \"dsl\"\npredicate = \"n = 'abc' AND title = 5\"\n");
        ValidateCommandTest.Result r = p.run("apply");
        assertThat(r.exitCode()).as(r.err()).isEqualTo(ExitCode.INVALID_CONFIG);
        String file = "puffgres/migrations/0002_cat_pending.toml";
        assertThat(err(r))
                .containsExactly(
                        file + ":4:32: columns: column \"nosuchcol\" does not exist in public.cat_pending",
                        file + ":14:1: membership.predicate: invalid input syntax for type integer: \"abc\" in"
                                + " public.cat_pending",
                        file + ":14:1: membership.predicate: operator does not exist: text = integer (column"
                                + " \"title\") in public.cat_pending",
                        "error: 3 problem(s) (above): the pending migrations do not match the database",
                        "hint: correct the files or the database, then puffgres apply again; nothing was applied");
        assertThat(db.query("SELECT version FROM cat_apply.migrations"))
                .extracting(row -> row.get("version"))
                .containsExactly(1);
    }
}
