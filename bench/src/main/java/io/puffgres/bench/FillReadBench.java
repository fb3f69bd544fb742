package io.puffgres.bench;

import io.puffgres.config.ProjectConfig;
import io.puffgres.fill.Chunk;
import io.puffgres.fill.ChunkPlanner;
import io.puffgres.fill.ChunkReader;
import io.puffgres.fill.FillTable;
import io.puffgres.migration.Migration;
import io.puffgres.migration.ProjectLoader;
import io.puffgres.testkit.PostgresCluster;
import io.puffgres.testkit.ProjectFiles;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.postgresql.PGConnection;

/**
 * The fill's reader against {@code COPY (SELECT …) TO STDOUT} of the same rows (≈ 260-byte rows, as {@code JobBench}
 * writes them): chunks planned by {@link ChunkPlanner} and read by {@link ChunkReader} into rows as the job makes
 * them, on one connection and on two (a fill at parallelism 2), against one COPY into a byte counter. Rounds alternate
 * the three so that this machine's drifting speed hits each alike; prints rows/s and the ratio to COPY (goal: the
 * one-connection reader ≥ 0.5× COPY).
 *
 * <p>{@code bench/run FillReadBench [ROWS] [ROUNDS]} (default 1,000,000 rows, 3 rounds after a warm-up round).
 */
public final class FillReadBench {

    /** The rows per chunk: the default of {@code [fill] chunk_rows}. */
    static final int CHUNK_ROWS = ProjectConfig.Fill.DEFAULT_CHUNK_ROWS;

    public static void main(String[] args) throws Exception {
        int rows = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        PostgresCluster pg = PostgresCluster.shared();
        String db = pg.createDatabase("fillbench");
        createItems(pg, db, rows);
        FillTable table = itemsTable(pg, db);
        List<Chunk> chunks;
        try (Connection c = pg.connect(db)) {
            long t0 = System.nanoTime();
            chunks = new ChunkPlanner(table, CHUNK_ROWS).all(c);
            System.out.printf(
                    "planned %d chunks of %,d rows in %.2f s%n",
                    chunks.size(), CHUNK_ROWS, (System.nanoTime() - t0) / 1e9);
        }
        String copy = copySql(table);
        double[] copyRates = new double[rounds];
        double[] oneRates = new double[rounds];
        double[] twoRates = new double[rounds];
        for (int round = 0; round <= rounds; round++) {
            double c = copy(pg, db, copy, rows);
            double one = read(pg, db, table, chunks, 1, rows);
            double two = read(pg, db, table, chunks, 2, rows);
            System.out.printf(
                    "round %s: COPY %,.0f rows/s; reader, 1 connection %,.0f rows/s (%.2f× COPY);"
                            + " 2 connections %,.0f rows/s (%.2f× COPY)%n",
                    round == 0 ? "warm-up" : String.valueOf(round), c, one, one / c, two, two / c);
            if (round > 0) {
                copyRates[round - 1] = c;
                oneRates[round - 1] = one;
                twoRates[round - 1] = two;
            }
        }
        double c = median(copyRates);
        double one = median(oneRates);
        double two = median(twoRates);
        System.out.printf(
                "median of %d rounds, %,d rows: COPY %,.0f rows/s; fill reader %,.0f rows/s on 1 connection (%.2f× COPY,"
                        + " goal ≥ 0.5), %,.0f rows/s on 2 (%.2f×)%n",
                rounds, rows, c, one, one / c, two, two / c);
        pg.dropDatabase(db);
    }

    /** Table {@code items} with {@code rows} rows of ≈ 260 bytes (ids 1..rows, as {@code JobBench} writes them). */
    static void createItems(PostgresCluster pg, String db, int rows) throws Exception {
        try (Connection c = pg.connect(db);
                Statement s = c.createStatement()) {
            s.execute("CREATE TABLE items (id bigint PRIMARY KEY, title text, body text, status text, n int,"
                    + " score float8, updated_at timestamptz)");
            s.execute("INSERT INTO items SELECT g, 'title ' || g, repeat(md5(g::text), 5), 'published', g % 1000,"
                    + " g / 7.0, now() FROM generate_series(1, " + rows + ") g");
            s.execute("VACUUM ANALYZE items");
        }
    }

    /** {@code items} as a fill of an identity mapping of its seven columns reads it. */
    static FillTable itemsTable(PostgresCluster pg, String db) throws Exception {
        Path dir = Files.createTempDirectory("puffgres-fill-bench");
        ProjectFiles.writeConfig(dir, pg.jdbcUrl(db), "s", "p", "http://127.0.0.1:1", 10_000);
        String columns = "\"id\", \"title\", \"body\", \"status\", \"n\", \"score\", \"updated_at\"";
        Files.writeString(
                dir.resolve("puffgres/migrations/0001_items.toml"),
                ProjectFiles.migration(1, "items", "items", "items", columns, ""));
        Migration items = ProjectLoader.load(dir, Map.of()).effectiveMappings().get(0);
        try (Connection c = pg.connect(db)) {
            return FillTable.resolve(c, items);
        }
    }

    /** The ceiling: the same columns of every row, in key order, as one COPY. */
    static String copySql(FillTable table) {
        return "COPY (SELECT " + table.selectList() + " FROM items ORDER BY id) TO STDOUT";
    }

    /** One COPY into a counter of lines; rows/s. */
    static double copy(PostgresCluster pg, String db, String sql, int rows) throws Exception {
        try (Connection c = pg.connect(db)) {
            AtomicLong lines = new AtomicLong();
            OutputStream counter = new OutputStream() {
                @Override
                public void write(int b) {
                    if (b == '\n') {
                        lines.incrementAndGet();
                    }
                }

                @Override
                public void write(byte[] b, int off, int len) {
                    long n = 0;
                    for (int i = off; i < off + len; i++) {
                        if (b[i] == '\n') {
                            n++;
                        }
                    }
                    lines.addAndGet(n);
                }
            };
            long t0 = System.nanoTime();
            c.unwrap(PGConnection.class).getCopyAPI().copyOut(sql, counter);
            double seconds = (System.nanoTime() - t0) / 1e9;
            check(lines.get(), rows, "COPY");
            return rows / seconds;
        }
    }

    /** Every chunk read by {@code connections} readers taking chunks in turn; rows/s. */
    static double read(PostgresCluster pg, String db, FillTable table, List<Chunk> chunks, int connections, int rows)
            throws Exception {
        ChunkReader reader = new ChunkReader(table, ChunkReader.DEFAULT_FETCH_SIZE);
        AtomicLong read = new AtomicLong();
        AtomicLong next = new AtomicLong();
        ExecutorService threads = Executors.newFixedThreadPool(connections);
        long t0 = System.nanoTime();
        List<Future<?>> done = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            done.add(threads.submit(() -> {
                try (Connection c = pg.connect(db)) {
                    long mine = 0;
                    for (int k = (int) next.getAndIncrement(); k < chunks.size(); k = (int) next.getAndIncrement()) {
                        long[] n = {0};
                        reader.read(
                                c,
                                chunks.get(k),
                                (row, snapshot) -> n[0] += row.after().columns().size());
                        mine += n[0];
                    }
                    read.addAndGet(mine / 7); // seven columns a row
                }
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get();
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        threads.shutdown();
        check(read.get(), rows, "the fill reader");
        return rows / seconds;
    }

    private static void check(long got, int rows, String what) {
        if (got != rows) {
            throw new IllegalStateException(what + " read " + got + " rows, not " + rows);
        }
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return (sorted[(sorted.length - 1) / 2] + sorted[sorted.length / 2]) / 2; // the middle two when even
    }
}
