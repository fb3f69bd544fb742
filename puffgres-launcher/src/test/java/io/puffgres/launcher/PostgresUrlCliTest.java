package io.puffgres.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.puffgres.cli.ExitCode;
import io.puffgres.launcher.ValidateCommandTest.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Postgres URLs and PUFFGRES_ variables as the CLI takes them, without a server: init, validate, and the error of a
 * server that does not answer.
 */
class PostgresUrlCliTest {

    private static final String EXAMPLE = "../examples/pages";

    @Test
    void initWritesALibpqUrlThatValidateThenReads(@TempDir Path dir) throws Exception {
        String url = "postgresql://app@db.example:6543/shop?sslmode=verify-full&sslrootcert=/etc/ca.pem";
        Result init = ValidateCommandTest.run("init", dir.toString(), "--postgres-url", url);
        assertThat(init.exitCode()).isEqualTo(ExitCode.OK);
        assertThat(Files.readString(dir.resolve("puffgres.toml"))).contains("url = \"" + url + "\"");
        Result validate = ValidateCommandTest.run("validate", "--project", dir.toString());
        assertThat(validate.err()).isEmpty();
        assertThat(validate.out()).contains("valid: 0 mapping(s)");
    }

    @Test
    void initRefusesAPasswordInTheUrlWithoutShowingIt(@TempDir Path dir) {
        Result r = ValidateCommandTest.run("init", dir.toString(), "--postgres-url", "postgres://app:hunter2@db/shop");
        assertThat(r.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(r.err())
                .startsWith("error: --postgres-url holds a password, and init writes the URL into puffgres.toml")
                .contains("password_env")
                .doesNotContain("hunter2");
        assertThat(r.out()).doesNotContain("hunter2");
        assertThat(dir.resolve("puffgres.toml")).doesNotExist();
    }

    @Test
    void initRefusesAUrlItCannotReadAndAUserNamedTwice(@TempDir Path dir) {
        Result bad = ValidateCommandTest.run("init", dir.toString(), "--postgres-url", "mysql://db/shop");
        assertThat(bad.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(bad.err())
                .startsWith("error: --postgres-url: must start with jdbc:postgresql://, postgresql:// or postgres://");
        Result twice = ValidateCommandTest.run(
                "init", dir.toString(), "--postgres-url", "postgres://app@db/shop", "--postgres-user", "other");
        assertThat(twice.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(twice.err()).startsWith("error: --postgres-user other differs from the user app in --postgres-url");
    }

    @Test
    void validateTakesAUrlWithPasswordFromTheEnvironmentAndNeverPrintsIt() {
        // the example's puffgres.toml has user = "puffgres"
        Result ok = validateExampleWithUrl("postgresql://puffgres:hunter2@db.example/shop?sslmode=require");
        assertThat(ok.exitCode()).isEqualTo(ExitCode.OK);
        assertThat(ok.out() + ok.err()).doesNotContain("hunter2");

        Result otherUser = validateExampleWithUrl("postgresql://app:hunter2@db.example/shop");
        assertThat(otherUser.exitCode()).isEqualTo(ExitCode.INVALID_CONFIG);
        assertThat(otherUser.err())
                .contains("postgres.user: \"puffgres\" differs from the user \"app\" in postgres.url")
                .doesNotContain("hunter2");
    }

    private static Result validateExampleWithUrl(String url) {
        return ValidateCommandTest.run(Map.of("PUFFGRES_POSTGRES_URL", url), "validate", "--project", EXAMPLE);
    }

    @Test
    void anUnreachableServersHintNamesWhereItsUrlCameFrom(@TempDir Path dir) {
        String unreachable = "jdbc:postgresql://127.0.0.1:1/app";
        ValidateCommandTest.run("init", dir.toString(), "--postgres-url", unreachable);
        Result fromFile = ValidateCommandTest.run("dlq", "list", "--project", dir.toString());
        assertThat(fromFile.exitCode()).isEqualTo(ExitCode.RUNTIME);
        assertThat(fromFile.err().lines())
                .first()
                .asString()
                .startsWith("error: cannot connect to Postgres at jdbc:postgresql://127.0.0.1:1/app");
        assertThat(fromFile.err().lines())
                .last()
                .isEqualTo("hint: check [postgres] url, user and password_env in puffgres.toml, and that the server is"
                        + " up");

        Result fromEnv = ValidateCommandTest.run(
                Map.of("PUFFGRES_POSTGRES_URL", unreachable), "dlq", "list", "--project", EXAMPLE);
        assertThat(fromEnv.exitCode()).isEqualTo(ExitCode.RUNTIME);
        assertThat(fromEnv.err().lines())
                .last()
                .isEqualTo("hint: check PUFFGRES_POSTGRES_URL in the environment, [postgres] user and password_env in"
                        + " puffgres.toml, and that the server is up");

        // a password inside the URL makes password_env moot, and is never shown
        Result withPassword = ValidateCommandTest.run(
                Map.of("PUFFGRES_POSTGRES_URL", "postgresql://puffgres:hunter2@127.0.0.1:1/app"),
                "dlq",
                "list",
                "--project",
                EXAMPLE);
        assertThat(withPassword.exitCode()).isEqualTo(ExitCode.RUNTIME);
        assertThat(withPassword.err().lines())
                .last()
                .isEqualTo("hint: check PUFFGRES_POSTGRES_URL in the environment, [postgres] user in puffgres.toml,"
                        + " and that the server is up");
        assertThat(withPassword.out() + withPassword.err()).doesNotContain("hunter2");
    }

    @Test
    void warnsOfAMistypedVariableOnStderrAndStillRuns() {
        Result r = ValidateCommandTest.run(Map.of("PUFFGRES_FLINK_PARALELISM", "4"), "validate", "--project", EXAMPLE);
        assertThat(r.exitCode()).isEqualTo(ExitCode.OK);
        assertThat(r.err())
                .isEqualTo("warning: env PUFFGRES_FLINK_PARALELISM: puffgres reads no such variable, so it has no"
                        + " effect; did you mean PUFFGRES_FLINK_PARALLELISM?\n");
    }
}
