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

    /**
     * A migration of {@code public.<table>} into {@code namespace}, keyed by a uint {@code id} column, identity
     * transform: {@code rest} is TOML that follows a {@code [write]} header (write keys, then any other tables).
     *
     * @param columns the TOML list's contents, e.g. {@code "id", "title"}
     */
    public static String migration(
            int version, String mapping, String namespace, String table, String columns, String rest) {
        return String.join(
                "\n",
                "version = " + version,
                "mapping_name = \"" + mapping + "\"",
                "namespace = \"" + namespace + "\"",
                "columns = [" + columns + "]",
                "[source]",
                "schema = \"public\"",
                "table = \"" + table + "\"",
                "[id]",
                "column = \"id\"",
                "type = \"uint\"",
                "[write]",
                rest,
                "");
    }
}
