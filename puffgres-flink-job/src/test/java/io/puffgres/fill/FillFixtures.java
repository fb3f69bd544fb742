package io.puffgres.fill;

import io.puffgres.event.RowEvent;
import io.puffgres.migration.Migration;
import io.puffgres.migration.ProjectLoader;
import io.puffgres.testkit.PostgresDatabase;
import io.puffgres.testkit.ProjectFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Mappings of test tables, and a whole fill read without Flink: every chunk planned, then read. */
final class FillFixtures {

    private FillFixtures() {}

    /**
     * A project on {@code db} with one mapping {@code name}: {@code source} is the TOML under {@code [source]}, {@code
     * rest} any tables after {@code [id]} (e.g. {@code [membership]}).
     */
    static Path project(PostgresDatabase db, String name, String columns, String source, String idType, String rest)
            throws Exception {
        return project(db, "http://127.0.0.1:1", name, columns, source, idType, rest);
    }

    /** {@link #project} writing to turbopuffer at {@code turbopufferUrl} (a fill that sweeps reads the namespace). */
    static Path project(
            PostgresDatabase db,
            String turbopufferUrl,
            String name,
            String columns,
            String source,
            String idType,
            String rest)
            throws Exception {
        Path dir = Files.createTempDirectory("puffgres-fill-" + name);
        ProjectFiles.writeConfig(dir, db.jdbcUrl(), name + "_slot", name + "_pub", turbopufferUrl, 200);
        Files.writeString(
                dir.resolve("puffgres/migrations/0001_" + name + ".toml"),
                String.join(
                        "\n",
                        "version = 1",
                        "mapping_name = \"" + name + "\"",
                        "namespace = \"" + name + "\"",
                        "columns = [" + columns + "]",
                        "[source]",
                        "schema = \"public\"",
                        source,
                        "[id]",
                        "column = \"id\"",
                        "type = \"" + idType + "\"",
                        rest,
                        ""));
        return dir;
    }

    /** The mapping of a project made by {@link #project}. */
    static Migration migration(
            PostgresDatabase db, String name, String columns, String source, String idType, String rest)
            throws Exception {
        return ProjectLoader.load(project(db, name, columns, source, idType, rest), Map.of())
                .effectiveMappings()
                .get(0);
    }

    /** A mapping of table {@code table} with a {@code uint} id and the given columns. */
    static Migration table(PostgresDatabase db, String table, String columns) throws Exception {
        return migration(db, table, columns, "table = \"" + table + "\"", "uint", "");
    }

    /** Every chunk of {@code table}, planned to the end. */
    static List<Chunk> plan(Connection c, FillTable table, int chunkRows) throws Exception {
        return new ChunkPlanner(table, chunkRows).all(c);
    }

    /** The rows of each chunk, in the order read. */
    static List<List<RowEvent>> readAll(Connection c, FillTable table, List<Chunk> chunks) throws Exception {
        ChunkReader reader = new ChunkReader(table, 7);
        List<List<RowEvent>> rows = new ArrayList<>();
        for (Chunk chunk : chunks) {
            List<RowEvent> read = new ArrayList<>();
            reader.read(c, chunk, (row, snapshot) -> read.add(row));
            rows.add(read);
        }
        return rows;
    }

    /** The values of {@code column} of every row read, chunk after chunk. */
    static List<Object> column(List<List<RowEvent>> rows, String column) {
        List<Object> values = new ArrayList<>();
        rows.forEach(chunk -> chunk.forEach(row -> values.add(row.after().get(column))));
        return values;
    }
}
