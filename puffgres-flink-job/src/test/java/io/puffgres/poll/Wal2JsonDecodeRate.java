package io.puffgres.poll;

import io.puffgres.event.PgType;
import io.puffgres.event.RelationId;
import io.puffgres.event.RowEvent;
import java.util.List;

/**
 * Rows per second of {@link Wal2JsonDecoder#decode} alone, on INSERTs of a row of ~260 bytes of wal2json (eight
 * columns of the common types), in rounds so the JIT is warm. Not a test: run its main (e.g. from the IDE, or {@code
 * java -cp …}) to compare with the ~65k rows/s of {@code pg_logical_slot_get_changes}.
 */
final class Wal2JsonDecodeRate {

    private Wal2JsonDecodeRate() {}

    public static void main(String[] args) {
        RelationId t = new RelationId("public", "items");
        List<TableColumns.Column> columns = List.of(
                new TableColumns.Column("id", PgType.of("int8"), PgType.of("int8"), true, false),
                new TableColumns.Column("title", PgType.of("text")),
                new TableColumns.Column("body", PgType.of("text")),
                new TableColumns.Column("price", PgType.of("numeric")),
                new TableColumns.Column("score", PgType.of("float8")),
                new TableColumns.Column("active", PgType.of("bool")),
                new TableColumns.Column("created_at", PgType.of("timestamptz")),
                new TableColumns.Column("tags", PgType.of("text[]")));
        Wal2JsonDecoder decoder = new Wal2JsonDecoder(table -> table.equals(t) ? columns : null);
        int n = 10_000;
        String[] lines = new String[n];
        for (int i = 0; i < n; i++) {
            lines[i] = "{\"action\":\"I\",\"xid\":726,\"timestamp\":\"2026-12-06 19:57:29.66976+00\",\"lsn\":\"0/"
                    + Integer.toHexString(0x1528618 + i) + "\",\"schema\":\"public\",\"table\":\"items\",\"columns\":["
                    + "{\"name\":\"id\",\"type\":\"bigint\",\"value\":" + i + "},"
                    + "{\"name\":\"title\",\"type\":\"text\",\"value\":\"item number " + i + "\"},"
                    + "{\"name\":\"body\",\"type\":\"text\",\"value\":\"a short description of the item\"},"
                    + "{\"name\":\"price\",\"type\":\"numeric(10,2)\",\"value\":" + (i % 1000) + ".50},"
                    + "{\"name\":\"score\",\"type\":\"double precision\",\"value\":0.125},"
                    + "{\"name\":\"active\",\"type\":\"boolean\",\"value\":true},"
                    + "{\"name\":\"created_at\",\"type\":\"timestamp with time zone\","
                    + "\"value\":\"2024-05-01 10:00:00.123456+00\"},"
                    + "{\"name\":\"tags\",\"type\":\"text[]\",\"value\":\"{a,b}\"}]}";
        }
        String begin = "{\"action\":\"B\",\"xid\":726,\"timestamp\":\"2026-12-06 19:57:29.66976+00\"}";
        System.out.println("bytes per line: " + lines[n / 2].length());
        long sink = 0;
        for (int round = 0; round < 15; round++) {
            long start = System.nanoTime();
            int rows = 0;
            for (int r = 0; r < 20; r++) {
                decoder.decode(1, begin);
                for (String line : lines) {
                    RowEvent e = decoder.decode(2, line);
                    sink += e.lsn();
                    rows++;
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("round %2d: %,.0f rows/s%n", round, rows / seconds);
        }
        System.out.println(sink == 42 ? "" : "done");
    }
}
