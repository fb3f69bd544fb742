package io.puffgres.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.puffgres.cli.ExitCode;
import io.puffgres.cli.run.StopCommand;
import io.puffgres.emulator.EmulatorExtension;
import io.puffgres.emulator.Faults.Fault;
import io.puffgres.testkit.PostgresDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A job stalled on purpose (turbopuffer refuses every write): {@code status} says STALLED with the reason, the job's
 * log says it once with the threads, and {@code puffgres stop}, whose savepoint cannot complete, never hangs.
 */
class StopCommandIT {

    @RegisterExtension
    static final PostgresDatabase db = new PostgresDatabase();

    @RegisterExtension
    static final EmulatorExtension tpuf = new EmulatorExtension();

    private static final ObjectMapper JSON = new ObjectMapper();

    /** {@code stop}'s bound beyond its --timeout: the cancel's wait and a few REST calls. */
    private static final Duration MARGIN = StopCommand.CANCEL_WAIT.plusSeconds(15);

    @Test
    void cancelsAJobWhoseSavepointHangsAfterTheTimeoutAndNamesTheCheckpointTheNextRunResumesFrom() throws Exception {
        CliProject project = CliProject.create(db, tpuf, "stuckstop");
        Path toml = project.dir().resolve("puffgres.toml");
        // a stall shows after 2 s; the job is not restarted for it (writes being retried are activity)
        Files.writeString(toml, Files.readString(toml).replace("[flink]\n", "[flink]\nstall_after_ms = 2000\n"));
        db.execute("INSERT INTO stuckstop VALUES (1, 'one'), (2, 'two')");
        ValidateCommandTest.Result started = project.run("run", "--create-slot", "--detach", "--web-ui-port", "0");
        assertThat(started.exitCode()).as(started.err()).isEqualTo(ExitCode.OK);
        Path runFile = project.dir().resolve("puffgres/state/run.json");
        long pid = JSON.readTree(runFile.toFile()).path("pid").asLong();
        await().atMost(Duration.ofSeconds(90))
                .untilAsserted(() -> assertThat(project.titles()).hasSize(2));
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(
                                JSON.readTree(project.run("status", "--json").out())
                                        .path("job")
                                        .path("checkpoints")
                                        .path("completed")
                                        .asLong())
                        .isPositive());

        // turbopuffer answers every write with 503: the writer retries without end, so the drain before a
        // checkpoint barrier (and the savepoint's) never finishes
        tpuf.emulator().faults().rate(Fault.status(503), 1.0);
        ValidateCommandTest.Result stopped;
        long took;
        try {
            db.execute("INSERT INTO stuckstop VALUES (3, 'three')");
            await().atMost(Duration.ofSeconds(60))
                    .untilAsserted(() -> assertThat(JSON.readTree(
                                            project.run("status", "--json").out())
                                    .path("retries")
                                    .asLong())
                            .isPositive());
            await().atMost(Duration.ofSeconds(60))
                    .untilAsserted(() -> assertThat(JSON.readTree(
                                            project.run("status", "--json").out())
                                    .path("job")
                                    .path("stalled")
                                    .asText())
                            .contains("mapping stuckstop: writes have not moved for")
                            .containsPattern(
                                    "\\(1 unacknowledged by turbopuffer, \\d+ row\\(s\\) buffered, \\d+ retries\\)"));
            ValidateCommandTest.Result status = project.run("status");
            assertThat(status.out())
                    .contains("STALLED (RUNNING)")
                    .contains("  STALLED: mapping stuckstop: writes have not moved for");
            assertThat(Files.readString(project.dir().resolve("puffgres/state/run.log")))
                    .contains("stuckstop: apply + write (1/1): STALLED: 1 write(s) to namespace stuckstop"
                            + " unacknowledged")
                    .contains("thread \"");
            long start = System.nanoTime();
            stopped = project.run("stop", "--timeout", "5");
            took = (System.nanoTime() - start) / 1_000_000;
        } finally {
            tpuf.emulator().faults().clear();
        }

        assertThat(Duration.ofMillis(took)).isLessThan(Duration.ofSeconds(5).plus(MARGIN));
        assertThat(stopped.exitCode()).as(stopped.out() + stopped.err()).isEqualTo(ExitCode.RUNTIME);
        assertThat(stopped.out())
                .startsWith("stopping puffgres run (pid " + pid + ") with a savepoint …\n")
                .containsPattern("puffgres run \\(pid " + pid + "\\) has not stopped after 5 s: the savepoint #\\d+ is"
                        + " still IN_PROGRESS after \\d+ s \\(\\d+ of \\d+ subtasks acknowledged\\)\n")
                .contains("cancelling the job (its retained checkpoints stay) …\n");
        Matcher kept = Pattern.compile("cancelled; the next run resumes from checkpoint (\\S+)\n")
                .matcher(stopped.out());
        assertThat(kept.find()).as(stopped.out()).isTrue();
        Path checkpoint = Path.of(kept.group(1));
        assertThat(checkpoint.resolve("_metadata")).exists();
        assertThat(checkpoint.getFileName().toString()).startsWith("chk-");
        assertThat(stopped.err().lines().toList())
                .containsExactly(
                        "error: the savepoint did not complete within 5 s, so the job was cancelled instead",
                        "hint: the run's output (puffgres/state/run.log for a detached run) tells what held it up;"
                                + " puffgres run resumes from the checkpoint above");
        assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).isEmpty();
        assertThat(runFile).doesNotExist();
        assertThat(Files.readString(project.dir().resolve("puffgres/state/run.log")))
                .contains("cancelled; the next run resumes from the newest retained checkpoint");

        // nothing is lost: the next run resumes from that checkpoint and writes the row the cancelled one could not
        ValidateCommandTest.Result again = project.run("run", "--detach", "--web-ui-port", "0");
        assertThat(again.exitCode()).as(again.err()).isEqualTo(ExitCode.OK);
        try {
            assertThat(Files.readString(project.dir().resolve("puffgres/state/run.log")))
                    .contains("resuming from " + checkpoint);
            await().atMost(Duration.ofSeconds(90))
                    .untilAsserted(() -> assertThat(project.titles()).hasSize(3));
        } finally {
            assertThat(project.run("stop").exitCode()).isEqualTo(ExitCode.OK);
        }
    }
}
