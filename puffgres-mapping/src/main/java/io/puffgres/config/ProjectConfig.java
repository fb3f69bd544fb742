package io.puffgres.config;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;
import java.util.Properties;

/**
 * Everything in {@code puffgres.toml} after environment overrides, validated. Immutable.
 *
 * @param embeddings present when the project has an {@code [embeddings]} table (needed by {@code ctx.embed})
 */
public record ProjectConfig(
        Postgres postgres,
        Turbopuffer turbopuffer,
        Flink flink,
        Source source,
        Fill fill,
        State state,
        Optional<Embeddings> embeddings) {

    /**
     * {@code [postgres]}.
     *
     * @param url the server, database and driver parameters, from a JDBC or libpq URL
     * @param user from {@code user} or the URL
     * @param password from the env var named by {@code password_env}, or from a URL given in the environment
     */
    public record Postgres(
            PostgresUrl url, Optional<String> user, Optional<Secret> password, String slot, String publication) {

        /**
         * A new JDBC connection to the database, with every URL parameter (TLS …), the user and password; the caller
         * closes it. Every connection puffgres opens to the source database (the job's and every command's) is made
         * here.
         */
        private static final org.postgresql.Driver DRIVER = new org.postgresql.Driver();

        public Connection connect() throws SQLException {
            Properties props = new Properties();
            props.putAll(url.parameters());
            user.ifPresent(u -> props.setProperty("user", u));
            password.ifPresent(p -> props.setProperty("password", p.reveal()));
            props.setProperty("ApplicationName", "puffgres");
            // the driver itself, not DriverManager: in a Flink cluster pgjdbc is in the job's class loader, which
            // DriverManager does not search (a task that connects before another loaded the driver finds none)
            Connection c = DRIVER.connect(url.jdbcUrl(), props);
            if (c == null) {
                throw new SQLException("not a PostgreSQL JDBC URL: " + url.jdbcUrl());
            }
            return c;
        }
    }

    /**
     * {@code [turbopuffer]}.
     *
     * @param apiKey from the env var named by {@code api_key_env}; empty when unset (fine for the emulator)
     * @param maxRetries how often the job retries a write that failed transiently before it fails (and restarts from
     *     its last checkpoint); empty: without limit, the failures hold the job back until turbopuffer answers
     */
    public record Turbopuffer(
            String baseUrl, String apiKeyEnv, Optional<Secret> apiKey, Optional<Integer> maxRetries) {}

    /**
     * {@code [flink]}.
     *
     * @param mode where {@code puffgres run} runs the job (a {@code --target} flag picks another)
     * @param restUrl {@code rest_url}: the REST API of the Flink cluster the remote mode submits to
     * @param stallAfterMs pending work (a lookup, a write) that has not moved for this long makes the job STALLED
     * @param stallTimeoutMs a stall this long fails the job, which Flink restarts from its last checkpoint; 0: never
     * @param webUiBind the IP address an embedded run serves the Flink web UI and REST API on (127.0.0.1: this
     *     machine only; 0.0.0.0: every interface, which lets anyone who reaches the port control the job)
     * @param confDir {@code conf_dir}: the directory of the Flink {@code config.yaml} an embedded run reads (relative
     *     to the project); empty: the copy of the repository's {@code flink-conf/config.yaml} puffgres carries
     */
    public record Flink(
            Mode mode,
            Optional<String> restUrl,
            int parallelism,
            long checkpointIntervalMs,
            String checkpointDir,
            long stallAfterMs,
            long stallTimeoutMs,
            String webUiBind,
            Optional<String> confDir) {
        /** Where the job runs: a MiniCluster inside {@code puffgres run}, or a Flink cluster reached at rest_url. */
        public enum Mode {
            EMBEDDED,
            REMOTE
        }
    }

    /**
     * {@code [source]}: where the job reads changes (docs/job.md, "Poll mode").
     *
     * @param mode {@code STREAM}: the replication protocol (Flink CDC); {@code POLL}: wal2json over plain SQL
     * @param pollIntervalMs the wait after a poll that returned fewer changes than {@code pollBatchSize}
     * @param pollMaxIntervalMs the longest wait: each empty poll doubles the wait up to this
     * @param pollBatchSize changes one poll asks for ({@code upto_nchanges}); a poll ends at a transaction's end, so
     *     one large transaction is read whole, in a stream
     */
    public record Source(Mode mode, long pollIntervalMs, long pollMaxIntervalMs, int pollBatchSize) {

        public enum Mode {
            STREAM,
            POLL
        }

        public static final long DEFAULT_POLL_INTERVAL_MS = 200;
        public static final long DEFAULT_POLL_MAX_INTERVAL_MS = 5_000;
        public static final int DEFAULT_POLL_BATCH_SIZE = 10_000;

        /** The defaults: streaming, and the poll settings a {@code --poll} run uses. */
        public static Source defaults() {
            return new Source(
                    Mode.STREAM, DEFAULT_POLL_INTERVAL_MS, DEFAULT_POLL_MAX_INTERVAL_MS, DEFAULT_POLL_BATCH_SIZE);
        }
    }

    /**
     * {@code [fill]}: how fills read their tables (docs/job.md, "Filling a namespace").
     *
     * @param chunkRows about how many table rows a chunk holds: each chunk is read in its own snapshot, and a fill
     *     interrupted reads its unfinished chunks again
     */
    public record Fill(int chunkRows) {

        /**
         * Rows a fill reads in one chunk (one snapshot) by default: large enough that planning (one index walk per
         * chunk) costs little beside reading, small enough that a restart reads little again and no snapshot stays
         * open long.
         */
        public static final int DEFAULT_CHUNK_ROWS = 10_000;
    }

    /** {@code [state]}: the Postgres schema holding applied-migration records and the DLQ. */
    public record State(String schema) {}

    /** {@code [embeddings]}: an OpenAI-compatible embeddings endpoint for {@code ctx.embed}. */
    public record Embeddings(
            String baseUrl,
            String model,
            String apiKeyEnv,
            Optional<Secret> apiKey,
            Optional<Integer> dimensions,
            long timeoutMs,
            int batchSize) {}
}
