package io.puffgres.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.puffgres.emulator.EmulatorExtension;
import io.puffgres.stream.JobSpec;
import io.puffgres.testkit.PostgresCluster;
import io.puffgres.testkit.PostgresDatabase;
import io.puffgres.testkit.ProjectFiles;
import io.puffgres.testkit.TestCertificates;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The job against a Postgres that accepts TLS connections with a client certificate only, with
 * {@code sslmode=verify-full}, the test CA and the client's certificate and key in the project's URL: the URL's
 * parameters must reach every connection — the WAL stream, Flink CDC's snapshot and pooled connections, the lookup and
 * the DLQ's — or the server refuses the one that lacks them (pgjdbc's default {@code sslmode=prefer} alone would get
 * TLS, unverified, but no client certificate).
 */
class TlsIT {

    private static final PostgresCluster TLS = PostgresCluster.startWithTls();

    @RegisterExtension
    static final PostgresDatabase db = new PostgresDatabase(TLS);

    @RegisterExtension
    static final EmulatorExtension tpuf = new EmulatorExtension();

    private static final Duration WAIT = Duration.ofSeconds(90);

    @Test
    void everyConnectionOfTheJobUsesTlsVerifiedAgainstTheUrlsCa() throws Exception {
        db.execute(
                "CREATE TABLE docs (id bigint PRIMARY KEY, title text)",
                "CREATE TABLE gate (id bigint PRIMARY KEY)",
                "INSERT INTO docs VALUES (1, 'one'), (2, 'two'), (3, 'three')",
                "INSERT INTO gate VALUES (1), (2)");
        assertThat(db.jdbcUrl()).contains("//localhost:").contains("sslmode=verify-full&sslrootcert=");
        try (JobHarness h = new JobHarness(
                db,
                tpuf.baseUrl(),
                "tls",
                JobHarness.migration(
                        1,
                        "docs",
                        "docs",
                        "docs",
                        "\"id\", \"title\"",
                        "[membership]\nmode = \"lookup\"\nsql = \"SELECT 1 FROM gate WHERE id = $1\""))) {
            h.start(JobRunner.Options.defaults().withCreateSlot(true));
            await().atMost(WAIT)
                    .untilAsserted(() -> assertThat(h.documents("docs")).containsOnlyKeys(1L, 2L));
            // streamed changes go through the lookup stage, which asks Postgres
            db.execute("INSERT INTO gate VALUES (4)", "INSERT INTO docs VALUES (4, 'four')");
            await().atMost(WAIT)
                    .untilAsserted(() -> assertThat(h.documents("docs")).containsOnlyKeys(1L, 2L, 4L));

            List<Map<String, Object>> walStream = db.query("SELECT s.ssl FROM pg_stat_replication r"
                    + " JOIN pg_stat_ssl s USING (pid) WHERE r.application_name LIKE 'Debezium%'");
            assertThat(walStream).isNotEmpty().allSatisfy(row -> assertThat(row).containsEntry("ssl", true));
            List<Map<String, Object>> connections = db.query("SELECT a.application_name, s.ssl FROM pg_stat_activity a"
                    + " JOIN pg_stat_ssl s USING (pid) WHERE a.datname = current_database()"
                    + " AND a.pid <> pg_backend_pid()");
            assertThat(connections)
                    .extracting(row -> row.get("application_name"))
                    .contains("puffgres"); // the lookup stage's
            assertThat(connections).allSatisfy(row -> assertThat(row).containsEntry("ssl", true));
        }
    }

    @Test
    void aServerCertificateFromAnotherCaIsRefusedNamingTheCause() throws Exception {
        Path dir = Files.createTempDirectory("puffgres-tls-");
        Path otherCa = TestCertificates.authority(dir, "other");
        String url = db.jdbcUrl().replace(TLS.certificates().caCertificate().toString(), otherCa.toString());
        ProjectFiles.writeConfig(dir, url, "wrong_ca", "wrong_ca", tpuf.baseUrl(), 500);
        Files.writeString(
                dir.resolve("puffgres/migrations/0001_docs.toml"),
                JobHarness.migration(1, "docs", "docs", "docs", "\"id\"", ""));

        JobSpec.forgetProjects();
        assertThatThrownBy(() -> JobRunner.start(
                        io.puffgres.migration.ProjectLoader.load(dir, Map.of()), JobRunner.Options.defaults()))
                .isInstanceOf(SQLException.class)
                .hasMessageContaining("SSL error")
                .hasMessageContaining("PKIX path building failed");
    }

    @Test
    void theServerRefusesAConnectionWithoutTheUrlsParametersSoTheTestsAboveAreConclusive() {
        String plain = db.jdbcUrl().replace("sslmode=verify-full", "sslmode=disable");
        assertThatThrownBy(() -> java.sql.DriverManager.getConnection(plain).close())
                .isInstanceOf(SQLException.class)
                .hasMessageContaining("no encryption");
        String bare = db.jdbcUrl().substring(0, db.jdbcUrl().indexOf('?')) + "?user=postgres";
        assertThatThrownBy(() -> java.sql.DriverManager.getConnection(bare).close())
                .isInstanceOf(SQLException.class)
                .hasMessageContaining("certificate");
    }
}
