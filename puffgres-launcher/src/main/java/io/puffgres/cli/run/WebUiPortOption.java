package io.puffgres.cli.run;

import io.puffgres.cli.OptionValues;
import picocli.CommandLine.Option;

/** The {@code --web-ui-port} option of the commands that run the job ({@code run}, {@code backfill}): a mixin. */
final class WebUiPortOption {

    @Option(
            names = "--web-ui-port",
            paramLabel = "PORT",
            defaultValue = "8081",
            converter = OptionValues.WebUiPort.class,
            description = "Port of the Flink web UI and REST API, on [flink] web_ui_bind (default: ${DEFAULT-VALUE});"
                    + " 0 picks a free port, -1 for none.")
    int port;
}
