package io.puffgres.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.puffgres.cli.ExitCode;
import io.puffgres.emulator.EmulatorExtension;
import io.puffgres.testkit.PostgresDatabase;
import io.puffgres.testkit.ProjectFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What {@code puffgres doctor} and {@code puffgres run} check in poll mode, against a real Postgres: the server
 * version, the slot functions, wal2json (read from the job's slot without consuming it), a free slot for the reading
 * slot {@code <slot>_poll}, a job slot that uses pgoutput, and partitioned tables; each finding with its fix.
 */
class DoctorPollIT {

    @RegisterExtension
    static final PostgresDatabase db = new PostgresDatabase();

    @RegisterExtension
    static final EmulatorExtension tpuf = new EmulatorExtension();

    private static final String SLOT_FUNCTIONS = "pg_copy_logical_replication_slot, pg_logical_slot_get_changes,"
            + " pg_replication_slot_advance, pg_drop_replication_slot";

    /** A project named {@code name} (also its slot and publication) mirroring table {@code name}; {@code toml} added. */
    private static Path project(String name, String toml) throws Exception {
        Path dir = Files.createTempDirectory("puffgres-doctor-poll-");
        ProjectFiles.writeConfig(dir, db.jdbcUrl(), name, name, tpuf.baseUrl(), 1000);
        Files.writeString(dir.resolve("puffgres.toml"), Files.readString(dir.resolve("puffgres.toml")) + toml);
        Files.writeString(
                dir.resolve("puffgres/migrations/0001_" + name + ".toml"),
                ProjectFiles.migration(1, name, name, name, "\"id\", \"title\"", ""));
        return dir;
    }

    private static ValidateCommandTest.Result doctor(Path dir, String... more) {
        List<String> args = new ArrayList<>(List.of("doctor", "--project", dir.toString()));
        args.addAll(List.of(more));
        return ValidateCommandTest.run(Map.of(), args.toArray(String[]::new));
    }

    private static List<String> lines(ValidateCommandTest.Result r) {
        return r.out().lines().toList();
    }

    private static String serverVersion() throws Exception {
        try (Connection c = db.connect();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SHOW server_version")) {
            rs.next();
            return rs.getString(1);
        }
    }

    @Test
    void aHealthySetupPassesThePollChecksAndDoctorSaysWhichModeItChecked() throws Exception {
        db.execute(
                "CREATE TABLE polled (id bigint PRIMARY KEY, title text)",
                "SELECT pg_create_logical_replication_slot('polled', 'wal2json')",
                "INSERT INTO polled VALUES (1, 'one')");
        Path dir = project("polled", "[source]\nmode = \"poll\"\n");
        ValidateCommandTest.Result r = doctor(dir);
        assertThat(r.exitCode()).as(r.out() + r.err()).isEqualTo(ExitCode.OK);
        assertThat(lines(r))
                .startsWith("checking for poll mode (wal2json over plain SQL, [source] mode = \"poll\") on slot polled")
                .containsSubsequence(
                        "ok   slot: \"polled\" exists (wal2json, not in use)",
                        "ok   server version: PostgreSQL " + serverVersion() + " (poll mode needs 12 or later)",
                        "ok   slot functions: \"postgres\" may call " + SLOT_FUNCTIONS,
                        "ok   poll lease: no other run polls \"polled\"",
                        "ok   wal2json: installed (\"polled\" decoded with it in format 2, as poll mode reads it)")
                .endsWith("doctor: all 15 checks ok")
                .anyMatch(l -> l.matches("ok   poll slot: \"polled_poll\" does not exist yet; the poll source makes it"
                        + " as a copy of \"polled\" \\(\\d+ of max_replication_slots = 20 free\\)"));
        try (Connection c = db.connect();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(
                        "SELECT count(*) FROM pg_logical_slot_peek_changes('polled', NULL, NULL, 'format-version', '2')")) {
            rs.next();
            assertThat(rs.getInt(1))
                    .as("the check consumed nothing of the slot")
                    .isEqualTo(3);
        }

        ValidateCommandTest.Result stream = doctor(dir, "--slot", "polled");
        assertThat(lines(stream))
                .as("the flag and the environment pick the mode as for run")
                .first()
                .isEqualTo("checking for poll mode (wal2json over plain SQL, [source] mode = \"poll\") on slot"
                        + " polled");
        ValidateCommandTest.Result streamed = ValidateCommandTest.run(
                Map.of("PUFFGRES_SOURCE_MODE", "stream"),
                "doctor",
                "--project",
                dir.toString(),
                "--plugin",
                "wal2json");
        assertThat(lines(streamed))
                .first()
                .isEqualTo("checking for stream mode (wal2json over the replication protocol) on slot polled; --poll"
                        + " checks poll mode");
        assertThat(lines(streamed)).noneMatch(l -> l.contains("poll slot"));
    }

    @Test
    void aPgoutputSlotCannotBePolledAndRunRefusesItBeforeAnythingIsWritten() throws Exception {
        CliProject p = CliProject.create(db, tpuf, "pgo_poll");
        db.execute("SELECT pg_create_logical_replication_slot('pgo_poll', 'pgoutput')");
        String finding = "slot: \"pgo_poll\" uses pgoutput, and poll mode reads wal2json over SQL: a pgoutput slot"
                + " cannot be polled";
        String fix = "poll a new wal2json slot: puffgres run --poll --slot NAME --create-slot (it starts with a fill of"
                + " the mapped tables), or stream this one without --poll ([source] mode = \"stream\")";
        ValidateCommandTest.Result doctor = doctor(p.dir(), "--poll");
        assertThat(doctor.exitCode()).isEqualTo(ExitCode.PREFLIGHT);
        assertThat(lines(doctor))
                .first()
                .isEqualTo("checking for poll mode (wal2json over plain SQL, --poll) on slot pgo_poll");
        assertThat(lines(doctor)).containsSubsequence("FAIL " + finding, "     fix: " + fix);

        ValidateCommandTest.Result run = p.run("run", "--poll", "--web-ui-port", "-1");
        assertThat(run.exitCode()).as(run.err()).isEqualTo(ExitCode.PREFLIGHT);
        assertThat(run.err()).isEqualTo("error: " + finding + "\nhint: " + fix + " (nothing was changed)\n");
        assertThat(number("SELECT count(*) FROM pg_publication WHERE pubname = 'pgo_poll'"))
                .as("nothing was written")
                .isZero();
    }

    @Test
    void aRoleWithoutReplicationOrWithARevokedSlotFunctionGetsTheGrant() throws Exception {
        db.execute(
                "CREATE TABLE rights (id bigint PRIMARY KEY, title text)",
                "SELECT pg_create_logical_replication_slot('rights', 'wal2json')",
                "DROP ROLE IF EXISTS poll_plain",
                "CREATE ROLE poll_plain LOGIN",
                "DROP ROLE IF EXISTS poll_rep",
                "CREATE ROLE poll_rep LOGIN REPLICATION");
        Path plain = project("rights", "");
        connectAs(plain, "poll_plain");
        assertThat(lines(doctor(plain, "--poll")))
                .containsSubsequence(
                        "FAIL role: \"poll_plain\" has neither REPLICATION nor superuser, so it cannot read a"
                                + " replication slot",
                        "skip slot functions: not checked: the role needs REPLICATION or superuser first (above)",
                        "skip wal2json: could not check: needs wal_level = logical and the replication right (above)");

        Path rep = project("rights", "");
        connectAs(rep, "poll_rep");
        db.execute("REVOKE EXECUTE ON FUNCTION pg_replication_slot_advance(name, pg_lsn) FROM PUBLIC");
        try {
            ValidateCommandTest.Result r = doctor(rep, "--poll");
            assertThat(r.exitCode()).isEqualTo(ExitCode.PREFLIGHT);
            assertThat(lines(r))
                    .containsSubsequence(
                            "ok   role: \"poll_rep\" has REPLICATION",
                            "FAIL slot functions: \"poll_rep\" may not call"
                                    + " pg_catalog.pg_replication_slot_advance(name,pg_lsn) (EXECUTE was revoked)",
                            "     fix: GRANT EXECUTE ON FUNCTION pg_catalog.pg_replication_slot_advance(name,pg_lsn)"
                                    + " TO \"poll_rep\";",
                            "ok   wal2json: installed (\"rights\" decoded with it in format 2, as poll mode reads it)");
        } finally {
            db.execute("GRANT EXECUTE ON FUNCTION pg_replication_slot_advance(name, pg_lsn) TO PUBLIC");
        }
        assertThat(lines(doctor(rep, "--poll")))
                .contains("ok   slot functions: \"poll_rep\" may call " + SLOT_FUNCTIONS);
    }

    @Test
    void everySlotTakenLeavesNoRoomForTheReadingSlot() throws Exception {
        db.execute(
                "CREATE TABLE crowded (id bigint PRIMARY KEY, title text)",
                "SELECT pg_create_logical_replication_slot('crowded', 'wal2json')");
        long used = number("SELECT count(*) FROM pg_replication_slots");
        long max = number("SELECT current_setting('max_replication_slots')::bigint");
        List<String> fillers = new ArrayList<>();
        for (long i = used; i < max; i++) {
            fillers.add("SELECT pg_create_physical_replication_slot('crowd_" + i + "')");
        }
        db.execute(fillers.toArray(String[]::new));
        try {
            ValidateCommandTest.Result r = doctor(project("crowded", ""), "--poll");
            assertThat(r.exitCode()).isEqualTo(ExitCode.PREFLIGHT);
            assertThat(lines(r))
                    .containsSubsequence(
                            "FAIL poll slot: \"crowded_poll\" does not exist, and the poll source needs a free slot for"
                                    + " it: 0 of max_replication_slots = " + max + " free",
                            "     fix: drop an unused slot (SELECT pg_drop_replication_slot('name');) or raise the"
                                    + " limit: ALTER SYSTEM SET max_replication_slots = " + (max + 1)
                                    + "; then restart Postgres",
                            "ok   wal2json: installed (\"crowded\" decoded with it in format 2, as poll mode reads"
                                    + " it)")
                    .endsWith("doctor: 1 finding(s) in 15 checks; apply the fixes above");
        } finally {
            db.execute("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots"
                    + " WHERE slot_name LIKE 'crowd\\_%'");
        }
    }

    @Test
    void aLeftoverReadingSlotIsReplacedAndAMissingJobSlotIsTriedWithATemporaryOne() throws Exception {
        db.execute(
                "CREATE TABLE leftover (id bigint PRIMARY KEY, title text)",
                "SELECT pg_create_logical_replication_slot('leftover_poll', 'wal2json')");
        ValidateCommandTest.Result r = doctor(project("leftover", ""), "--poll");
        assertThat(lines(r))
                .anyMatch(l -> l.matches("ok   poll slot: \"leftover_poll\" exists and holds \\d+(\\.\\d)? (B|KiB) of"
                        + " WAL; the poll source replaces it with a fresh copy of \"leftover\" at its start \\(once you"
                        + " stop polling: SELECT pg_drop_replication_slot\\('leftover_poll'\\);\\)"))
                .containsSubsequence(
                        "FAIL slot: \"leftover\" does not exist",
                        "     fix: puffgres run --create-slot --poll (a new slot starts with a snapshot of the mapped"
                                + " tables)",
                        "ok   wal2json: installed (a test slot with it was created and dropped)");
        assertThat(number("SELECT count(*) FROM pg_replication_slots WHERE slot_name LIKE 'puffgres_doctor_%'"))
                .isZero();
        db.execute("SELECT pg_drop_replication_slot('leftover_poll')");
    }

    @Test
    void aSlotNameWithoutRoomForTheReadingSlotsSuffixIsRefusedByDoctorAndRun() throws Exception {
        String slot = "s".repeat(59);
        CliProject p = CliProject.create(db, tpuf, "longslot");
        String finding = "poll slot: the job's slot \"" + slot + "\" has 59 characters, and its reading slot " + slot
                + "_poll would pass Postgres's 63";
        String fix = "choose a slot of at most 58 characters: --slot NAME (or [postgres] slot)";
        ValidateCommandTest.Result doctor = doctor(p.dir(), "--poll", "--slot", slot);
        assertThat(doctor.exitCode()).isEqualTo(ExitCode.PREFLIGHT);
        assertThat(lines(doctor)).containsSubsequence("FAIL " + finding, "     fix: " + fix);
        ValidateCommandTest.Result run = p.run("run", "--poll", "--create-slot", "--slot", slot, "--web-ui-port", "-1");
        assertThat(run.exitCode()).as(run.err()).isEqualTo(ExitCode.PREFLIGHT);
        assertThat(run.err()).contains(finding);
        assertThat(number("SELECT count(*) FROM pg_replication_slots WHERE slot_name = '" + slot + "'"))
                .as("no slot created")
                .isZero();
    }

    @Test
    void aPartitionedTableIsRefusedSinceWal2jsonNamesItsPartitions() throws Exception {
        db.execute(
                "CREATE TABLE parted (id bigint PRIMARY KEY, title text) PARTITION BY RANGE (id)",
                "CREATE TABLE parted_low PARTITION OF parted FOR VALUES FROM (0) TO (1000)",
                "SELECT pg_create_logical_replication_slot('parted', 'wal2json')");
        ValidateCommandTest.Result r = doctor(project("parted", ""), "--poll");
        assertThat(r.exitCode()).isEqualTo(ExitCode.PREFLIGHT);
        assertThat(lines(r))
                .containsSubsequence(
                        "FAIL partitioned public.parted: public.parted is a partitioned table, whose changes wal2json"
                                + " reports under each partition's name, so poll mode would never see them",
                        "     fix: stream with pgoutput (without --poll, [source] mode = \"stream\"), which publishes"
                                + " them as the table's; or map each partition instead");
    }

    /** The one number {@code sql} selects. */
    private static long number(String sql) {
        return ((Number) db.query(sql).get(0).values().iterator().next()).longValue();
    }

    /** Makes the project connect as {@code role} instead of postgres. */
    private static void connectAs(Path dir, String role) throws Exception {
        Path file = dir.resolve("puffgres.toml");
        Files.writeString(
                file,
                Files.readString(file)
                        .replace("?user=postgres", "")
                        .replace("user = \"postgres\"", "user = \"" + role + "\""));
    }
}
