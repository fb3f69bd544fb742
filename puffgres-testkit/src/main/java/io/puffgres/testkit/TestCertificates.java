package io.puffgres.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/**
 * A certificate authority made for one test run, a server certificate and a client certificate it signed, written by
 * {@code openssl}. Nothing trusts the CA but the tests that are given {@link #caCertificate()}.
 *
 * @param serverKey the server's private key, readable by its owner only (PostgreSQL refuses it otherwise)
 * @param clientKey the client's private key as unencrypted PKCS#8 DER, the form pgjdbc reads
 */
public record TestCertificates(
        Path caCertificate, Path serverCertificate, Path serverKey, Path clientCertificate, Path clientKey) {

    /** Short-lived: a test run ends within a day. */
    private static final String DAYS = "2";

    /**
     * A new CA in {@code dir}, a server certificate for {@code host} (and 127.0.0.1) and a client certificate for the
     * {@code postgres} user, both signed by it.
     */
    public static TestCertificates create(Path dir, String host) throws IOException {
        Path ca = authority(dir, "ca");
        Path serverKey = signed(dir, "server", host, "subjectAltName=DNS:" + host + ",IP:127.0.0.1\n");
        Path clientKey = signed(dir, "client", "postgres", "extendedKeyUsage=clientAuth\n");
        Path clientPk8 = dir.resolve("client.pk8");
        openssl("pkcs8", "-topk8", "-outform", "DER", "-nocrypt", "-in", clientKey, "-out", clientPk8);
        for (Path key : new Path[] {serverKey, clientPk8}) {
            Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
        }
        return new TestCertificates(ca, dir.resolve("server.crt"), serverKey, dir.resolve("client.crt"), clientPk8);
    }

    /** A key {@code dir/NAME.key} and its certificate {@code NAME.crt} for {@code commonName}, signed by the CA. */
    private static Path signed(Path dir, String name, String commonName, String extensions) throws IOException {
        Path key = dir.resolve(name + ".key");
        Path request = dir.resolve(name + ".csr");
        Path ext = dir.resolve(name + ".ext");
        Files.writeString(ext, extensions);
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", request, "-subj", "/CN=" + commonName);
        openssl(
                "x509",
                "-req",
                "-in",
                request,
                "-CA",
                dir.resolve("ca.crt"),
                "-CAkey",
                dir.resolve("ca.key"),
                "-CAcreateserial",
                "-out",
                dir.resolve(name + ".crt"),
                "-days",
                DAYS,
                "-extfile",
                ext);
        return key;
    }

    /**
     * The certificate of a new CA, {@code dir/NAME.crt} (its key beside it): given another one than the server's, a
     * client that verifies the server must refuse it.
     */
    public static Path authority(Path dir, String name) throws IOException {
        Files.createDirectories(dir);
        Path cert = dir.resolve(name + ".crt");
        openssl(
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-keyout",
                dir.resolve(name + ".key"),
                "-out",
                cert,
                "-days",
                DAYS,
                "-subj",
                "/CN=puffgres test " + name);
        return cert;
    }

    private static void openssl(Object... args) throws IOException {
        List<String> command = new java.util.ArrayList<>(List.of("openssl"));
        for (Object a : args) {
            command.add(a.toString());
        }
        PostgresCluster.run(command);
    }
}
