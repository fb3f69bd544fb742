package io.puffgres.sink;

import io.puffgres.stream.JobSpec;
import java.io.Serializable;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;

/**
 * Where a filling {@link MappingWriter} reads, when it opens, a WAL position at or above every stamp a run before it
 * may have written after the checkpoint it restores (a fill row's horizon): its upserts then also apply where the
 * stored {@code __source_lsn} is at or below it ({@link io.puffgres.pipeline.WriteRequests#floor}, docs/job.md,
 * "Restores").
 */
@FunctionalInterface
public interface StampFloor extends Serializable {

    long read() throws Exception;

    /** The source database's WAL insert position, read over a connection of its own. */
    static StampFloor walInsertPosition(JobSpec spec) {
        return () -> {
            try (Connection c = spec.connect();
                    Statement s = c.createStatement();
                    ResultSet r = s.executeQuery("SELECT (pg_current_wal_insert_lsn() - '0/0'::pg_lsn)::bigint")) {
                r.next();
                return r.getLong(1);
            }
        };
    }
}
