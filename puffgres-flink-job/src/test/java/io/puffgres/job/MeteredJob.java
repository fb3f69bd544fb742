package io.puffgres.job;

import io.puffgres.config.PostgresUrl;
import io.puffgres.config.ProjectConfig;
import io.puffgres.dlq.DlqTable;
import io.puffgres.event.RelationId;
import io.puffgres.fill.FillLedger;
import io.puffgres.fill.FillRequest;
import io.puffgres.fill.FillSource;
import io.puffgres.migration.Migration;
import io.puffgres.migration.Project;
import io.puffgres.source.PostgresCdcSources;
import io.puffgres.source.ReplicationSetup;
import io.puffgres.stream.JobSpec;
import java.nio.file.Files;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.flink.cdc.connectors.base.options.StartupOptions;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.ExecutionCheckpointingOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The puffgres job graph ({@link PuffgresJob#build}) on an embedded MiniCluster whose Flink configuration the test
 * chooses (the metrics reporter), prepared as {@link JobRunner} prepares it: publication, slot, DLQ table, the CDC
 * source streaming from the new slot's position, and a backfill of the mappings the test names.
 *
 * <p>Why not {@code JobRunner.start}: at the time of writing it builds its Flink configuration itself and does not
 * read {@code flink-conf/config.yaml}, so a test cannot add a reporter to it. Once it reads the project's Flink
 * configuration directory, this test can write its reporter there and use {@code JobRunner} instead.
 */
final class MeteredJob {

    private MeteredJob() {}

    /**
     * Prepares Postgres for {@code project}: publication, a new slot, the DLQ table, and a ledger entry for a backfill
     * of each of {@code filled}; returns the fills to run.
     */
    static List<FillRequest> prepare(Project project, List<String> filled) throws Exception {
        ProjectConfig config = project.config();
        try (Connection c = config.postgres().connect()) {
            List<RelationId> tables =
                    relations(c, project).values().stream().distinct().toList();
            ReplicationSetup.ensurePublication(c, config.postgres().publication(), tables);
            ReplicationSetup.ensureSlot(c, config.postgres().slot(), "pgoutput", true, config.postgres(), note -> {});
            new DlqTable(config.state().schema()).ensure(c);
            FillLedger ledger = new FillLedger(config.state().schema());
            ledger.ensure(c);
            List<FillRequest> fills = new ArrayList<>();
            for (Migration m : project.effectiveMappings()) {
                if (filled.contains(m.mappingName())) {
                    long id =
                            ledger.request(c, m.mappingName(), m.version(), m.namespace(), FillLedger.Reason.BACKFILL);
                    fills.add(new FillRequest(
                            id, m.mappingName(), m.version(), config.fill().chunkRows(), false));
                }
            }
            return fills;
        }
    }

    /** Starts the job of {@code project} (prepared) with {@code flink} under the job's own settings. */
    static JobClient start(Project project, List<FillRequest> fills, Configuration flink) throws Exception {
        ProjectConfig config = project.config();
        Map<String, RelationId> relations;
        long lsn;
        try (Connection c = config.postgres().connect()) {
            relations = relations(c, project);
            lsn = ReplicationSetup.currentLsn(c);
        }
        Configuration conf = new Configuration(flink);
        conf.set(
                CheckpointingOptions.CHECKPOINTS_DIRECTORY,
                Files.createTempDirectory("puffgres-metered-").toUri().toString());
        conf.set(
                ExecutionCheckpointingOptions.CHECKPOINTING_INTERVAL,
                Duration.ofMillis(config.flink().checkpointIntervalMs()));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(1, conf);
        Map<String, Integer> versions = new LinkedHashMap<>();
        project.effectiveMappings().forEach(m -> versions.put(JobSpec.key(m, true), m.version()));
        JobSpec spec =
                new JobSpec(project.dir().toString(), lsn, config.postgres().slot(), versions, false);
        PostgresUrl url = config.postgres().url();
        PostgresCdcSources.Settings source = new PostgresCdcSources.Settings(
                url.host(),
                url.port(),
                url.database(),
                config.postgres().user().orElse(System.getProperty("user.name")),
                config.postgres().password().map(p -> p.reveal()).orElse(""),
                url.parameters(),
                relations.values().stream().distinct().map(RelationId::toString).toList(),
                config.postgres().slot(),
                config.postgres().publication(),
                "pgoutput",
                StartupOptions.committed(),
                Optional.empty());
        PuffgresJob.build(
                env,
                spec,
                PostgresCdcSources.build(source),
                relations,
                fills.stream().map(f -> new FillSource(spec, f)).toList());
        return env.executeAsync("puffgres: " + String.join(", ", relations.keySet()));
    }

    private static Map<String, RelationId> relations(Connection c, Project project) throws Exception {
        Map<String, RelationId> relations = new LinkedHashMap<>();
        for (Migration m : project.effectiveMappings()) {
            relations.put(JobSpec.key(m, true), ReplicationSetup.cdcRelation(c, m));
        }
        return relations;
    }
}
