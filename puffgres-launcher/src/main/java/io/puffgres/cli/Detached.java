package io.puffgres.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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

    static int start(List<String> args, Path runFile, Map<String, String> env, PrintWriter out)
            throws IOException, InterruptedException {
        Path log = runFile.resolveSibling("run.log");
        Files.createDirectories(log.getParent());
        Files.deleteIfExists(runFile);
        List<String> command = new ArrayList<>();
        if (Files.isExecutable(SETSID)) {
            // a session of its own: Ctrl-C in this terminal, or closing it, does not reach the background run
            command.add(SETSID.toString());
        }
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> !a.startsWith("-agentlib") && !a.startsWith("-javaagent"))
                .toList());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(Main.class.getName());
        command.addAll(args.stream().filter(a -> !a.equals("--detach")).toList());
        ProcessBuilder pb = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().clear();
        pb.environment().putAll(env);
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
                List<String> lines = Files.readAllLines(log);
                String last = lines.stream()
                        .filter(l -> l.startsWith("error:"))
                        .reduce((a, b) -> b)
                        .orElse("exit code " + child.exitValue());
                throw new CliException(
                        child.exitValue() == 0 ? ExitCode.RUNTIME : child.exitValue(),
                        "the background run stopped: " + last.replaceFirst("^error: ", ""),
                        "see " + log);
            }
            child.waitFor(100, java.util.concurrent.TimeUnit.MILLISECONDS);
        }
        child.destroy();
        throw new CliException(
                ExitCode.RUNTIME,
                "the background run did not start its job within " + TextTable.duration(START_TIMEOUT),
                "see " + log);
    }
}
