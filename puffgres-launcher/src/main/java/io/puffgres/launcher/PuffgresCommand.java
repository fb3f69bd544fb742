package io.puffgres.launcher;

import io.puffgres.cli.ExitCode;
import io.puffgres.cli.Invocation;
import io.puffgres.cli.dlq.DlqCommand;
import io.puffgres.cli.generate.GenerateCommand;
import io.puffgres.cli.run.BackfillCommand;
import io.puffgres.cli.run.PackageCommand;
import io.puffgres.cli.run.RunCommand;
import io.puffgres.cli.run.StopCommand;
import io.puffgres.cli.status.StatusCommand;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The top-level {@code puffgres} command: it lists the subcommands, holds the global options and is the {@link
 * Invocation} every command reads its environment from.
 */
@Command(
        name = "puffgres",
        mixinStandardHelpOptions = true,
        version = "puffgres 0.1.0",
        description = "Mirror Postgres into turbopuffer, configured by versioned TOML migrations.",
        subcommands = {
            InitCommand.class,
            GenerateCommand.class,
            ValidateCommand.class,
            ApplyCommand.class,
            RunCommand.class,
            BackfillCommand.class,
            StopCommand.class,
            PackageCommand.class,
            StatusCommand.class,
            DlqCommand.class,
            DoctorCommand.class,
            VerifyCommand.class,
            EmulatorCommand.class
        },
        footer = ExitCode.HELP_FOOTER)
public final class PuffgresCommand implements Invocation {

    @Option(
            names = "--stacktrace",
            description = "Print the full stack trace of an error.",
            scope = picocli.CommandLine.ScopeType.INHERIT)
    boolean stacktrace;

    @Spec
    CommandSpec spec;

    /** The process environment (a parameter so tests can set it). */
    private final Map<String, String> env;

    PuffgresCommand(Map<String, String> env) {
        this.env = env;
    }

    @Override
    public Map<String, String> env() {
        return env;
    }

    @Override
    public List<String> javaCommand(List<String> args) {
        return Main.javaCommand(args);
    }
}
