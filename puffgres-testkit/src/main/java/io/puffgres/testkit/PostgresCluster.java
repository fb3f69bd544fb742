package io.puffgres.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A throwaway PostgreSQL 15 cluster with {@code wal_level=logical}, started once per test JVM.
 *
 * <p>The cluster is initialised into a temporary directory, listens on a free loopback port with trust
 * authentication for the {@code postgres} superuser, and is stopped and deleted by a shutdown hook. When
 * the JVM runs as root the server runs as the {@code postgres} OS user, because PostgreSQL refuses root.
 * Thread-safe; {@link #createDatabase(String)} gives each caller a fresh database.
 */
public final class PostgresCluster {

    /** Where Debian puts the PostgreSQL 15 server binaries; override with PUFFGRES_PG_BIN. */
    private static final String DEFAULT_PG_BIN = "/usr/lib/postgresql/15/bin";

    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final AtomicInteger DATABASE_COUNTER = new AtomicInteger();
    private static volatile PostgresCluster shared;

    private final Path binDir;
    private final Path dataDir;
    private final int port;
    private final boolean asPostgresUser;
    /** TLS files of a cluster that accepts TLS connections only; null for a plain cluster. */
    private final TestCertificates tls;

    private volatile boolean stopped;

    private PostgresCluster(Path binDir, Path dataDir, int port, boolean asPostgresUser, TestCertificates tls) {
        this.binDir = binDir;
        this.dataDir = dataDir;
        this.port = port;
        this.asPostgresUser = asPostgresUser;
        this.tls = tls;
    }

    /** The cluster of this JVM, started on first use. */
    public static PostgresCluster shared() {
        PostgresCluster cluster = shared;
        if (cluster == null) {
            synchronized (PostgresCluster.class) {
                cluster = shared;
                if (cluster == null) {
                    cluster = start(false);
                    shared = cluster;
                }
            }
        }
        return cluster;
    }

    /**
     * A cluster of the caller's own that accepts TLS connections only, and only from clients presenting a certificate
     * signed by a CA made for it ({@code hostssl … clientcert=verify-ca} in pg_hba.conf): a connection that lacks any of
     * the URL's TLS parameters is refused. The server's certificate is for {@code localhost} and {@code 127.0.0.1}
     * ({@link #certificates()}). The {@code postgres} superuser needs no password; every other role authenticates with
     * its password (scram-sha-256). The caller may stop it with {@link #stop()}; the JVM's exit does otherwise.
     */
    public static PostgresCluster startWithTls() {
        return start(true);
    }

    private static PostgresCluster start(boolean withTls) {
        Path binDir = Paths.get(System.getenv().getOrDefault("PUFFGRES_PG_BIN", DEFAULT_PG_BIN));
        if (!Files.isExecutable(binDir.resolve("initdb"))) {
            throw new IllegalStateException("PostgreSQL 15 server binaries not found in " + binDir
                    + "; run ./dev/test (it installs postgresql-15) or set PUFFGRES_PG_BIN");
        }
        boolean root = "root".equals(System.getProperty("user.name"));
        try {
            Path dataDir = Files.createTempDirectory("puffgres-pg-");
            TestCertificates tls = withTls ? TestCertificates.create(dataDir.resolve("tls"), "localhost") : null;
            if (root) {
                run(List.of("chown", "-R", "postgres:postgres", dataDir.toString()));
            }
            int port = LoopbackPorts.free();
            PostgresCluster cluster = new PostgresCluster(binDir, dataDir, port, root, tls);
            cluster.initAndStart();
            Runtime.getRuntime().addShutdownHook(new Thread(cluster::stop, "postgres-cluster-stop"));
            return cluster;
        } catch (IOException e) {
            throw new IllegalStateException("could not start a throwaway PostgreSQL cluster: " + e.getMessage(), e);
        }
    }

    private void initAndStart() throws IOException {
        Path pgdata = dataDir.resolve("data");
        runAsServerUser(List.of(
                binDir.resolve("initdb").toString(),
                "-D",
                pgdata.toString(),
                "-U",
                "postgres",
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C.UTF-8",
                "--no-sync"));
        String options = String.join(
                " ",
                "-c port=" + port,
                "-c listen_addresses=127.0.0.1",
                "-c unix_socket_directories=" + dataDir,
                "-c wal_level=logical",
                "-c max_wal_senders=20",
                "-c max_replication_slots=20",
                "-c max_connections=200",
                "-c fsync=off",
                "-c full_page_writes=off",
                "-c timezone=UTC");
        if (tls != null) {
            Files.writeString(
                    pgdata.resolve("pg_hba.conf"),
                    String.join(
                            "\n",
                            "local all all trust",
                            "hostssl all postgres 127.0.0.1/32 trust clientcert=verify-ca",
                            "hostssl replication postgres 127.0.0.1/32 trust clientcert=verify-ca",
                            "hostssl all all 127.0.0.1/32 scram-sha-256 clientcert=verify-ca",
                            "hostssl replication all 127.0.0.1/32 scram-sha-256 clientcert=verify-ca",
                            ""));
            options += " -c ssl=on -c ssl_ca_file=" + tls.caCertificate() + " -c ssl_cert_file="
                    + tls.serverCertificate() + " -c ssl_key_file=" + tls.serverKey();
        }
        runAsServerUser(List.of(
                binDir.resolve("pg_ctl").toString(),
                "-D",
                pgdata.toString(),
                "-l",
                dataDir.resolve("server.log").toString(),
                "-o",
                options,
                "-w",
                "-t",
                Long.toString(START_TIMEOUT.toSeconds()),
                "start"));
    }

    /** Port the server listens on (127.0.0.1). */
    public int port() {
        return port;
    }

    /**
     * JDBC URL of {@code database}, for the {@code postgres} superuser without password; on a TLS cluster it verifies
     * the server against {@link #certificates()}.
     */
    public String jdbcUrl(String database) {
        if (tls == null) {
            return "jdbc:postgresql://127.0.0.1:" + port + "/" + database + "?user=postgres";
        }
        return "jdbc:postgresql://localhost:" + port + "/" + database + "?user=postgres&sslmode=verify-full"
                + "&sslrootcert=" + tls.caCertificate() + "&sslcert=" + tls.clientCertificate() + "&sslkey="
                + tls.clientKey();
    }

    /** The CA and server certificate of a cluster started by {@link #startWithTls()}. */
    public TestCertificates certificates() {
        if (tls == null) {
            throw new IllegalStateException("this cluster was started without TLS");
        }
        return tls;
    }

    /**
     * The server's log file (its stderr: one line per message, prefixed by time and backend pid, {@code %m [%p]}). A
     * test that needs statements logged turns that on for its own database ({@code ALTER DATABASE … SET
     * log_statement = 'all'}), so the other tests' databases stay quiet.
     */
    public Path serverLog() {
        return dataDir.resolve("server.log");
    }

    /** Opens a connection to {@code database} as the {@code postgres} superuser. */
    public Connection connect(String database) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(database));
    }

    /** Creates a new, empty database whose name starts with {@code prefix} and returns its name. */
    public String createDatabase(String prefix) {
        String name = (prefix.toLowerCase().replaceAll("[^a-z0-9_]", "_") + "_" + DATABASE_COUNTER.incrementAndGet());
        if (name.length() > 60) {
            name = name.substring(name.length() - 60);
        }
        try (Connection c = connect("postgres");
                Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE \"" + name + "\"");
        } catch (SQLException e) {
            throw new IllegalStateException("could not create database " + name + ": " + e.getMessage(), e);
        }
        return name;
    }

    /** Drops {@code database}, terminating its connections and dropping its replication slots first. */
    public void dropDatabase(String database) {
        try (Connection c = connect("postgres");
                Statement s = c.createStatement()) {
            String slots = "FROM pg_replication_slots WHERE database = '" + database.replace("'", "''") + "'";
            long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
            while (true) {
                // a stopped CDC reader can hold its slot for a moment; terminate it and retry until it lets go
                s.execute("SELECT pg_terminate_backend(active_pid) " + slots + " AND active_pid IS NOT NULL");
                try {
                    s.execute("SELECT pg_drop_replication_slot(slot_name) " + slots);
                    break;
                } catch (SQLException stillActive) {
                    if (System.nanoTime() > deadline) {
                        throw stillActive;
                    }
                }
            }
            s.execute("DROP DATABASE IF EXISTS \"" + database + "\" WITH (FORCE)");
        } catch (SQLException e) {
            throw new IllegalStateException("could not drop database " + database + ": " + e.getMessage(), e);
        }
    }

    /** Stops the cluster and deletes its files; the shared cluster stops by itself when the JVM exits. */
    public synchronized void stop() {
        if (stopped) {
            return;
        }
        stopped = true;
        try {
            runAsServerUser(List.of(
                    binDir.resolve("pg_ctl").toString(),
                    "-D",
                    dataDir.resolve("data").toString(),
                    "-m",
                    "immediate",
                    "stop"));
        } catch (IOException | RuntimeException e) {
            System.err.println("could not stop the test PostgreSQL cluster: " + e.getMessage());
        }
        try (Stream<Path> paths = Files.walk(dataDir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            System.err.println("could not delete " + dataDir + ": " + e.getMessage());
        }
    }

    private void runAsServerUser(List<String> command) throws IOException {
        if (!asPostgresUser) {
            run(command);
            return;
        }
        List<String> wrapped = new ArrayList<>(List.of("runuser", "-u", "postgres", "--"));
        wrapped.addAll(command);
        run(wrapped);
    }

    static void run(List<String> command) throws IOException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!process.waitFor(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException("timed out: " + String.join(" ", command));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: " + String.join(" ", command), e);
        }
        if (process.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " exited with " + process.exitValue() + ": " + output);
        }
    }
}
