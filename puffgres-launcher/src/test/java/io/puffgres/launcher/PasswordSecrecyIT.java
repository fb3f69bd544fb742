package io.puffgres.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.puffgres.emulator.EmulatorExtension;
import io.puffgres.testkit.PostgresCluster;
import io.puffgres.testkit.PostgresDatabase;
import io.puffgres.testkit.ProjectFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A password given inside {@code PUFFGRES_POSTGRES_URL} (libpq form, as in {@code DATABASE_URL}) is used as the
 * password, and no command prints it: not when Postgres refuses it, not when the host does not answer. The server
 * checks passwords (scram-sha-256 over TLS), so a wrong one really is refused.
 */
class PasswordSecrecyIT {

    private static final PostgresCluster TLS = PostgresCluster.startWithTls();

    @RegisterExtension
    static final PostgresDatabase db = new PostgresDatabase(TLS);

    @RegisterExtension
    static final EmulatorExtension tpuf = new EmulatorExtension();

    private static final String PASSWORD = "Right-Horse-7%";
    private static final String WRONG = "Wrong-Battery-9";

    private static Path project;

    @BeforeAll
    static void projectAndRole() throws Exception {
        db.execute(
                "CREATE ROLE app LOGIN REPLICATION PASSWORD '" + PASSWORD + "'",
                "CREATE TABLE docs (id bigint PRIMARY KEY, title text)",
                "GRANT SELECT ON docs TO app");
        project = Files.createTempDirectory("puffgres-secrecy-");
        // the file's URL is overridden by PUFFGRES_POSTGRES_URL in every run below
        ProjectFiles.writeConfig(project, "postgres://unused/db", "secrecy", "secrecy", tpuf.baseUrl(), 1000);
        Files.writeString(
                project.resolve("puffgres.toml"),
                Files.readString(project.resolve("puffgres.toml")).replace("user = \"postgres\"\n", ""));
        Files.writeString(
                project.resolve("puffgres/migrations/0001_docs.toml"),
                ProjectFiles.migration(1, "docs", "docs", "docs", "\"id\", \"title\"", ""));
    }

    /** The libpq URL of this test's database as {@code app} with {@code password}, TLS parameters included. */
    private static String url(String host, int port, String password) {
        String jdbc = db.jdbcUrl();
        String query = jdbc.substring(jdbc.indexOf('?') + 1).replace("user=postgres&", "");
        return "postgresql://app:" + password.replace("%", "%25") + "@" + host + ":" + port + "/" + db.name() + "?"
                + query;
    }

    private static String everyCommandsOutput(String url) {
        Map<String, String> env = Map.of("PUFFGRES_POSTGRES_URL", url);
        StringBuilder all = new StringBuilder();
        for (List<String> args : List.of(
                List.of("validate"),
                List.of("doctor"),
                List.of("status"),
                List.of("apply", "--dry-run"),
                List.of("run", "--web-ui-port", "-1"),
                List.of("dlq", "list"))) {
            String[] line = new String[args.size() + 2];
            line[0] = args.get(0);
            for (int i = 1; i < args.size(); i++) {
                line[i] = args.get(i);
            }
            line[args.size()] = "--project";
            line[args.size() + 1] = project.toString();
            ValidateCommandTest.Result r = ValidateCommandTest.run(env, line);
            all.append(String.join(" ", args))
                    .append(" exit ")
                    .append(r.exitCode())
                    .append('\n');
            all.append(r.out()).append(r.err());
        }
        return all.toString();
    }

    @Test
    void theRightPasswordFromTheUrlIsUsedAndNotPrinted() {
        String output = everyCommandsOutput(url("localhost", TLS.port(), PASSWORD));
        // doctor gets past Postgres as app to its turbopuffer check: the password from the URL was used
        assertThat(output).contains("ok   turbopuffer").doesNotContain("password authentication failed");
        assertThat(output).doesNotContain(PASSWORD).doesNotContain("Right-Horse");
    }

    @Test
    void aWrongPasswordIsRefusedByPostgresAndNotPrinted() {
        String output = everyCommandsOutput(url("localhost", TLS.port(), WRONG));
        assertThat(output).contains("password authentication failed for user \"app\"");
        assertThat(output).doesNotContain(WRONG).doesNotContain("Wrong-Battery");
    }

    @Test
    void anUnreachableHostIsReportedWithoutThePassword() {
        String output = everyCommandsOutput(url("127.0.0.1", 1, PASSWORD));
        assertThat(output).contains("127.0.0.1:1");
        assertThat(output).doesNotContain(PASSWORD).doesNotContain("Right-Horse");
    }
}
