package io.puffgres.metrics;

import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * The HTTP server Prometheus scrapes: {@code http://host:port/metrics} on the first free port of a range.
 *
 * @param server the running server (the Prometheus client's, on the JDK's HTTP server)
 * @param url the address it serves the metrics at
 */
record MetricsEndpoint(HTTPServer server, String url) implements AutoCloseable {

    /**
     * Starts serving {@code registry} on {@code host} at the first port of {@code ports} nobody listens on.
     *
     * @throws IllegalStateException when no port of the range is free, naming the range, or when {@code host} is not
     *     an address of this machine
     */
    static MetricsEndpoint start(String host, PortRange ports, PrometheusRegistry registry) {
        InetAddress address;
        try {
            address = InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("metrics reporter host " + host + " is unknown; set"
                    + " metrics.reporter.<name>.host to an address of this machine (default 127.0.0.1)");
        }
        IOException last = null;
        for (int port : ports.ports().toArray()) {
            try {
                HTTPServer server = HTTPServer.builder()
                        .inetAddress(address)
                        .port(port)
                        .registry(registry)
                        .buildAndStart();
                return new MetricsEndpoint(
                        server, "http://" + literal(address, host) + ":" + server.getPort() + "/metrics");
            } catch (BindException e) { // taken (by another JobManager or TaskManager of this machine): next one
                last = e;
            } catch (IOException e) {
                last = e;
                if (!(e.getCause() instanceof BindException)) {
                    break;
                }
            }
        }
        throw new IllegalStateException(
                "no port of " + ports + " is free on " + host + " for the Prometheus metrics reporter ("
                        + (last == null ? "empty range" : last.getMessage()) + "); widen"
                        + " metrics.reporter.<name>.port or stop what holds the ports",
                last);
    }

    private static String literal(InetAddress address, String host) {
        String text = address.getHostAddress();
        return host.equals(text) || host.equals("localhost") ? (text.contains(":") ? "[" + text + "]" : text) : host;
    }

    @Override
    public void close() {
        server.close();
    }
}
