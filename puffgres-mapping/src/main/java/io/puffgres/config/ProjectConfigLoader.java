package io.puffgres.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.tomlj.TomlTable;

/**
 * Reads {@code puffgres.toml} into a {@link ProjectConfig}. Every key can be overridden by an environment
 * variable {@code PUFFGRES_<TABLE>_<KEY>} (e.g. {@code PUFFGRES_POSTGRES_URL}, {@code PUFFGRES_FLINK_PARALLELISM});
 * secrets are never in the file, only the names of the env vars holding them.
 */
public final class ProjectConfigLoader {

    /** Conventional slot name; one puffgres project per database by default. */
    static final String DEFAULT_SLOT = "puffgres";
    /** Publication puffgres creates and owns for the mapped tables. */
    static final String DEFAULT_PUBLICATION = "puffgres";
    /** The env var the turbopuffer SDKs read too. */
    static final String DEFAULT_API_KEY_ENV = "TURBOPUFFER_API_KEY";
    /** One slot has one reader; parallelism 1 is right for a single machine. */
    static final long DEFAULT_PARALLELISM = 1;
    /** Bounds replay after a crash to ~10 s of changes without checkpointing constantly. */
    static final long DEFAULT_CHECKPOINT_INTERVAL_MS = 10_000;

    /**
     * Work in flight normally moves within seconds (a lookup query times out after 60 s and fails the job): a minute
     * without any is worth showing.
     */
    static final long DEFAULT_STALL_AFTER_MS = 60_000;
    /**
     * A job stuck this long is restarted from its last checkpoint, which is better than waiting without end; long
     * enough that only a real hang gets there (a write being retried is not one: [turbopuffer] max_retries rules it).
     */
    static final long DEFAULT_STALL_TIMEOUT_MS = 600_000;

    /**
     * The Flink REST API of an embedded run can cancel its job and read its configuration: only this machine reaches
     * it unless the project widens it.
     */
    static final String DEFAULT_WEB_UI_BIND = "127.0.0.1";

    /** {@code [flink] mode} by default: a Flink MiniCluster inside {@code puffgres run}. */
    static final String EMBEDDED = "embedded";

    /** {@code [flink] mode} that submits the job to the Flink cluster at {@code rest_url}. */
    static final String REMOTE = "remote";

    /** Below this a chunk's planning and transaction cost more than its rows. */
    static final long MIN_FILL_CHUNK_ROWS = 100;
    /** A chunk is one snapshot held open while it is read: ten million rows hold one for minutes. */
    static final long MAX_FILL_CHUNK_ROWS = 10_000_000;

    static final String DEFAULT_CHECKPOINT_DIR = "puffgres/state/checkpoints";
    static final String DEFAULT_STATE_SCHEMA = "puffgres";
    /** OpenAI's public endpoint; point it at any compatible server. */
    static final String DEFAULT_EMBEDDINGS_URL = "https://api.openai.com/v1";

    static final String DEFAULT_EMBEDDINGS_KEY_ENV = "OPENAI_API_KEY";
    /** Embedding calls can be slow under load; a minute still fails a stuck call. */
    static final long DEFAULT_EMBEDDINGS_TIMEOUT_MS = 60_000;
    /** OpenAI accepts up to 2048 inputs per request; 64 keeps requests small. */
    static final long DEFAULT_EMBEDDINGS_BATCH = 64;

    private final Map<String, String> env;
    private final List<Diagnostic> out;
    /** Every variable this load read or could have read: the overrides of the keys, the secrets' variables. */
    private final Set<String> consulted = new TreeSet<>();

    /**
     * {@code PUFFGRES_} variables puffgres reads that are not keys of puffgres.toml: the log level
     * (log4j2.properties), the JVM options (bin/puffgres), the PostgreSQL binaries of the tests (PostgresCluster).
     */
    static final Set<String> OTHER_VARIABLES = Set.of("PUFFGRES_LOG_LEVEL", "PUFFGRES_JAVA_OPTS", "PUFFGRES_PG_BIN");

    /** The variable the docs suggest for the Postgres password; set without password_env naming it, it is unread. */
    public static final String SUGGESTED_PASSWORD_ENV = "PUFFGRES_PG_PASSWORD";

    private ProjectConfigLoader(Map<String, String> env, List<Diagnostic> out) {
        this.env = env;
        this.out = out;
    }

    /**
     * Reads the parsed {@code toml}; problems go to {@code out} and the result is then empty. Each {@code PUFFGRES_…}
     * variable of {@code env} puffgres does not read (a typo, most likely) is a warning in {@code warnings}, naming the
     * nearest one it reads.
     */
    public static Optional<ProjectConfig> load(
            String source, TomlTable toml, Map<String, String> env, List<Diagnostic> out, List<Diagnostic> warnings) {
        ProjectConfigLoader loader = new ProjectConfigLoader(env, out);
        Optional<ProjectConfig> config = loader.read(TomlScope.root(source, toml, out));
        loader.warnUnread(warnings);
        return config;
    }

    private void warnUnread(List<Diagnostic> warnings) {
        Set<String> known = new TreeSet<>(consulted);
        known.addAll(OTHER_VARIABLES);
        for (String name : new TreeSet<>(env.keySet())) {
            if (!name.startsWith("PUFFGRES_") || known.contains(name)) {
                continue;
            }
            String message = name.equals(SUGGESTED_PASSWORD_ENV)
                    ? "is set, but no password_env names it, so puffgres does not read it (add password_env = \"" + name
                            + "\" to [postgres])"
                    : "puffgres reads no such variable, so it has no effect"
                            + Spelling.nearest(name, known)
                                    .map(n -> "; did you mean " + n + "?")
                                    .orElse(" (PUFFGRES_<TABLE>_<KEY> overrides a key of puffgres.toml)");
            warnings.add(new Diagnostic("env " + name, 0, 0, "", message));
        }
    }

    private Optional<ProjectConfig> read(TomlScope root) {
        int before = out.size();
        root.allowOnly(Set.of("postgres", "turbopuffer", "flink", "source", "fill", "state", "embeddings"));

        TomlScope pg = root.section("postgres");
        pg.allowOnly(Set.of("url", "user", "password_env", "slot", "publication"));
        Optional<String> user = string(pg, "user", false);
        Optional<Secret> password = secret(pg, "password_env", null);
        PostgresUrl url = null;
        Optional<PostgresUrl.Parsed> parsed = string(pg, "url", true).flatMap(text -> postgresUrl(pg, text));
        if (parsed.isPresent()) {
            url = parsed.get().url();
            Optional<String> urlUser = parsed.get().user();
            if (urlUser.isPresent() && user.isPresent() && !urlUser.equals(user)) {
                problem(
                        pg,
                        "user",
                        "\"" + user.get() + "\" differs from the user \"" + urlUser.get()
                                + "\" in postgres.url; name the user in one place");
            }
            user = user.or(() -> urlUser);
            if (parsed.get().password().isPresent()) {
                if (password.isPresent()) {
                    problem(
                            pg,
                            "url",
                            "holds a password, and postgres.password_env names one too ("
                                    + password.get().envVar() + "); keep one");
                }
                password = password.or(() -> parsed.get().password());
            }
        }
        String slot = string(pg, "slot", false).orElse(DEFAULT_SLOT);
        String publication = string(pg, "publication", false).orElse(DEFAULT_PUBLICATION);

        TomlScope tp = root.section("turbopuffer");
        tp.allowOnly(Set.of("base_url", "api_key_env", "max_retries"));
        String baseUrl = string(tp, "base_url", true).orElse("");
        if (!baseUrl.isEmpty() && !baseUrl.startsWith("http://") && !baseUrl.startsWith("https://")) {
            tp.error("base_url", "must start with http:// or https:// (got \"" + baseUrl + "\")");
        }
        String apiKeyEnv = string(tp, "api_key_env", false).orElse(DEFAULT_API_KEY_ENV);
        Optional<Secret> apiKey = secretIn(apiKeyEnv);
        Optional<Integer> maxRetries = integer(tp, "max_retries", 0, 1_000_000).map(Long::intValue);

        TomlScope fl = root.section("flink");
        fl.allowOnly(Set.of(
                "mode",
                "rest_url",
                "parallelism",
                "checkpoint_interval_ms",
                "checkpoint_dir",
                "stall_after_ms",
                "stall_timeout_ms",
                "web_ui_bind",
                "conf_dir"));
        String modeText = string(fl, "mode", false).orElse(EMBEDDED);
        ProjectConfig.Flink.Mode mode = ProjectConfig.Flink.Mode.EMBEDDED;
        if (modeText.equals(REMOTE)) {
            mode = ProjectConfig.Flink.Mode.REMOTE;
        } else if (!modeText.equals(EMBEDDED)) {
            problem(
                    fl,
                    "mode",
                    "must be \"" + EMBEDDED + "\" (a Flink MiniCluster inside puffgres run) or \"" + REMOTE
                            + "\" (submit to the Flink cluster at rest_url) (got \"" + modeText + "\")");
        }
        Optional<String> restUrl = string(fl, "rest_url", false);
        if (restUrl.isPresent() && !restUrl.get().matches("https?://[^/\\s]+/?")) {
            problem(
                    fl,
                    "rest_url",
                    "must be the Flink REST API's base URL, e.g. http://flink-jobmanager:8081 (got \"" + restUrl.get()
                            + "\")");
        } else if (mode == ProjectConfig.Flink.Mode.REMOTE && restUrl.isEmpty()) {
            problem(
                    fl,
                    "mode",
                    "\"" + REMOTE + "\" needs rest_url, the cluster's REST API (e.g. rest_url ="
                            + " \"http://flink-jobmanager:8081\")");
        }
        Optional<String> confDir = string(fl, "conf_dir", false);
        long parallelism = integer(fl, "parallelism", 1, 1024).orElse(DEFAULT_PARALLELISM);
        long interval = integer(fl, "checkpoint_interval_ms", 100, 86_400_000).orElse(DEFAULT_CHECKPOINT_INTERVAL_MS);
        String checkpointDir = string(fl, "checkpoint_dir", false).orElse(DEFAULT_CHECKPOINT_DIR);
        long stallAfter = integer(fl, "stall_after_ms", 100, 86_400_000).orElse(DEFAULT_STALL_AFTER_MS);
        long stallTimeout = integer(fl, "stall_timeout_ms", 0, 86_400_000).orElse(DEFAULT_STALL_TIMEOUT_MS);
        if (stallTimeout > 0 && stallTimeout < stallAfter) {
            fl.error(
                    "stall_timeout_ms",
                    "must be 0 (never) or at least stall_after_ms (" + stallAfter + ") (got " + stallTimeout + ")");
        }

        String webUiBind = string(fl, "web_ui_bind", false).orElse(DEFAULT_WEB_UI_BIND);
        if (!ipAddress(webUiBind)) {
            problem(
                    fl,
                    "web_ui_bind",
                    "must be an IP address of this machine, e.g. 127.0.0.1 (the default: this machine only) or 0.0.0.0"
                            + " (every interface) (got \"" + webUiBind + "\")");
        }

        TomlScope so = root.section("source");
        so.allowOnly(Set.of("mode", "poll_interval_ms", "poll_max_interval_ms", "poll_batch_size"));
        String sourceMode = string(so, "mode", false).orElse("stream");
        ProjectConfig.Source.Mode source = ProjectConfig.Source.Mode.STREAM;
        if (sourceMode.equals("poll")) {
            source = ProjectConfig.Source.Mode.POLL;
        } else if (!sourceMode.equals("stream")) {
            problem(
                    so,
                    "mode",
                    "must be \"stream\" (the replication protocol) or \"poll\" (wal2json over plain SQL) (got \""
                            + sourceMode + "\")");
        }
        long pollInterval =
                integer(so, "poll_interval_ms", 10, 3_600_000).orElse(ProjectConfig.Source.DEFAULT_POLL_INTERVAL_MS);
        long pollMaxInterval = integer(so, "poll_max_interval_ms", 10, 3_600_000)
                .orElse(Math.max(pollInterval, ProjectConfig.Source.DEFAULT_POLL_MAX_INTERVAL_MS));
        if (pollMaxInterval < pollInterval) {
            // at the variable when one overrides the key, as for a value out of range
            problem(
                    so,
                    "poll_max_interval_ms",
                    "must be at least poll_interval_ms (" + pollInterval + "), the wait it grows from (got "
                            + pollMaxInterval + ")");
        }
        long pollBatch = integer(so, "poll_batch_size", 1, 10_000_000)
                .orElse((long) ProjectConfig.Source.DEFAULT_POLL_BATCH_SIZE);

        TomlScope fi = root.section("fill");
        fi.allowOnly(Set.of("chunk_rows"));
        long chunkRows = integer(fi, "chunk_rows", MIN_FILL_CHUNK_ROWS, MAX_FILL_CHUNK_ROWS)
                .orElse((long) ProjectConfig.Fill.DEFAULT_CHUNK_ROWS);

        TomlScope st = root.section("state");
        st.allowOnly(Set.of("schema"));
        String schema = string(st, "schema", false).orElse(DEFAULT_STATE_SCHEMA);

        Optional<ProjectConfig.Embeddings> embeddings = Optional.empty();
        if (root.has("embeddings") || env.keySet().stream().anyMatch(k -> k.startsWith("PUFFGRES_EMBEDDINGS_"))) {
            TomlScope em = root.section("embeddings");
            em.allowOnly(Set.of("base_url", "model", "api_key_env", "dimensions", "timeout_ms", "batch_size"));
            String emUrl = string(em, "base_url", false).orElse(DEFAULT_EMBEDDINGS_URL);
            String model = string(em, "model", true).orElse("");
            String keyEnv = string(em, "api_key_env", false).orElse(DEFAULT_EMBEDDINGS_KEY_ENV);
            Optional<Integer> dims = integer(em, "dimensions", 1, 65_536).map(Long::intValue);
            long timeout = integer(em, "timeout_ms", 1, 600_000).orElse(DEFAULT_EMBEDDINGS_TIMEOUT_MS);
            long batch = integer(em, "batch_size", 1, 2048).orElse(DEFAULT_EMBEDDINGS_BATCH);
            embeddings = Optional.of(
                    new ProjectConfig.Embeddings(emUrl, model, keyEnv, secretIn(keyEnv), dims, timeout, (int) batch));
        }

        if (out.size() > before) {
            return Optional.empty();
        }
        return Optional.of(new ProjectConfig(
                new ProjectConfig.Postgres(url, user, password, slot, publication),
                new ProjectConfig.Turbopuffer(baseUrl, apiKeyEnv, apiKey, maxRetries),
                new ProjectConfig.Flink(
                        mode,
                        restUrl,
                        (int) parallelism,
                        interval,
                        checkpointDir,
                        stallAfter,
                        stallTimeout,
                        webUiBind,
                        confDir),
                new ProjectConfig.Source(source, pollInterval, pollMaxInterval, (int) pollBatch),
                new ProjectConfig.Fill((int) chunkRows),
                new ProjectConfig.State(schema),
                embeddings));
    }

    private String envName(TomlScope scope, String key) {
        String name = "PUFFGRES_" + scope.pathOf(key).replace('.', '_').toUpperCase(Locale.ROOT);
        consulted.add(name);
        return name;
    }

    private Optional<Secret> secretIn(String envVar) {
        consulted.add(envVar);
        return Secret.fromEnv(envVar, env);
    }

    private Optional<String> string(TomlScope scope, String key, boolean required) {
        String override = env.get(envName(scope, key));
        if (override != null) {
            return Optional.of(override);
        }
        if (required && !scope.has(key)) {
            scope.error(key, "is required (in the file or as " + envName(scope, key) + ")");
            return Optional.empty();
        }
        return scope.string(key, false);
    }

    private Optional<Long> integer(TomlScope scope, String key, long min, long max) {
        String override = env.get(envName(scope, key));
        if (override == null) {
            return scope.integerIn(key, min, max);
        }
        try {
            long v = Long.parseLong(override.strip());
            if (v >= min && v <= max) {
                return Optional.of(v);
            }
            problem(scope, key, "must be between " + min + " and " + max + " (got " + v + ")");
        } catch (NumberFormatException e) {
            problem(scope, key, "must be an integer (got \"" + override + "\")");
        }
        return Optional.empty();
    }

    /**
     * {@code [postgres] url} parsed. A password in it is refused in the file (it names the line and the fix); from
     * the environment (as {@code DATABASE_URL} is commonly given) it is the password.
     */
    private Optional<PostgresUrl.Parsed> postgresUrl(TomlScope pg, String text) {
        String envVar = envName(pg, "url");
        boolean fromEnv = env.containsKey(envVar);
        PostgresUrl.Parsed parsed;
        try {
            parsed = PostgresUrl.parse(text, fromEnv ? envVar : pg.pathOf("url"));
        } catch (IllegalArgumentException e) {
            problem(pg, "url", e.getMessage());
            return Optional.empty();
        }
        if (parsed.password().isPresent() && !fromEnv) {
            pg.error(
                    "url",
                    "holds a password, and a password never goes in a file: remove it from the URL, set password_env"
                            + " = \"PUFFGRES_PG_PASSWORD\" and put the password in that variable (or give the whole URL"
                            + " in " + envVar + ")");
            return Optional.empty();
        }
        return Optional.of(parsed);
    }

    /** Records a problem with {@code key}: at the environment variable when it overrides the key, else in the file. */
    private void problem(TomlScope scope, String key, String message) {
        String name = envName(scope, key);
        if (env.containsKey(name)) {
            out.add(new Diagnostic("env " + name, 0, 0, scope.pathOf(key), message));
        } else {
            scope.error(key, message);
        }
    }

    /** An IPv4 address in dotted form or an IPv6 address (without brackets); never a name to look up. */
    static boolean ipAddress(String text) {
        if (text.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
            return Arrays.stream(text.split("\\.")).allMatch(part -> Integer.parseInt(part) <= 255);
        }
        if (!text.matches("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*")) {
            return false;
        }
        try {
            InetAddress.getByName(text); // a literal with a colon is parsed, never looked up
            return true;
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** A secret named by the env var in {@code key}; the value itself never comes from the file. */
    private Optional<Secret> secret(TomlScope scope, String key, String defaultEnv) {
        Optional<String> envVar = string(scope, key, false).or(() -> Optional.ofNullable(defaultEnv));
        return envVar.flatMap(this::secretIn);
    }
}
