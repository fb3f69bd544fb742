package io.puffgres.cli;

import io.puffgres.migration.Project;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code puffgres stop}: asks the project's running {@code puffgres run} to stop with a savepoint, and waits. */
@Command(
        name = "stop",
        description = "Stop the project's running puffgres run (e.g. one started with --detach) with a savepoint.",
        mixinStandardHelpOptions = true,
        footer = {
            "%nExamples:",
            "  puffgres stop",
            "  puffgres stop --project examples/pages --timeout 600",
            ExitCode.HELP_FOOTER
        })
final class StopCommand implements Callable<Integer> {

    @ParentCommand
    PuffgresCommand parent;

    @Spec
    CommandSpec spec;

    @Option(names = "--project", paramLabel = "DIR", defaultValue = ".", description = "Project directory.")
    Path project;

    @Option(
            names = "--timeout",
            paramLabel = "SECONDS",
            defaultValue = "300",
            description = "How long to wait for the savepoint and the process to end (default: ${DEFAULT-VALUE}).")
    long timeoutSeconds;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Project loaded = Projects.load(project, parent.env);
        RunFile run = RunFile.live(RunFile.path(loaded))
                .orElseThrow(() -> new CliException(
                        ExitCode.RUNTIME,
                        "no puffgres run is running for " + loaded.dir(),
                        "start one with puffgres run (or puffgres run --detach)"));
        ProcessHandle process = ProcessHandle.of(run.pid()).orElseThrow();
        out.println("stopping puffgres run (pid " + run.pid() + ") with a savepoint …");
        process.destroy(); // SIGTERM: the run takes a savepoint, then exits
        try {
            process.onExit().get(timeoutSeconds, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new CliException(
                    ExitCode.RUNTIME,
                    "puffgres run (pid " + run.pid() + ") has not stopped after " + Duration.ofSeconds(timeoutSeconds),
                    "wait, or cancel it at once: kill -INT " + run.pid() + " (the retained checkpoints stay)");
        }
        out.println("stopped");
        return ExitCode.OK;
    }
}
