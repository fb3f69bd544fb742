package io.puffgres.stream;

import io.puffgres.client.ErrorPolicy;
import io.puffgres.client.TurbopufferClient;
import io.puffgres.config.ProjectConfig;
import io.puffgres.migration.InvalidProjectException;
import io.puffgres.migration.Migration;
import io.puffgres.migration.Project;
import io.puffgres.migration.ProjectBundle;
import io.puffgres.migration.ProjectLoader;
import java.io.Serializable;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What every task of the job needs to know, small and serializable: the project (packed in a {@link ProjectBundle} that
 * tasks unpack and load themselves, with secrets from their own environment, so no secret travels in the job graph
 * and no task reads the project directory), the LSN given to snapshot rows, the replication slot, the version of
 * each mapping it runs, and {@code --strict}.
 *
 * @param projectDir absolute path of the project (holding puffgres.toml) where it was submitted; tasks read it only
 *     when {@code bundle} is null (tests that build operators directly)
 * @param snapshotLsn the WAL position taken just before the job started; snapshot (READ) rows carry it, so they
 *     supersede anything written by an earlier run and never regress changes streamed after them
 * @param slot the replication slot the job reads
 * @param versions mapping key → the migration version the job runs under it: the mapping name for a mapping's
 *     applied version (later files may exist), {@code name@vN} for an older version the job keeps mirroring into its
 *     own namespace while the newer one's namespace is filled ({@link #key})
 * @param strict stop the job at the first DLQ entry instead of moving past it
 * @param bundle the project as submitted; null: tasks load {@code projectDir}
 */
public record JobSpec(
        String projectDir,
        long snapshotLsn,
        String slot,
        Map<String, Integer> versions,
        boolean strict,
        ProjectBundle bundle)
        implements Serializable {

    public JobSpec {
        versions = Map.copyOf(versions);
    }

    /** A job whose tasks read the project from {@code projectDir} (tests that build operators directly). */
    public JobSpec(String projectDir, long snapshotLsn, String slot, Map<String, Integer> versions, boolean strict) {
        this(projectDir, snapshotLsn, slot, versions, strict, null);
    }

    /** Where tasks unpack bundled projects. */
    private static final Path UNPACKED = Path.of(System.getProperty("java.io.tmpdir"), "puffgres-projects");

    private static final Map<String, Project> PROJECTS = new ConcurrentHashMap<>();

    /** The project, loaded once per JVM. */
    public Project project() {
        String key = bundle == null ? projectDir : "bundle:" + bundle.id();
        return PROJECTS.computeIfAbsent(key, k -> {
            Path dir = bundle == null ? Path.of(projectDir) : bundle.unpack(UNPACKED);
            try {
                return ProjectLoader.load(dir, bundle == null ? System.getenv() : bundle.environment(System.getenv()));
            } catch (InvalidProjectException e) {
                throw new IllegalStateException("the project "
                        + (bundle == null ? "in " + dir : "submitted from " + projectDir + " (unpacked in " + dir + ")")
                        + " is not valid here: " + e.diagnostics().get(0).render()
                        + " (run puffgres validate; a cluster reads PUFFGRES_ variables from its own environment)");
            }
        });
    }

    /**
     * The key the job runs {@code m} under: its mapping name when it is the mapping's newest version, else
     * {@code name@vN}. Operator names, uids' prefixes and metrics carry it, so two versions of one mapping can run
     * side by side.
     */
    public static String key(Migration m, boolean newest) {
        return newest ? m.mappingName() : m.mappingName() + "@v" + m.version();
    }

    /** The mapping name in {@code key} ({@link #key}). */
    public static String mappingName(String key) {
        int at = key.indexOf('@');
        return at < 0 ? key : key.substring(0, at);
    }

    /** The migration the job runs under {@code key} ({@link #key}). */
    public Migration mapping(String key) {
        Integer version = versions.get(key);
        String name = mappingName(key);
        return project().migrations().stream()
                .filter(m -> m.mappingName().equals(name)
                        && Integer.valueOf(m.version()).equals(version))
                .findFirst()
                .orElseThrow(
                        () -> new IllegalStateException("mapping " + name + " v" + version + " is not in the project"));
    }

    public String stateSchema() {
        return project().config().state().schema();
    }

    /** A new JDBC connection to the source database ({@link ProjectConfig.Postgres#connect()}). */
    public Connection connect() throws SQLException {
        return project().config().postgres().connect();
    }

    /**
     * A new turbopuffer client for the project's {@code [turbopuffer]}: transient errors retried without limit
     * (back-pressure), or up to {@code max_retries} times. The caller closes it.
     */
    public TurbopufferClient turbopuffer() {
        ProjectConfig.Turbopuffer tp = project().config().turbopuffer();
        return new TurbopufferClient(
                tp.baseUrl(),
                tp.apiKey(),
                tp.maxRetries()
                        .map(n -> ErrorPolicy.unlimited().withMaxAttempts(n + 1))
                        .orElse(ErrorPolicy.unlimited()),
                TurbopufferClient.DEFAULT_TIMEOUT);
    }

    /** Forgets loaded projects (tests that rewrite a project directory). */
    public static void forgetProjects() {
        PROJECTS.clear();
    }
}
