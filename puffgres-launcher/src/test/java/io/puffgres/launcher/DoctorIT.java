package io.puffgres.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.puffgres.cli.ExitCode;
import io.puffgres.emulator.Emulator;
import io.puffgres.emulator.EmulatorExtension;
import io.puffgres.testkit.PostgresDatabase;
import io.puffgres.testkit.ProjectFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code puffgres doctor} against a real Postgres and the emulator: each check passing, and each finding's fix. */
class DoctorIT {

    @RegisterExtension
    static final PostgresDatabase db = new PostgresDatabase();

    @RegisterExtension
    static final EmulatorExtension tpuf = new EmulatorExtension();

    private static final String UNLIMITED =
            " of WAL (max_slot_wal_keep_size = -1: unlimited, a stopped job keeps WAL until the disk fills)";

    /** A project named {@code name} (also its slot and publication) with one identity mapping per table. */
    private static Path project(String name, String turbopufferUrl, String... tables) throws Exception {
        Path dir = Files.createTempDirectory("puffgres-doctor-");
        ProjectFiles.writeConfig(dir, db.jdbcUrl(), name, name, turbopufferUrl, 1000);
        for (int i = 0; i < tables.length; i++) {
            Files.writeString(
                    dir.resolve("puffgres/migrations/000" + (i + 1) + "_" + tables[i] + ".toml"),
                    String.join(
                            "\n",
                            "version = " + (i + 1),
                            "mapping_name = \"" + tables[i] + "\"",
                            "namespace = \"" + tables[i] + "\"",
                            "columns = [\"id\", \"title\"]",
                            "[source]",
                            "table = \"" + tables[i] + "\"",
                            "[id]",
                            "column = \"id\"",
                            "type = \"uint\"",
                            ""));
        }
        return dir;
    }

    /** Makes the project connect as {@code role} instead of postgres, and appends {@code toml} to puffgres.toml. */
    private static void connectAs(Path dir, String role, String toml) throws Exception {
        Path file = dir.resolve("puffgres.toml");
        Files.writeString(
                file,
                Files.readString(file)
                                .replace("?user=postgres", "")
                                .replace("user = \"postgres\"", "user = \"" + role + "\"")
                        + toml);
    }

    private static ValidateCommandTest.Result doctor(Path dir, String... more) {
        return doctor(Map.of(), dir, more);
    }

    private static ValidateCommandTest.Result doctor(Map<String, String> env, Path dir, String... more) {
        String[] args = new String[more.length + 3];
        args[0] = "doctor";
        args[1] = "--project";
        args[2] = dir.toString();
        System.arraycopy(more, 0, args, 3, more.length);
        return ValidateCommandTest.run(env, args);
    }

    private static List<String> lines(ValidateCommandTest.Result r) {
        return r.out().lines().toList();
    }

    @Test
    void aHealthySetupPassesEveryCheck() throws Exception {
        db.execute(
                "CREATE TABLE healthy (id bigint PRIMARY KEY, title text)",
                "SELECT pg_create_logical_replication_slot('healthy', 'pgoutput')");
        ValidateCommandTest.Result r = doctor(project("healthy", tpuf.baseUrl(), "healthy"));
        assertThat(r.exitCode()).isEqualTo(ExitCode.OK);
        assertThat(r.err()).isEmpty();
        List<String> out = lines(r);
        assertThat(out.get(9)).matches("ok   wal retained: \"healthy\" holds \\d+(\\.\\d)? (B|KiB|MiB)\\Q" + UNLIMITED);
        assertThat(out)
                .containsExactly(
                        "checking for stream mode (pgoutput over the replication protocol) on slot healthy; --poll"
                                + " checks poll mode",
                        "ok   wal_level: logical",
                        "ok   role: \"postgres\" is a superuser",
                        "ok   state schema puffgres: does not exist yet; puffgres apply creates it",
                        "ok   mapping healthy: matches public.healthy (2 columns, id id)",
                        "ok   select public.healthy: readable by \"postgres\"",
                        "ok   replica identity public.healthy: DEFAULT: primary key (id) includes id",
                        "ok   publication: \"healthy\" does not exist yet; puffgres run creates it for public.healthy",
                        "ok   slot: \"healthy\" exists (pgoutput, not in use)",
                        out.get(9),
                        "ok   turbopuffer: " + tpuf.baseUrl() + " answered without an API key",
                        "doctor: all 10 checks ok");
    }

    @Test
    void aMissingSlotIsAFindingWithTheCreateSlotFix() throws Exception {
        db.execute("CREATE TABLE noslot (id bigint PRIMARY KEY, title text)");
        ValidateCommandTest.Result r = doctor(project("noslot", tpuf.baseUrl(), "noslot"));
        assertThat(r.exitCode()).isEqualTo(ExitCode.PREFLIGHT);
        assertThat(lines(r))
                .containsSubsequence(
                        "FAIL slot: \"noslot\" does not exist",
                        "     fix: puffgres run --create-slot (a new slot starts with a snapshot of the mapped tables)",
                        "skip wal retained: no slot yet")
                .endsWith("doctor: 1 finding(s) in 10 checks; apply the fixes above");
    }

    @Test
    void snapshotReaderSlotsLeftBehindAreFindingsWithTheWalTheyKeepAndTheDrop() throws Exception {
        db.execute(
                "CREATE TABLE leak (id bigint PRIMARY KEY, title text)",
                "SELECT pg_create_logical_replication_slot('leak', 'pgoutput')",
                // what kill -9 during the snapshot leaves: Flink CDC's reader slot <slot>_<subtask>
                "SELECT pg_create_logical_replication_slot('leak_0', 'pgoutput')",
                "SELECT pg_logical_emit_message(false, 'puffgres-test', repeat('x', 10000))",
                "SELECT pg_create_logical_replication_slot('leak_12', 'pgoutput')",
                // named otherwise: not a reader slot of "leak"
                "SELECT pg_create_logical_replication_slot('leak_old', 'pgoutput')",
                "SELECT pg_create_logical_replication_slot('leaky_0', 'pgoutput')",
                "SELECT pg_create_physical_replication_slot('leak_1')");
        try {
            ValidateCommandTest.Result r = doctor(project("leak", tpuf.baseUrl(), "leak"));
            assertThat(r.exitCode()).isEqualTo(ExitCode.PREFLIGHT);
            String named = " of WAL and nothing reads it: named like a snapshot reader slot of \"leak\", which a run"
                    + " that ends mid-snapshot (kill -9, a crash) leaves behind";
            List<String> out = lines(r);
            assertThat(out).filteredOn(l -> l.contains("leftover")).hasSize(2);
            int first = out.indexOf("ok   slot: \"leak\" exists (pgoutput, not in use)") + 2;
            assertThat(out.get(first))
                    .matches("FAIL leftover slot leak_0: \"leak_0\" holds \\d+\\.\\d (KiB|MiB)\\Q" + named);
            assertThat(out.get(first + 2))
                    .matches("FAIL leftover slot leak_12: \"leak_12\" holds \\d+(\\.\\d)? (B|KiB|MiB)\\Q" + named);
            assertThat(out)
                    .containsSubsequence(
                            out.get(first),
                            "     fix: unless another job reads it: SELECT pg_drop_replication_slot('leak_0'); (a"
                                    + " snapshot creates it again when it needs one)",
                            out.get(first + 2),
                            "     fix: unless another job reads it: SELECT pg_drop_replication_slot('leak_12'); (a"
                                    + " snapshot creates it again when it needs one)")
                    .endsWith("doctor: 2 finding(s) in 12 checks; apply the fixes above");
        } finally {
            db.execute(
                    "SELECT pg_drop_replication_slot('leak_1')"); // a physical slot is no database's: not dropped with
            // it
        }
    }

    @Test
    void replicaIdentitiesThatLeaveTheIdOutOfDeletesAreFindingsWithTheCheapestFix() throws Exception {
        db.execute(
                "CREATE TABLE ri_nothing (id bigint PRIMARY KEY, title text)",
                "ALTER TABLE ri_nothing REPLICA IDENTITY NOTHING",
                "CREATE TABLE ri_unique (id bigint NOT NULL, title text)",
                "CREATE UNIQUE INDEX ri_unique_id ON ri_unique (id)",
                "CREATE TABLE ri_bare (id bigint, title text)",
                "CREATE TABLE ri_other_key (code text PRIMARY KEY, id bigint, title text)",
                "CREATE TABLE ri_full (id bigint, title text)",
                "ALTER TABLE ri_full REPLICA IDENTITY FULL",
                "SELECT pg_create_logical_replication_slot('ri', 'pgoutput')");
        ValidateCommandTest.Result r =
                doctor(project("ri", tpuf.baseUrl(), "ri_nothing", "ri_unique", "ri_bare", "ri_other_key", "ri_full"));
        assertThat(r.exitCode()).isEqualTo(ExitCode.PREFLIGHT);
        String lost = "; a DELETE would not carry id, so deleted rows would stay in turbopuffer";
        String refused = ": once the table is published, Postgres refuses every UPDATE and DELETE of the application"
                + " on it (\"cannot update table ... because it does not have a replica identity and publishes"
                + " updates\"), even after puffgres stops; puffgres run does not publish it";
        assertThat(lines(r))
                .containsSubsequence(
                        "FAIL replica identity public.ri_nothing: NOTHING" + refused,
                        "     fix: ALTER TABLE \"public\".\"ri_nothing\" REPLICA IDENTITY DEFAULT;",
                        "FAIL replica identity public.ri_unique: DEFAULT without a primary key" + refused,
                        "     fix: ALTER TABLE \"public\".\"ri_unique\" REPLICA IDENTITY USING INDEX \"ri_unique_id\";",
                        "FAIL replica identity public.ri_bare: DEFAULT without a primary key" + refused,
                        "     fix: ALTER TABLE \"public\".\"ri_bare\" REPLICA IDENTITY FULL;",
                        "FAIL replica identity public.ri_other_key: DEFAULT: primary key (code) does not include id"
                                + lost,
                        "     fix: ALTER TABLE \"public\".\"ri_other_key\" REPLICA IDENTITY FULL;",
                        "ok   replica identity public.ri_full: FULL",
                        // ri_bare and ri_full have no primary key and no unique index on id
                        "FAIL snapshot key: public.ri_bare has no primary key, and its id column id is not a unique"
                                + " NOT NULL column: Flink CDC cannot split its snapshot, and the job would restart"
                                + " without end; public.ri_full has no primary key, and its id column id is not a"
                                + " unique NOT NULL column: Flink CDC cannot split its snapshot, and the job would"
                                + " restart without end",
                        "     fix: ALTER TABLE \"public\".\"ri_bare\" ADD PRIMARY KEY (\"id\"); (the id must be unique"
                                + " and NOT NULL) ALTER TABLE \"public\".\"ri_full\" ADD PRIMARY KEY (\"id\"); (the id"
                                + " must be unique and NOT NULL)")
                .endsWith("doctor: 5 finding(s) in 23 checks; apply the fixes above");
    }

    @Test
    void aMoneyColumnIsNoFinding() throws Exception {
        // fills read money as text (JdbcRows), so a value of 1,000 or more ($1,234.56) no longer stops a snapshot
        db.execute(
                "CREATE TABLE priced (id bigint PRIMARY KEY, title text, price money, fee money)",
                "INSERT INTO priced VALUES (1, 'dear', 1234.56, 1000)",
                "SELECT pg_create_logical_replication_slot('priced', 'pgoutput')");
        ValidateCommandTest.Result r = doctor(project("priced", tpuf.baseUrl(), "priced"));
        assertThat(r.exitCode()).as(r.out()).isEqualTo(ExitCode.OK);
        assertThat(lines(r)).noneMatch(l -> l.startsWith("FAIL"));
    }

    @Test
    void aRoleWithoutReplicationOrReadAccessGetsTheGrants() throws Exception {
        db.execute(
                "CREATE TABLE owned (id bigint PRIMARY KEY, title text)",
                "DROP ROLE IF EXISTS doctor_plain",
                "CREATE ROLE doctor_plain LOGIN",
                "SELECT pg_create_logical_replication_slot('plain', 'pgoutput')");
        Path dir = project("plain", tpuf.baseUrl(), "owned");
        connectAs(dir, "doctor_plain", "");
        ValidateCommandTest.Result r = doctor(dir);
        assertThat(r.exitCode()).isEqualTo(ExitCode.PREFLIGHT);
        assertThat(lines(r))
                .containsSubsequence(
                        "FAIL role: \"doctor_plain\" has neither REPLICATION nor superuser, so it cannot read a"
                                + " replication slot",
                        "     fix: ALTER ROLE \"doctor_plain\" WITH REPLICATION;",
                        "FAIL state schema puffgres: does not exist, and \"doctor_plain\" cannot create it (no CREATE"
                                + " on the database): puffgres apply would fail with permission denied",
                        "     fix: CREATE SCHEMA \"puffgres\" AUTHORIZATION \"doctor_plain\";",
                        "FAIL select public.owned: \"doctor_plain\" cannot read it",
                        "     fix: GRANT SELECT ON \"public\".\"owned\" TO \"doctor_plain\";",
                        "ok   replica identity public.owned: DEFAULT: primary key (id) includes id",
                        "FAIL publication: \"doctor_plain\" does not own public.owned (owner \"postgres\"); puffgres"
                                + " run creates or alters the publication, which needs ownership of its tables",
                        "     fix: connect as the owner: [postgres] user = \"postgres\" in puffgres.toml",
                        "ok   slot: \"plain\" exists (pgoutput, not in use)")
                .endsWith("doctor: 4 finding(s) in 10 checks; apply the fixes above");
    }

    @Test
    void aPublicationThatLeavesOutDeletesIsAFinding() throws Exception {
        db.execute(
                "CREATE TABLE pub_a (id bigint PRIMARY KEY, title text)",
                "CREATE TABLE pub_b (id bigint PRIMARY KEY, title text)",
                "CREATE PUBLICATION partial FOR TABLE pub_b WITH (publish = 'insert, update')",
                "SELECT pg_create_logical_replication_slot('partial', 'pgoutput')");
        Path dir = project("partial", tpuf.baseUrl(), "pub_a");
        assertThat(lines(doctor(dir)))
                .contains(
                        "FAIL publication: \"partial\" does not publish delete, truncate, so those changes would never"
                                + " reach turbopuffer",
                        "     fix: ALTER PUBLICATION \"partial\" SET (publish = 'insert, update, delete, truncate');");
        db.execute("ALTER PUBLICATION partial SET (publish = 'insert, update, delete, truncate')");
        ValidateCommandTest.Result fixed = doctor(dir);
        assertThat(fixed.exitCode()).isEqualTo(ExitCode.OK);
        assertThat(lines(fixed))
                .contains("ok   publication: \"partial\" covers public.pub_b; puffgres run sets it to exactly"
                        + " public.pub_a");
    }

    @Test
    void wal2jsonIsCheckedOnItsSlotOrWithATemporaryOneAndTheSlotPluginMustMatch() throws Exception {
        db.execute(
                "CREATE TABLE w2j (id bigint PRIMARY KEY, title text)",
                "SELECT pg_create_logical_replication_slot('w2j', 'wal2json')",
                "SELECT pg_create_logical_replication_slot('w2j_pgoutput', 'pgoutput')");
        Path dir = project("w2j", tpuf.baseUrl(), "w2j");
        ValidateCommandTest.Result r = doctor(dir, "--plugin", "wal2json");
        assertThat(r.exitCode()).isEqualTo(ExitCode.OK);
        assertThat(lines(r))
                .contains(
                        "ok   slot: \"w2j\" exists (wal2json, not in use)",
                        "ok   wal2json: installed (\"w2j\" decoded with it)")
                .endsWith("doctor: all 11 checks ok");
        try (Connection c = db.connect();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(
                        "SELECT count(*) FROM pg_replication_slots WHERE slot_name LIKE 'puffgres_doctor_%'")) {
            rs.next();
            assertThat(rs.getInt(1)).isZero();
        }
        ValidateCommandTest.Result mismatch = doctor(dir, "--plugin", "wal2json", "--slot", "w2j_pgoutput");
        assertThat(mismatch.exitCode()).isEqualTo(ExitCode.PREFLIGHT);
        assertThat(lines(mismatch))
                .containsSubsequence(
                        "FAIL slot: \"w2j_pgoutput\" uses pgoutput, not wal2json",
                        "     fix: use --plugin pgoutput, or recreate it: SELECT"
                                + " pg_drop_replication_slot('w2j_pgoutput'); then puffgres run --create-slot"
                                + " --plugin wal2json",
                        "ok   wal2json: installed (a test slot with it was created and dropped)");
    }

    @Test
    void viewsAreCheckedWithTheirBaseTableAndLookupsByRunningTheirSql() throws Exception {
        db.execute(
                "CREATE TABLE lk_items (id bigint PRIMARY KEY, name text, price int)",
                "CREATE TABLE lk_prices (item_id bigint, currency text)",
                "CREATE VIEW lk_cheap AS SELECT id, name FROM lk_items WHERE price < 100",
                "CREATE VIEW lk_joined AS SELECT i.id, i.name FROM lk_items i JOIN lk_prices p ON p.item_id = i.id",
                "SELECT pg_create_logical_replication_slot('lk', 'pgoutput')");
        Path dir = project("lk", tpuf.baseUrl());
        String common =
                String.join("\n", "columns = [\"id\", \"name\"]", "[id]", "column = \"id\"", "type = \"uint\"", "");
        Files.writeString(
                dir.resolve("puffgres/migrations/0001_cheap.toml"),
                "version = 1\nmapping_name = \"cheap\"\nnamespace = \"cheap\"\n" + common
                        + "[source]\nview = \"lk_cheap\"\n[membership]\nmode = \"view\"\n");
        Files.writeString(
                dir.resolve("puffgres/migrations/0002_joined.toml"),
                "version = 2\nmapping_name = \"joined\"\nnamespace = \"joined\"\n" + common
                        + "[source]\nview = \"lk_joined\"\n[membership]\nmode = \"view\"\n");
        Files.writeString(
                dir.resolve("puffgres/migrations/0003_priced.toml"),
                "version = 3\nmapping_name = \"priced\"\nnamespace = \"priced\"\n" + common
                        + "[source]\ntable = \"lk_items\"\n[membership]\nmode = \"lookup\"\n"
                        + "sql = \"SELECT 1 FROM lk_price WHERE item_id = $1\"\n");
        ValidateCommandTest.Result r = doctor(dir);
        assertThat(r.exitCode()).isEqualTo(ExitCode.PREFLIGHT);
        assertThat(lines(r))
                .containsSubsequence(
                        "ok   mapping cheap: matches public.lk_cheap (2 columns, id id)",
                        "FAIL mapping priced: puffgres/migrations/0003_priced.toml:12:1: membership.sql: relation"
                                + " \"lk_price\" does not exist (at character 15 of the query)",
                        "     fix: correct membership.sql in puffgres/migrations/0003_priced.toml (once applied: in a"
                                + " new version of the mapping), or the database",
                        "skip relation checks priced: read access, replica identity and lookup not checked: the"
                                + " mapping does not match the database (above)",
                        "ok   select public.lk_cheap: readable by \"postgres\"",
                        "ok   select public.lk_items: readable by \"postgres\"",
                        "ok   replica identity public.lk_items: DEFAULT: primary key (id) includes id",
                        "ok   select public.lk_joined: readable by \"postgres\"",
                        "FAIL source joined: puffgres/migrations/0002_joined.toml: view public.lk_joined reads 2 tables"
                                + " [public.lk_items, public.lk_prices]; set source.base_table to the table whose"
                                + " changes should trigger lookups",
                        "     fix: set source.base_table in puffgres/migrations/0002_joined.toml to the table whose"
                                + " changes should trigger lookups",
                        "ok   publication: \"lk\" does not exist yet; puffgres run creates it for public.lk_items")
                .endsWith("doctor: 2 finding(s) in 16 checks; apply the fixes above");
    }

    @Test
    void aRejectedApiKeyIsAFindingNamingItsVariableAndNeverPrintingIt() throws Exception {
        db.execute(
                "CREATE TABLE keyed (id bigint PRIMARY KEY, title text)",
                "SELECT pg_create_logical_replication_slot('keyed', 'pgoutput')");
        try (Emulator secured = Emulator.start(0, null).requireApiKey("tpuf_right")) {
            Path dir = project("keyed", secured.baseUrl(), "keyed");
            ValidateCommandTest.Result wrong = doctor(Map.of("TURBOPUFFER_API_KEY", "tpuf_wrong"), dir);
            assertThat(wrong.exitCode()).isEqualTo(ExitCode.PREFLIGHT);
            assertThat(lines(wrong))
                    .containsSubsequence(
                            "FAIL turbopuffer: " + secured.baseUrl() + " rejected the API key in TURBOPUFFER_API_KEY"
                                    + " (401: " + "unauthorized: missing or invalid API key)",
                            "     fix: export TURBOPUFFER_API_KEY=<your turbopuffer API key> (the variable named by"
                                    + " [turbopuffer] api_key_env)",
                            "doctor: 1 finding(s) in 10 checks; apply the fixes above");
            assertThat(wrong.out() + wrong.err()).doesNotContain("tpuf_wrong");

            ValidateCommandTest.Result unset = doctor(dir);
            assertThat(lines(unset))
                    .contains("FAIL turbopuffer: " + secured.baseUrl() + " needs an API key, and TURBOPUFFER_API_KEY is"
                            + " not set (401: unauthorized: missing or invalid API key)");

            ValidateCommandTest.Result right = doctor(Map.of("TURBOPUFFER_API_KEY", "tpuf_right"), dir);
            assertThat(right.exitCode()).isEqualTo(ExitCode.OK);
            assertThat(lines(right))
                    .contains("ok   turbopuffer: " + secured.baseUrl()
                            + " answered; the API key in TURBOPUFFER_API_KEY was accepted");
        }
    }

    @Test
    void anUnreachablePostgresIsOneLineAndExitOne() throws Exception {
        Path dir = project("down", tpuf.baseUrl(), "down");
        Path toml = dir.resolve("puffgres.toml");
        Files.writeString(toml, Files.readString(toml).replaceAll("127\\.0\\.0\\.1:\\d+/", "127.0.0.1:1/"));
        ValidateCommandTest.Result r = doctor(dir);
        assertThat(r.exitCode()).isEqualTo(ExitCode.RUNTIME);
        assertThat(r.out()).isEmpty();
        List<String> err = r.err().lines().toList();
        assertThat(err).hasSize(2);
        assertThat(err.get(0)).startsWith("error: cannot check Postgres at jdbc:postgresql://127.0.0.1:1/");
        assertThat(err.get(1))
                .isEqualTo("hint: check [postgres] url, user and password_env in puffgres.toml, and that the server"
                        + " is up");
    }

    @Test
    void anInvalidProjectExitsThree() throws Exception {
        Path dir = project("invalid", tpuf.baseUrl(), "invalid");
        Files.writeString(dir.resolve("puffgres/migrations/0002_invalid.toml"), "version = 2\nnamespace = 7\n");
        ValidateCommandTest.Result r = doctor(dir);
        assertThat(r.exitCode()).isEqualTo(ExitCode.INVALID_CONFIG);
        assertThat(r.err()).contains("hint: run puffgres validate to see them all");
    }

    @Test
    void mappingsThatDoNotMatchTheCatalogAreFindingsAtTheirFileAndLine() throws Exception {
        db.execute(
                "CREATE TABLE cat (id bigint PRIMARY KEY, n int, title text)",
                "SELECT pg_create_logical_replication_slot('cat', 'pgoutput')");
        Path dir = project("cat", tpuf.baseUrl());
        Files.writeString(
                dir.resolve("puffgres/migrations/0001_cat.toml"),
                ProjectFiles.migration(
                        1,
                        "cat",
                        "cat",
                        "cat",
                        "\"id\", \"n\", \"title\", \"nosuchcol\"",
                        "[membership]\nmode = \"dsl\"\npredicate = \"n = 'abc' AND title = 5\"\n"));
        ValidateCommandTest.Result r = doctor(dir);
        assertThat(r.exitCode()).isEqualTo(ExitCode.PREFLIGHT);
        String file = "puffgres/migrations/0001_cat.toml";
        String fix = "     fix: correct %s in " + file + " (once applied: in a new version of the mapping), or the"
                + " database";
        assertThat(lines(r))
                .containsSubsequence(
                        "FAIL mapping cat: " + file
                                + ":4:32: columns: column \"nosuchcol\" does not exist in public.cat",
                        fix.formatted("columns"),
                        "FAIL mapping cat: " + file + ":14:1: membership.predicate: invalid input syntax for type"
                                + " integer: \"abc\" in public.cat",
                        fix.formatted("membership.predicate"),
                        "FAIL mapping cat: " + file + ":14:1: membership.predicate: operator does not exist: text ="
                                + " integer (column \"title\") in public.cat",
                        fix.formatted("membership.predicate"))
                .endsWith("doctor: 3 finding(s) in 11 checks; apply the fixes above");
    }

    @Test
    void aStateSchemaTheRoleCannotCreateTablesInGetsTheGrant() throws Exception {
        db.execute(
                "CREATE TABLE stated (id bigint PRIMARY KEY, title text)",
                "DROP ROLE IF EXISTS doctor_state",
                "CREATE ROLE doctor_state LOGIN REPLICATION",
                "GRANT SELECT ON stated TO doctor_state",
                "CREATE SCHEMA stated_state",
                "SELECT pg_create_logical_replication_slot('stated', 'pgoutput')");
        Path dir = project("stated", tpuf.baseUrl(), "stated");
        connectAs(dir, "doctor_state", "[state]\nschema = \"stated_state\"\n");
        ValidateCommandTest.Result r = doctor(dir);
        assertThat(lines(r))
                .as(r.err())
                .contains(
                        "FAIL state schema stated_state: \"doctor_state\" cannot use tables in it (the applied"
                                + " migrations and the DLQ): puffgres apply would fail with permission denied",
                        "     fix: GRANT USAGE, CREATE ON SCHEMA \"stated_state\" TO \"doctor_state\";");
        db.execute("GRANT USAGE, CREATE ON SCHEMA stated_state TO doctor_state");
        assertThat(lines(doctor(dir))).contains("ok   state schema stated_state: \"doctor_state\" can use it");
        // with the grant (and no CREATE on the database), apply records the migration in the existing schema
        ValidateCommandTest.Result applied = ValidateCommandTest.run("apply", "--project", dir.toString());
        assertThat(applied.exitCode()).as(applied.err()).isEqualTo(ExitCode.OK);
        // without CREATE, the tables run makes (the fill ledger; in poll mode the lease) are a finding
        db.execute("REVOKE CREATE ON SCHEMA stated_state FROM doctor_state");
        assertThat(lines(doctor(dir)))
                .anyMatch(l -> l.startsWith("FAIL state schema stated_state: \"doctor_state\" cannot create tables in"
                                + " it, and puffgres still has to make ")
                        && l.contains("the fill ledger")
                        && l.endsWith(": apply or run would fail with permission denied"))
                .contains("     fix: GRANT CREATE ON SCHEMA \"stated_state\" TO \"doctor_state\";");
    }
}
