package io.puffgres.poll;

import io.puffgres.event.RelationId;
import java.util.List;

/**
 * The tables and changes {@link Wal2JsonDecoderIT} reads both ways: one table per case, each name prefixed so that
 * every run of the test has its own.
 */
final class Wal2JsonWorkload {

    private static final String NAMES = "types arrays others toasted full_ident pk_change no_pk trunc_a trunc_b end";

    private final String p;

    Wal2JsonWorkload(String prefix) {
        this.p = prefix;
    }

    List<RelationId> tables() {
        return List.of(NAMES.split(" ")).stream()
                .map(n -> new RelationId("public", p + n))
                .toList();
    }

    /** The table whose one insert ends the workload. */
    RelationId end() {
        return new RelationId("public", p + "end");
    }

    String[] schema() {
        return new String[] {
            "CREATE TABLE " + p + "types (id bigint PRIMARY KEY, i2 int2, i4 int4, i8 int8, n numeric(10,2),"
                    + " nn numeric, f4 real, f8 float8, b bool, u uuid, d date, ts timestamp, ts3 timestamp(3),"
                    + " tstz timestamptz, tm time, tmtz timetz, j json, jb jsonb, ba bytea, tx text, vc varchar(20),"
                    + " ch char(3), nm name, iv interval, o oid)",
            "CREATE TABLE " + p + "arrays (id int PRIMARY KEY, a_i4 int4[], a_i8 int8[], a_tx text[], a_num numeric[],"
                    + " a_f8 float8[], a_b bool[], a_u uuid[], a_d date[], a_tstz timestamptz[], a_ts timestamp[],"
                    + " a_ba bytea[], a_jb jsonb[], a_vc varchar(5)[], a_2d int4[][])",
            "CREATE TYPE " + p + "mood AS ENUM ('sad', 'happy')",
            "CREATE DOMAIN " + p + "posint AS int CHECK (VALUE > 0)",
            "CREATE EXTENSION IF NOT EXISTS hstore",
            "CREATE EXTENSION IF NOT EXISTS ltree",
            "CREATE EXTENSION IF NOT EXISTS citext",
            "CREATE EXTENSION IF NOT EXISTS cube",
            "CREATE TABLE " + p + "others (id int PRIMARY KEY, mo money, ip inet, net cidr, mac macaddr, bt bit(4),"
                    + " vb varbit, pt point, rng int4range, tsv tsvector, x xml, mood " + p + "mood, pos " + p
                    + "posint, g int GENERATED ALWAYS AS (id * 2) STORED, \"Weird \"\"Col\"\"\" text, hs hstore,"
                    + " lt ltree, ci citext, cb cube, bx box, moods " + p + "mood[])",
            "CREATE TABLE " + p + "toasted (id int PRIMARY KEY, big text, n int, arr int4[])",
            "ALTER TABLE " + p + "toasted ALTER big SET STORAGE EXTERNAL, ALTER arr SET STORAGE EXTERNAL",
            "CREATE TABLE " + p + "full_ident (id int PRIMARY KEY, t text, n int)",
            "ALTER TABLE " + p + "full_ident REPLICA IDENTITY FULL",
            "CREATE TABLE " + p + "pk_change (id int PRIMARY KEY, t text)",
            "CREATE TABLE " + p + "no_pk (a int, b text)",
            "ALTER TABLE " + p + "no_pk REPLICA IDENTITY FULL",
            "CREATE TABLE " + p + "trunc_a (id int PRIMARY KEY)",
            "CREATE TABLE " + p + "trunc_b (id int PRIMARY KEY)",
            "CREATE TABLE " + p + "end (id int PRIMARY KEY)",
        };
    }

    String[] statements() {
        return new String[] {
            "INSERT INTO " + p + "types VALUES (1, 2, 4, 9223372036854775807, 12.50, 3.14159265358979323846, 0.25,"
                    + " 0.5, true, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '2024-05-01',"
                    + " '2024-05-01 10:15:30.123456', '2024-05-01 10:15:30.1239', '2024-05-01 12:15:30.5+02',"
                    + " '10:00:00.5', '10:00:00+02', '{\"a\": [1, 2.50]}', '{\"lang\": \"en\", \"n\": 1.0}',"
                    + " '\\x0102ff', 'héllo \"quoted\" \\ back', 'v', 'c', 'nm',"
                    + " '1 year 2 mons 3 days 04:05:06.5', 42)",
            "INSERT INTO " + p + "types (id) VALUES (2)",
            "INSERT INTO " + p + "types (id, n, nn, f4, f8, d, ts, tstz, tm, tmtz, iv) VALUES (3, -0.01,"
                    + " 123456789012345678901234567890.1234567890123456789, -0, '-0', 'infinity', '-infinity',"
                    + " 'infinity', '23:59:59.999999', '00:00:00-12', '-1 days -00:00:01')",
            "INSERT INTO " + p + "types (id, d, ts, tstz, f8, f4) VALUES (4, '0044-03-15 BC', '1900-01-01 00:00:00',"
                    + " '1969-12-31 23:59:59.999999+00', 1e300, 1.17549435e-38)",
            "INSERT INTO " + p
                    + "types (id, d, ts, tstz, ts3) VALUES (5, '-infinity', 'infinity', '-infinity', '-infinity')",
            "INSERT INTO " + p + "types (id, nn, f4, f8) VALUES (6, 'NaN', 'NaN', 'Infinity')",
            "INSERT INTO " + p + "types (id, nn, f4, f8) VALUES (7, 1e-20, '-Infinity', 'NaN')",
            "UPDATE " + p + "types SET tx = 'changed', n = 13.00 WHERE id = 1",
            "DELETE FROM " + p + "types WHERE id = 2",
            "INSERT INTO " + p
                    + "arrays VALUES (1, '{1,NULL,3}', '{9223372036854775807}', '{x,\"y z\",NULL,\"q\\\"\",\"\"}',"
                    + " '{1.50,-2,NULL,3.14159265358979323846,100,1e-20,100.00,0.000}', '{0.5,-1}', '{t,f,NULL}', '{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}',"
                    + " '{2024-05-01}', '{\"2024-05-01 10:00:00+02\"}', '{\"2024-05-01 10:00:00.25\"}',"
                    + " ARRAY['\\x0102'::bytea, '\\x'::bytea], ARRAY['{\"k\": 1}'::jsonb], '{ab,\"c,d\"}',"
                    + " '{{1,2},{3,4}}')",
            "INSERT INTO " + p + "arrays (id, a_i4, a_tx) VALUES (2, '{}', '{}')",
            "INSERT INTO " + p + "others VALUES (1, 1234.56, '192.168.0.1/24', '10.0.0.0/8', '08:00:2b:01:02:03',"
                    + " B'1010', B'101', '(1.5,2)', '[1,5)', 'a fat cat', '<a>x</a>', 'happy', 7, DEFAULT, 'w',"
                    + " 'a=>1, b=>NULL', 'top.sci', 'MiXed', '(1, 2.5)', '((0,0),(1,1))', '{sad,happy}')",
            "UPDATE " + p + "others SET mo = -1.5, mood = 'sad' WHERE id = 1",
            "INSERT INTO " + p + "toasted VALUES (1, repeat('x', 5000), 1, array_fill(7, ARRAY[3000]))",
            "UPDATE " + p + "toasted SET n = 2 WHERE id = 1",
            "UPDATE " + p + "toasted SET big = repeat('y', 6000), n = 3 WHERE id = 1",
            "DELETE FROM " + p + "toasted WHERE id = 1",
            "INSERT INTO " + p + "full_ident VALUES (1, 'one', 1), (2, NULL, NULL)",
            "UPDATE " + p + "full_ident SET t = 'uno' WHERE id = 1",
            "UPDATE " + p + "full_ident SET id = 3 WHERE id = 2",
            "DELETE FROM " + p + "full_ident WHERE id = 1",
            "INSERT INTO " + p + "pk_change VALUES (1, 'a'), (2, 'b')",
            "UPDATE " + p + "pk_change SET id = 10 WHERE id = 1",
            "UPDATE " + p + "pk_change SET t = 'bb' WHERE id = 2",
            "UPDATE " + p + "pk_change SET id = id WHERE id = 2",
            "DELETE FROM " + p + "pk_change WHERE id = 10",
            "INSERT INTO " + p + "no_pk VALUES (1, 'one'), (1, 'one'), (NULL, NULL)",
            "UPDATE " + p + "no_pk SET b = 'uno' WHERE a = 1",
            "DELETE FROM " + p + "no_pk WHERE a IS NULL",
            "BEGIN; INSERT INTO " + p + "trunc_a VALUES (1); INSERT INTO " + p + "trunc_b VALUES (1); UPDATE " + p
                    + "pk_change SET t = 'in tx' WHERE id = 2; COMMIT",
            "TRUNCATE " + p + "trunc_a, " + p + "trunc_b",
            "INSERT INTO " + p + "end VALUES (1)",
        };
    }
}
