package io.puffgres.cli;

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
            paramLabel = "JDBC_URL",
            defaultValue = DEFAULT_POSTGRES_URL,
            description = "[postgres] url (default: ${DEFAULT-VALUE}).")
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
                "mode = \"embedded\"                     # a Flink MiniCluster inside puffgres run",
                "parallelism = 1",
                "checkpoint_interval_ms = 10000",
                "checkpoint_dir = \"puffgres/state/checkpoints\"",
                "# web_ui_bind = \"127.0.0.1\"            # default; 0.0.0.0 exposes the job's REST API (cancel included)",
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
