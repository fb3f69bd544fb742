package io.puffgres.cli;

import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The top-level {@code puffgres} command; it only lists the subcommands and holds global options. */
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
            StopCommand.class,
            StatusCommand.class,
            DlqCommand.class,
            DoctorCommand.class,
            VerifyCommand.class,
            EmulatorCommand.class
        },
        footer = ExitCode.HELP_FOOTER)
public final class PuffgresCommand {

    @Option(
            names = "--stacktrace",
            description = "Print the full stack trace of an error.",
            scope = picocli.CommandLine.ScopeType.INHERIT)
    boolean stacktrace;

    @Spec
    CommandSpec spec;

    /** The process environment (a parameter so tests can set it). */
    final Map<String, String> env;

    PuffgresCommand(Map<String, String> env) {
        this.env = env;
    }
}
