package io.puffgres.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class PostgresClusterIT {

    @RegisterExtension
    static final PostgresDatabase db = new PostgresDatabase();

    @Test
    void givesEachClassAFreshDatabaseWithLogicalDecoding() throws Exception {
        try (Connection c = db.connect();
                Statement s = c.createStatement()) {
            ResultSet rs = s.executeQuery("SELECT current_database(), current_setting('wal_level'),"
                    + " (SELECT count(*) FROM pg_tables WHERE schemaname = 'public')");
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo(db.name());
            assertThat(rs.getString(2)).isEqualTo("logical");
            assertThat(rs.getLong(3)).isZero();
        }
    }

    @Test
    void supportsLogicalReplicationSlotsWithWal2json() throws Exception {
        db.execute("CREATE TABLE t (id int PRIMARY KEY)");
        try (Connection c = db.connect();
                Statement s = c.createStatement()) {
            s.execute("SELECT pg_create_logical_replication_slot('kit_slot', 'wal2json')");
            s.execute("INSERT INTO t VALUES (1)");
            ResultSet rs = s.executeQuery("SELECT data FROM pg_logical_slot_get_changes('kit_slot', NULL, NULL)");
            StringBuilder changes = new StringBuilder();
            while (rs.next()) {
                changes.append(rs.getString(1));
            }
            assertThat(changes.toString()).contains("\"kind\":\"insert\"").contains("\"table\":\"t\"");
            s.execute("SELECT pg_drop_replication_slot('kit_slot')");
        }
    }
}
