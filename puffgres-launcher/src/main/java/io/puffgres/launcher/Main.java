package io.puffgres.launcher;

import io.puffgres.cli.CliException;
import io.puffgres.cli.ExitCode;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;

/** Entry point of the {@code puffgres} command line. */
public final class Main {

    private Main() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err, System.getenv()));
    }

    /** Runs one command line and returns its exit code; used in-process by tests. */
    public static int run(String[] args, PrintStream out, PrintStream err, Map<String, String> env) {
        PuffgresCommand top = new PuffgresCommand(env);
        CommandLine cli = new CommandLine(top);
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            int code = e instanceof CliException c ? c.exitCode() : ExitCode.RUNTIME;
            err.println("error: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            if (e instanceof CliException c && c.hint() != null) {
                err.println("hint: " + c.hint());
            } else if (!top.stacktrace) {
                err.println("hint: run again with --stacktrace for details");
            }
            if (top.stacktrace) {
                e.printStackTrace(err);
            }
            return code;
        });
        cli.setParameterExceptionHandler((e, arguments) -> {
            err.println("error: " + e.getMessage());
            err.println("hint: run " + e.getCommandLine().getCommandSpec().qualifiedName() + " --help");
            return ExitCode.USAGE;
        });
        return cli.execute(args);
    }

    /**
     * {@code java <this JVM's options> -cp <this classpath> <this class> ARGS}: a puffgres command in a new JVM like
     * this one (without debugging or profiling agents, whose ports or files would clash).
     */
    static List<String> javaCommand(List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> !a.startsWith("-agentlib") && !a.startsWith("-javaagent"))
                .toList());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(Main.class.getName());
        command.addAll(args);
        return command;
    }
}
