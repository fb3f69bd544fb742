package io.puffgres.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;

/** Free TCP ports for the servers tests start, so that they collide neither with each other nor with a developer's. */
final class LoopbackPorts {

    private LoopbackPorts() {}

    /**
     * A port nothing listens on at the time of the call. Another process may take it before the caller binds it; the
     * kernel hands out ephemeral ports in turn, so that race is rare enough for tests.
     */
    static int free() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port: " + e.getMessage(), e);
        }
    }
}
