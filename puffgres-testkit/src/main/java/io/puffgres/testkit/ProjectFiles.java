package io.puffgres.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes the files of a throwaway puffgres project for tests and benchmarks. */
public final class ProjectFiles {

    private ProjectFiles() {}

    /**
     * Creates {@code dir/puffgres/migrations} and a {@code puffgres.toml} pointing at the given Postgres database (as
     * the {@code postgres} superuser) and turbopuffer URL, checkpointing every {@code checkpointIntervalMs}.
     */
    public static void writeConfig(
            Path dir, String jdbcUrl, String slot, String publication, String turbopufferUrl, long checkpointIntervalMs)
            throws IOException {
        Files.createDirectories(dir.resolve("puffgres/migrations"));
        Files.writeString(
                dir.resolve("puffgres.toml"),
                String.join(
                        "\n",
                        "[postgres]",
                        "url = \"" + jdbcUrl + "\"",
                        "user = \"postgres\"",
                        "slot = \"" + slot + "\"",
                        "publication = \"" + publication + "\"",
                        "[turbopuffer]",
                        "base_url = \"" + turbopufferUrl + "\"",
                        "[flink]",
                        "checkpoint_interval_ms = " + checkpointIntervalMs,
                        ""));
    }
}
