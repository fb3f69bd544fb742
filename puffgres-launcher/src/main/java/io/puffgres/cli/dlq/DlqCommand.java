package io.puffgres.cli.dlq;

import io.puffgres.cli.ExitCode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code puffgres dlq}: lists its subcommands, which read and retry the DLQ table in Postgres. */
@Command(
        name = "dlq",
        description = {
            "Inspect, retry and discard the changes puffgres could not apply (the table <[state] schema>.dlq, default"
                    + " puffgres.dlq).",
            "Works whether or not a puffgres run is running."
        },
        mixinStandardHelpOptions = true,
        subcommands = {DlqListCommand.class, DlqShowCommand.class, DlqRetryCommand.class, DlqDiscardCommand.class},
        footer = {
            "%nExamples:",
            "  puffgres dlq list",
            "  puffgres dlq show 12",
            "  puffgres dlq retry all --mapping pages",
            "  puffgres dlq discard 12",
            ExitCode.HELP_FOOTER
        })
public final class DlqCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "Missing subcommand: list, show, retry or discard");
    }
}
