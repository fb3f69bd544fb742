package io.puffgres.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.puffgres.emulator.EmulatorExtension;
import io.puffgres.testkit.PostgresDatabase;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** What {@code puffgres run} refuses before it starts: an invalidated slot. */
class RunGuardsIT {

    @RegisterExtension
    static final PostgresDatabase db = new PostgresDatabase();

    @RegisterExtension
    static final EmulatorExtension tpuf = new EmulatorExtension();

    private static Path runFile(CliProject p) {
        return p.dir().resolve("puffgres/state/run.json");
    }

    @Test
    void anInvalidatedSlotIsRefusedBeforeAnythingStarts() throws Exception {
        CliProject p = CliProject.create(db, tpuf, "guard_lost");
        db.execute("SELECT pg_create_logical_replication_slot('guard_lost', 'pgoutput')");
        invalidate("guard_lost");

        ValidateCommandTest.Result r = p.run("run", "--web-ui-port", "-1");
        assertThat(r.exitCode()).isEqualTo(ExitCode.PREFLIGHT);
        String fix = "SELECT pg_drop_replication_slot('guard_lost'); then delete "
                + p.dir().resolve("puffgres/state/checkpoints") + " and run puffgres run --create-slot (a fresh"
                + " snapshot)";
        String lost = "replication slot \"guard_lost\" is invalidated: Postgres removed WAL it still needed"
                + " (wal_status lost)";
        assertThat(r.err().lines()).containsExactly("error: " + lost, "hint: " + fix);
        assertThat(db.query("SELECT 1 FROM pg_publication WHERE pubname = 'guard_lost'"))
                .as("the job was never prepared")
                .isEmpty();
        assertThat(runFile(p)).doesNotExist();

        ValidateCommandTest.Result detached = p.run("run", "--detach", "--web-ui-port", "-1");
        assertThat(detached.exitCode()).isEqualTo(ExitCode.PREFLIGHT);
        assertThat(detached.err().lines())
                .containsExactly(
                        "error: the background run stopped: " + lost,
                        "hint: " + fix + " (log: " + p.dir().resolve("puffgres/state/run.log") + ")");
    }

    /**
     * Makes {@code slot} invalidated for real: with {@code max_slot_wal_keep_size} at 1 MB, Postgres drops the WAL
     * the slot needs at the next checkpoints. The setting is restored after, since the cluster is the test JVM's.
     */
    private static void invalidate(String slot) {
        db.execute("ALTER SYSTEM SET max_slot_wal_keep_size = '1MB'", "SELECT pg_reload_conf()");
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                db.execute(
                        "SELECT pg_logical_emit_message(false, 'puffgres-test', repeat('x', 1000))",
                        "SELECT pg_switch_wal()",
                        "CHECKPOINT");
                return db.query("SELECT wal_status FROM pg_replication_slots WHERE slot_name = '" + slot + "'")
                        .get(0)
                        .get("wal_status")
                        .equals("lost");
            });
        } finally {
            db.execute("ALTER SYSTEM RESET max_slot_wal_keep_size", "SELECT pg_reload_conf()");
        }
    }
}
