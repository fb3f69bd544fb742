package io.puffgres.pipeline;

import io.puffgres.migration.Migration;
import io.puffgres.migration.ProjectLoader;
import io.puffgres.testkit.ProjectFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** A mapping of {@code public.items(id, title, status)} for the pipeline's unit tests; no Postgres, no turbopuffer. */
final class Mappings {

    private Mappings() {}

    /** The mapping, with {@code rest} after its {@code [write]} table (e.g. a {@code [membership]} table). */
    static Migration items(String rest) throws Exception {
        Path dir = Files.createTempDirectory("puffgres-pipeline");
        ProjectFiles.writeConfig(dir, "jdbc:postgresql://127.0.0.1:1/unused", "s", "p", "http://127.0.0.1:1", 1000);
        Files.writeString(
                dir.resolve("puffgres/migrations/0001_items.toml"),
                ProjectFiles.migration(1, "items", "items", "items", "\"id\", \"title\", \"status\"", rest));
        return ProjectLoader.load(dir, Map.of()).effectiveMappings().get(0);
    }
}
