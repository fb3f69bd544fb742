package io.puffgres.launcher;

import io.puffgres.cli.CliException;
import io.puffgres.cli.ExitCode;
import io.puffgres.config.PostgresUrl;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code puffgres init [DIR]}: a new project — a commented puffgres.toml and the puffgres/ folders. */
@Command(
        name = "init",
        description = "Create a project: a commented puffgres.toml and puffgres/{migrations,transforms,state}.",
        mixinStandardHelpOptions = true,
        footer = {
            "%nExamples:",
            "  puffgres init                                  in the current directory",
            "  puffgres init search --postgres-url jdbc:postgresql://db:5432/app",
            "  puffgres init search --postgres-url 'postgresql://app@db/shop?sslmode=verify-full'",
            "  puffgres init dev --turbopuffer-url http://127.0.0.1:7474   with a local emulator",
            ExitCode.HELP_FOOTER
        })
final class InitCommand implements Callable<Integer> {

    /** Where a new project reads from until edited: a local Postgres. */
    static final String DEFAULT_POSTGRES_URL = "jdbc:postgresql://127.0.0.1:5432/postgres";
    /** Where a new project writes until edited: the local emulator ({@code puffgres emulator}). */
    static final String DEFAULT_TURBOPUFFER_URL = "http://127.0.0.1:7474";

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "DIR", defaultValue = ".", description = "Project dir.")
    Path dir;

    @Option(
            names = "--postgres-url",
            paramLabel = "URL",
            defaultValue = DEFAULT_POSTGRES_URL,
            description = "[postgres] url, jdbc:postgresql://… or postgresql://… without a password"
                    + " (default: ${DEFAULT-VALUE}).")
    String postgresUrl;

    @Option(names = "--postgres-user", paramLabel = "NAME", description = "[postgres] user.")
    String postgresUser;

    @Option(
            names = "--turbopuffer-url",
            paramLabel = "URL",
            defaultValue = DEFAULT_TURBOPUFFER_URL,
            description = "[turbopuffer] base_url (default: ${DEFAULT-VALUE}, the local emulator).")
    String turbopufferUrl;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        checkPostgresUrl();
        Path toml = dir.resolve("puffgres.toml");
        for (Path existing : List.of(toml, dir.resolve("puffgres"))) {
            if (Files.exists(existing)) {
                throw new CliException(
                        ExitCode.RUNTIME,
                        existing + " already exists; init never overwrites",
                        "pick another directory, or edit the existing project");
            }
        }
        for (String sub : List.of("migrations", "transforms", "state")) {
            Files.createDirectories(dir.resolve("puffgres").resolve(sub));
        }
        Files.writeString(dir.resolve("puffgres/migrations/.gitkeep"), "");
        Files.writeString(dir.resolve("puffgres/transforms/.gitkeep"), "");
        // checkpoints, savepoints, run file and log are this machine's, not the project's
        Files.writeString(dir.resolve("puffgres/state/.gitignore"), "*\n!.gitignore\n");
        Files.writeString(toml, config());
        out.println("created " + toml);
        out.println("created " + dir.resolve("puffgres") + "/{migrations,transforms,state}");
        out.println("next: edit puffgres.toml, then puffgres doctor, puffgres generate, puffgres apply,"
                + " puffgres run --create-slot");
        return ExitCode.OK;
    }

    /** The URL goes into puffgres.toml as given: it must parse, and hold no password. */
    private void checkPostgresUrl() {
        PostgresUrl.Parsed parsed;
        try {
            parsed = PostgresUrl.parse(postgresUrl, "--postgres-url");
        } catch (IllegalArgumentException e) {
            throw new CliException(ExitCode.USAGE, "--postgres-url: " + e.getMessage(), "see puffgres init --help");
        }
        if (parsed.password().isPresent()) {
            throw new CliException(
                    ExitCode.USAGE,
                    "--postgres-url holds a password, and init writes the URL into puffgres.toml, where a password"
                            + " never goes",
                    "give the URL without it; put the password in a variable named by [postgres] password_env (or"
                            + " give the whole URL in PUFFGRES_POSTGRES_URL when you run puffgres)");
        }
        if (postgresUser != null
                && parsed.user().isPresent()
                && !parsed.user().get().equals(postgresUser)) {
            throw new CliException(
                    ExitCode.USAGE,
                    "--postgres-user " + postgresUser + " differs from the user "
                            + parsed.user().get() + " in --postgres-url",
                    "name the user in one place");
        }
    }

    private String config() {
        return String.join(
                "\n",
                "# puffgres project settings (docs/configuration.md). Secrets never go in this file: name the",
                "# environment variables that hold them. Any key can be overridden by PUFFGRES_<TABLE>_<KEY>,",
                "# e.g. PUFFGRES_POSTGRES_URL.",
                "",
                "[postgres]",
                "url = \"" + postgresUrl + "\"",
                postgresUser == null
                        ? "# user = \"puffgres\"                  # default: the OS user"
                        : "user = \"" + postgresUser + "\"",
                "# password_env = \"PUFFGRES_PG_PASSWORD\"  # the NAME of the env var holding the password",
                "slot = \"puffgres\"                     # the replication slot (puffgres run --create-slot makes it)",
                "publication = \"puffgres\"              # created and kept in line with the mapped tables",
                "",
                "[turbopuffer]",
                "base_url = \"" + turbopufferUrl + "\"   # e.g. https://gcp-us-central1.turbopuffer.com",
                "api_key_env = \"TURBOPUFFER_API_KEY\"   # the env var holding the API key",
                "# max_retries = 50                     # fail (and restart) after this many retries; default: no limit",
                "",
                "[flink]",
                "mode = \"embedded\"                     # a Flink MiniCluster inside puffgres run; \"remote\": the cluster"
                        + " at rest_url",
                "# rest_url = \"http://localhost:8081\"   # the Flink cluster's REST API (mode = \"remote\", run --target"
                        + " remote)",
                "parallelism = 1",
                "checkpoint_interval_ms = 10000",
                "checkpoint_dir = \"puffgres/state/checkpoints\"   # a cluster needs a shared path or URI, e.g."
                        + " s3://bucket/puffgres",
                "# web_ui_bind = \"127.0.0.1\"            # default; 0.0.0.0 exposes the job's REST API (cancel included)",
                "",
                "[source]",
                "mode = \"stream\"" + " ".repeat(23) + "# the replication protocol; \"poll\": wal2json over plain SQL"
                        + " (docs/job.md#poll-mode)",
                "",
                "[state]",
                "schema = \"puffgres\"                   # Postgres schema of the applied-migration records and the DLQ",
                "",
                "# [embeddings]                        # only for ctx.embed in JS transforms",
                "# model = \"text-embedding-3-small\"",
                "# api_key_env = \"OPENAI_API_KEY\"",
                "");
    }
}
