package io.puffgres.emulator;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * Runs the emulator stand-alone: {@code EmulatorMain [--port 7474] [--data-dir DIR]}. Stops on Ctrl-C. (The
 * launcher's {@code puffgres emulator} command calls the same {@link Emulator#start}.)
 */
public final class EmulatorMain {

    /** The port the README and examples use for the local emulator. */
    public static final int DEFAULT_PORT = 7474;

    private EmulatorMain() {}

    public static void main(String[] args) throws Exception {
        int port = DEFAULT_PORT;
        Path dataDir = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--port" -> port = Integer.parseInt(args[++i]);
                case "--data-dir" -> dataDir = Path.of(args[++i]);
                default -> {
                    System.err.println("error: unknown argument " + args[i]);
                    System.err.println("hint: EmulatorMain [--port 7474] [--data-dir DIR]");
                    System.exit(2);
                }
            }
        }
        Emulator emulator = Emulator.start(port, dataDir);
        System.out.println("turbopuffer emulator listening on " + emulator.baseUrl()
                + (dataDir == null ? " (in memory)" : " (data in " + dataDir + ")"));
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            emulator.close();
            stop.countDown();
        }));
        stop.await();
    }
}
