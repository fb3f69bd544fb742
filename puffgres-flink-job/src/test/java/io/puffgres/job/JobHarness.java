package io.puffgres.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.puffgres.client.ErrorPolicy;
import io.puffgres.client.Filter;
import io.puffgres.client.Query;
import io.puffgres.client.TurbopufferClient;
import io.puffgres.client.TurbopufferException;
import io.puffgres.migration.Project;
import io.puffgres.migration.ProjectLoader;
import io.puffgres.stream.JobSpec;
import io.puffgres.testkit.PostgresDatabase;
import io.puffgres.testkit.ProjectFiles;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/** A throwaway puffgres project pointing at a test database and emulator, and helpers to run it and read back. */
final class JobHarness implements AutoCloseable {

    private final PostgresDatabase db;
    private final String emulatorUrl;
    final Path dir;
    private final TurbopufferClient client;
    private final List<JobRunner.Started> running = new ArrayList<>();

    JobHarness(PostgresDatabase db, String emulatorUrl, String name, String... migrations) throws IOException {
        this.db = db;
        this.emulatorUrl = emulatorUrl;
        this.dir = Files.createTempDirectory("puffgres-job-" + name);
        ProjectFiles.writeConfig(dir, db.jdbcUrl(), name + "_slot", name + "_pub", emulatorUrl, 500);
        for (int i = 0; i < migrations.length; i++) {
            Files.writeString(
                    dir.resolve("puffgres/migrations/" + String.format("%04d", i + 1) + "_" + name + ".toml"),
                    migrations[i]);
        }
        this.client =
                new TurbopufferClient(emulatorUrl, Optional.empty(), ErrorPolicy.defaults(), Duration.ofSeconds(30));
    }

    /** A project mirroring {@code table(id, title)} as it is: mapping and namespace named after the table. */
    static JobHarness titles(PostgresDatabase db, String emulatorUrl, String table) throws IOException {
        return new JobHarness(db, emulatorUrl, table, migration(1, table, table, table, "\"id\", \"title\"", ""));
    }

    /** A migration of table {@code table} into {@code namespace}, flushing every 50 ms, with the given extra TOML. */
    static String migration(int version, String mapping, String namespace, String table, String columns, String rest) {
        return ProjectFiles.migration(version, mapping, namespace, table, columns, "flush_interval_ms = 50\n" + rest);
    }

    Project project() throws Exception {
        return ProjectLoader.load(dir, Map.of());
    }

    JobRunner.Started start(JobRunner.Options options) throws Exception {
        JobSpec.forgetProjects();
        JobRunner.Started started = JobRunner.start(project(), options);
        running.add(started);
        return started;
    }

    /** Cancels the job (its checkpoints are retained) and waits until it is gone. */
    void cancel(JobRunner.Started job) throws Exception {
        job.client().cancel().get(60, TimeUnit.SECONDS);
        waitTerminal(job);
        running.remove(job);
    }

    /** Waits until the job has stopped and returns how it ended (null when it finished normally). */
    static Throwable waitTerminal(JobRunner.Started job) throws Exception {
        try {
            job.client().getJobExecutionResult().get(60, TimeUnit.SECONDS);
            return null;
        } catch (java.util.concurrent.ExecutionException e) {
            return e.getCause();
        }
    }

    /** Every document of {@code namespace} by id (attributes without {@code id}); empty when it does not exist. */
    Map<Object, Map<String, Object>> documents(String namespace) {
        Map<Object, Map<String, Object>> out =
                new TreeMap<>((a, b) -> String.valueOf(a).compareTo(String.valueOf(b)));
        Object last = null;
        while (true) {
            Query.Builder q = Query.builder()
                    .rankBy(Query.RankBy.attribute("id", true))
                    .topK(1000)
                    .includeAllAttributes();
            if (last != null) {
                q.filters(Filter.gt("id", last));
            }
            List<Map<String, Object>> rows;
            try {
                rows = client.query(namespace, q.build()).rows();
            } catch (TurbopufferException e) {
                if (e.status() == 404) {
                    return out;
                }
                throw e;
            }
            for (Map<String, Object> row : rows) {
                Map<String, Object> attributes = new TreeMap<>(row);
                Object id = attributes.remove("id");
                attributes.remove("$dist");
                out.put(id, attributes);
                last = id;
            }
            if (rows.size() < 1000) {
                return out;
            }
        }
    }

    /** Rows of a query as id → column → value (text form), for comparing with {@link #documents}. */
    Map<Object, Map<String, Object>> rows(String sql) throws Exception {
        Map<Object, Map<String, Object>> out =
                new TreeMap<>((a, b) -> String.valueOf(a).compareTo(String.valueOf(b)));
        try (Connection c = db.connect();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                Map<String, Object> row = new TreeMap<>();
                for (int i = 2; i <= n; i++) {
                    row.put(rs.getMetaData().getColumnLabel(i), rs.getObject(i));
                }
                out.put(rs.getLong(1), row);
            }
        }
        return out;
    }

    /**
     * The largest subtask value of the gauge whose REST metric id is {@code metricId} ({@code
     * <operator>.<metric>}, the operator name with ':' and ' ' as '_'), through the Flink REST API as the web UI reads
     * it; empty while no vertex shows it.
     */
    static Optional<Long> gauge(JobRunner.Started job, String metricId) throws Exception {
        String jobUrl = jobUrl(job);
        for (JsonNode vertex : rest(jobUrl).path("vertices")) {
            String metrics = jobUrl + "/vertices/" + vertex.path("id").asText() + "/subtasks/metrics";
            for (JsonNode available : rest(metrics)) {
                if (available.path("id").asText().equals(metricId)) {
                    String url = metrics + "?agg=max&get=" + URLEncoder.encode(metricId, StandardCharsets.UTF_8);
                    return Optional.of(rest(url).path(0).path("max").asLong());
                }
            }
        }
        return Optional.empty();
    }

    /** The stack trace of the newest failure in the job's exception history; empty before the first. */
    static String lastFailure(JobRunner.Started job) throws Exception {
        return rest(jobUrl(job) + "/exceptions")
                .path("exceptionHistory")
                .path("entries")
                .path(0)
                .path("stacktrace")
                .asText();
    }

    /** The job's URL in the Flink REST API. */
    static String jobUrl(JobRunner.Started job) {
        return job.restUrl().orElseThrow() + "/jobs/" + job.client().getJobID();
    }

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    /** A GET of the Flink REST API, as JSON. */
    static JsonNode rest(String url) throws Exception {
        return new ObjectMapper()
                .readTree(HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), BodyHandlers.ofString())
                        .body());
    }

    TurbopufferClient client() {
        return client;
    }

    @Override
    public void close() throws Exception {
        for (JobRunner.Started job : List.copyOf(running)) {
            try {
                job.client().cancel().get(60, TimeUnit.SECONDS);
            } catch (Exception e) {
                // already stopped
            }
        }
        client.close();
    }
}
