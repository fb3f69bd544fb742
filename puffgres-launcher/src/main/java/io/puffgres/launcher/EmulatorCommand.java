package io.puffgres.launcher;

import io.puffgres.cli.CliException;
import io.puffgres.cli.ExitCode;
import io.puffgres.cli.OptionValues;
import io.puffgres.emulator.Emulator;
import io.puffgres.emulator.EmulatorMain;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.BindException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code puffgres emulator}: a local turbopuffer-compatible server for offline development and CI. */
@Command(
        name = "emulator",
        description = "Run a local turbopuffer-compatible server (in memory, or persisted with --data-dir).",
        mixinStandardHelpOptions = true,
        footer = {
            "%nExamples:",
            "  puffgres emulator",
            "  puffgres emulator --port 7575 --data-dir puffgres/state/emulator",
            "  puffgres emulator --bind 0.0.0.0       in a container, for the other services (docker-compose.yml)",
            "  puffgres emulator --faults '{\"rates\":[{\"fault\":{\"status\":429,\"retry_after\":1},\"probability\":0.05}]}'",
            "  # then point puffgres.toml at it:  [turbopuffer] base_url = \"http://127.0.0.1:7474\"",
            "%nFault injection: POST /_emulator/faults, counters: GET /_emulator/stats (see docs/emulator.md).",
            ExitCode.HELP_FOOTER
        })
final class EmulatorCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(
            names = "--port",
            defaultValue = "" + EmulatorMain.DEFAULT_PORT,
            converter = OptionValues.Port.class,
            description = "Port to listen on (default: ${DEFAULT-VALUE}; 0 = any free port).")
    int port;

    @Option(
            names = "--bind",
            paramLabel = "ADDRESS",
            defaultValue = Emulator.LOOPBACK,
            description = "Address to listen on (default: ${DEFAULT-VALUE}; 0.0.0.0 = every interface, e.g. in a"
                    + " container).")
    String bind;

    @Option(
            names = "--data-dir",
            paramLabel = "DIR",
            description = "Keep namespaces in DIR across restarts (default: in memory).")
    Path dataDir;

    @Option(
            names = "--faults",
            paramLabel = "JSON",
            description =
                    "Faults from the start, as POST /_emulator/faults takes them, e.g. '{\"rates\":[{\"fault\":{\"status\":503},\"probability\":0.1}]}'.")
    String faults;

    /** Released to stop a running emulator (tests); a real run stops on Ctrl-C. */
    final CountDownLatch stop = new CountDownLatch(1);

    @Override
    public Integer call() throws IOException, InterruptedException {
        checkBindAddress();
        Emulator emulator;
        try {
            emulator = Emulator.start(bind, port, dataDir);
        } catch (BindException e) {
            throw new CliException(
                    ExitCode.RUNTIME,
                    "port " + port + " is already in use",
                    "stop the other process or pass --port with a free port");
        }
        if (faults != null) {
            try {
                emulator.faults().configure(new com.fasterxml.jackson.databind.ObjectMapper().readTree(faults));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                emulator.close();
                throw new CliException(
                        ExitCode.USAGE,
                        "--faults is not valid JSON: " + e.getOriginalMessage(),
                        "see docs/emulator.md for the fault format");
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println("turbopuffer emulator listening on " + emulator.baseUrl()
                + (dataDir == null ? " (in memory; --data-dir keeps data)" : " (data in " + dataDir + ")"));
        out.println("press Ctrl-C to stop");
        out.flush();
        Thread hook = new Thread(stop::countDown, "emulator-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            stop.await();
        } finally {
            emulator.close();
        }
        return ExitCode.OK;
    }

    /**
     * Refuses an address that is not one of this machine's before binding: the server would report only that it
     * cannot bind, which reads like a busy port.
     */
    private void checkBindAddress() {
        try {
            InetAddress address = InetAddress.getByName(bind);
            if (address.isAnyLocalAddress() || NetworkInterface.getByInetAddress(address) != null) {
                return;
            }
        } catch (IOException e) {
            // not an address: reported below
        }
        throw new CliException(
                ExitCode.USAGE,
                "--bind " + bind + " is not an address of this machine",
                "use 127.0.0.1 (the default), 0.0.0.0 (every interface) or one of the machine's addresses");
    }
}
