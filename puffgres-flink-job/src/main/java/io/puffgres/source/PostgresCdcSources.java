package io.puffgres.source;

import io.puffgres.config.PostgresUrl;
import io.puffgres.event.RowEvent;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.flink.cdc.connectors.base.config.JdbcSourceConfig;
import org.apache.flink.cdc.connectors.base.options.StartupOptions;
import org.apache.flink.cdc.connectors.base.relational.connection.JdbcConnectionPoolFactory;
import org.apache.flink.cdc.connectors.postgres.source.PostgresConnectionPoolFactory;
import org.apache.flink.cdc.connectors.postgres.source.PostgresDialect;
import org.apache.flink.cdc.connectors.postgres.source.PostgresSourceBuilder;
import org.apache.flink.cdc.connectors.postgres.source.PostgresSourceBuilder.PostgresIncrementalSource;
import org.apache.flink.cdc.connectors.postgres.source.config.PostgresSourceConfig;
import org.apache.flink.cdc.connectors.postgres.source.config.PostgresSourceConfigFactory;
import org.apache.flink.cdc.connectors.postgres.source.offset.PostgresOffsetFactory;

/**
 * Builds the Flink CDC incremental Postgres source for puffgres: our own publication (created beforehand, so no
 * superuser is needed; autocreate is disabled), the given slot, pgoutput by default, and the Debezium settings our
 * {@link ChangeEventDeserializer} relies on.
 */
public final class PostgresCdcSources {

    private static final Duration HEARTBEAT = Duration.ofSeconds(30);

    private PostgresCdcSources() {}

    /**
     * Connection and stream settings of one source.
     *
     * @param parameters pgjdbc properties from the URL ({@code sslmode}, {@code sslrootcert}, …): every connection of
     *     the source carries them, the WAL stream's included
     * @param tables {@code schema.table} names
     * @param plugin {@code pgoutput} or {@code wal2json}
     * @param chunkKeyColumn the column every table's snapshot is split by, when a table has no primary key
     *     ({@link ChunkKey}); empty: each table's primary key
     */
    public record Settings(
            String host,
            int port,
            String database,
            String user,
            String password,
            Map<String, String> parameters,
            List<String> tables,
            String slot,
            String publication,
            String plugin,
            StartupOptions startup,
            Optional<String> chunkKeyColumn) {}

    public static PostgresIncrementalSource<RowEvent> build(Settings s) {
        Properties debezium = new Properties();
        // each field's schema carries its Postgres type, so RowEvent knows int4 from int8 and uuid from text
        debezium.setProperty("column.propagate.source.type", ".*");
        debezium.setProperty("publication.name", s.publication());
        debezium.setProperty("publication.autocreate.mode", "disabled");
        // hand events on after at most 50 ms (Debezium waits 500 ms by default: latency); the queue keeps Debezium's
        // default sizes: under back-pressure it is full, and a larger one (32k records were tried) is copied through
        // every young collection for no gain in throughput
        debezium.setProperty("poll.interval.ms", "50");
        debezium.setProperty("max.batch.size", "2048");
        debezium.setProperty("max.queue.size", "8192");
        // every column arrives: a type Debezium has no converter for (name, tsvector, extension types) as its text, not
        // left out or NULL; arrays and geometric types through PgTextConverter
        debezium.setProperty("include.unknown.datatypes", "true");
        debezium.setProperty("converters", "pgtext");
        debezium.setProperty("pgtext.type", PgTextConverter.class.getName());
        // TRUNCATE reaches the job as an event (Debezium skips it by default)
        debezium.setProperty("truncate.handling.mode", "include");
        // an interval as ISO 8601 (P1DT2H), not an approximate count of microseconds; lookups write the same
        // (JdbcRows)
        debezium.setProperty("interval.handling.mode", "string");
        // Debezium hands every database.* property to pgjdbc (prefix dropped) on the connections it opens: the
        // replication connection and the snapshot's; Flink CDC's own pooled connections get them from the dialect
        s.parameters().forEach((name, value) -> debezium.setProperty("database." + name, value));
        s.chunkKeyColumn().ifPresent(key -> {
            // Debezium keys a table without a primary key by its first unique index, which may allow NULLs: the
            // snapshot, which keeps one row per key, would then drop rows. Key every table by the chunk key column
            // (unique and NOT NULL in each, ChunkKey)
            debezium.setProperty(
                    "message.key.columns",
                    s.tables().stream().map(t -> Pattern.quote(t) + ":" + key).collect(Collectors.joining(";")));
        });
        PostgresSourceBuilder<RowEvent> builder = PostgresSourceBuilder.PostgresIncrementalSource.<RowEvent>builder()
                .hostname(s.host())
                .port(s.port())
                .database(s.database())
                .schemaList(s.tables().stream()
                        .map(t -> t.substring(0, t.indexOf('.')))
                        .distinct()
                        .toArray(String[]::new))
                .tableList(s.tables().toArray(String[]::new))
                .username(s.user())
                .password(s.password())
                .slotName(s.slot())
                .decodingPluginName(s.plugin())
                // a partitioned table is read through its root, as the publication publishes it (ReplicationSetup)
                .includePartitionedTables(true)
                .debeziumProperties(debezium)
                .startupOptions(s.startup())
                // a heartbeat lets the slot advance while the mapped tables are idle (no WAL bloat)
                .heartbeatInterval(HEARTBEAT);
        s.chunkKeyColumn().ifPresent(builder::chunkKeyColumn);
        PostgresSourceConfigFactory config = builder.getConfigFactory();
        return new PostgresIncrementalSource<>(
                config,
                new ChangeEventDeserializer(),
                new PostgresOffsetFactory(),
                new ParameterizedDialect(config.create(0), s.parameters()));
    }

    /**
     * Flink CDC's dialect with the URL parameters on its pooled connections (chunk splitting, table discovery): its
     * pool opens {@code jdbc:postgresql://host:port/db} with nothing else, which would silently drop TLS settings.
     */
    static final class ParameterizedDialect extends PostgresDialect {
        private static final long serialVersionUID = 1L;

        private final TreeMap<String, String> parameters;

        ParameterizedDialect(PostgresSourceConfig config, Map<String, String> parameters) {
            super(config);
            this.parameters = new TreeMap<>(parameters);
        }

        @Override
        public JdbcConnectionPoolFactory getPooledDataSourceFactory() {
            return new ParameterizedPoolFactory(parameters);
        }
    }

    /** Flink CDC's pool factory with the URL parameters in the pool's JDBC URL. */
    static final class ParameterizedPoolFactory extends PostgresConnectionPoolFactory {
        private final Map<String, String> parameters;

        ParameterizedPoolFactory(Map<String, String> parameters) {
            this.parameters = parameters;
        }

        @Override
        public String getJdbcUrl(JdbcSourceConfig config) {
            return new PostgresUrl(
                            config.getHostname(),
                            config.getPort(),
                            config.getDatabaseList().get(0),
                            parameters)
                    .jdbcUrlWithParameters();
        }
    }
}
