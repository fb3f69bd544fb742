package io.puffgres.cli.run;

import io.puffgres.cli.CliException;
import io.puffgres.cli.ExitCode;
import io.puffgres.cli.Invocation;
import io.puffgres.cli.RunFile;
import io.puffgres.cli.TextTable;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code puffgres run --detach}: the same command line without {@code --detach} in a new background process (same
 * JVM, options and environment) logging to {@code puffgres/state/run.log}; returns once that process has written its
 * run file, or reports why it died.
 */
final class Detached {

    /** How long a background run may take to submit its job (it may first snapshot-check Postgres). */
    static final Duration START_TIMEOUT = Duration.ofMinutes(3);
    /** util-linux's setsid: runs the command in a new session, in the same process (so its pid is the run's). */
    static final Path SETSID = Path.of("/usr/bin/setsid");

    private Detached() {}

    /**
     * Starts the background run and waits until it has submitted its job.
     *
     * @param runFile the project's run file; a file of another (dead or live) run is left alone, the wait is for one
     *     written by the new process
     */
    static int start(List<String> args, Invocation invocation, Path runFile, PrintWriter out)
            throws IOException, InterruptedException {
        Path log = runFile.resolveSibling("run.log");
        Files.createDirectories(log.getParent());
        List<String> command = new ArrayList<>();
        if (Files.isExecutable(SETSID)) {
            // a session of its own: Ctrl-C in this terminal, or closing it, does not reach the background run
            command.add(SETSID.toString());
        }
        command.addAll(invocation.javaCommand(
                args.stream().filter(a -> !a.equals("--detach")).toList()));
        ProcessBuilder pb = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().clear();
        pb.environment().putAll(invocation.env());
        Process child = pb.start();
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            Optional<RunFile> run = RunFile.live(runFile).filter(r -> r.pid() == child.pid());
            if (run.isPresent()) {
                out.println("running in the background, pid " + child.pid());
                if (!run.get().restUrl().isEmpty()) {
                    out.println("Flink web UI: " + run.get().restUrl());
                }
                out.println("log: " + log);
                out.println("stop it with: puffgres stop (it takes a savepoint; the next run resumes from it)");
                return ExitCode.OK;
            }
            if (!child.isAlive()) {
                throw stopped(child.exitValue(), Files.readAllLines(log), log);
            }
            child.waitFor(100, java.util.concurrent.TimeUnit.MILLISECONDS);
        }
        child.destroy();
        throw new CliException(
                ExitCode.RUNTIME,
                "the background run did not start its job within " + TextTable.duration(START_TIMEOUT),
                "see " + log);
    }

    /**
     * The background run's own error and hint (its last {@code error:} line in the log, which the run log shares
     * with earlier runs, and the {@code hint:} after it), with its exit code.
     */
    private static CliException stopped(int exitCode, List<String> log, Path logFile) {
        int last = -1;
        for (int i = 0; i < log.size(); i++) {
            if (log.get(i).startsWith("error: ")) {
                last = i;
            }
        }
        String error = last < 0 ? "exit code " + exitCode : log.get(last).substring("error: ".length());
        String hint = last >= 0 && last + 1 < log.size() && log.get(last + 1).startsWith("hint: ")
                ? log.get(last + 1).substring("hint: ".length()) + " (log: " + logFile + ")"
                : "see " + logFile;
        return new CliException(
                exitCode == 0 ? ExitCode.RUNTIME : exitCode, "the background run stopped: " + error, hint);
    }
}
