package io.puffgres.bench;

import com.sun.management.OperatingSystemMXBean;
import io.puffgres.client.ErrorPolicy;
import io.puffgres.client.Filter;
import io.puffgres.client.Query;
import io.puffgres.client.TurbopufferClient;
import io.puffgres.client.TurbopufferException;
import io.puffgres.event.RowEvent;
import io.puffgres.job.JobRunner;
import io.puffgres.migration.ProjectLoader;
import io.puffgres.source.PostgresCdcSources;
import io.puffgres.testkit.PostgresCluster;
import io.puffgres.testkit.ProjectFiles;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.cdc.connectors.base.options.StartupOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The streaming job against its source, on the same WAL, in {@code ROUNDS} rounds (default 4) in one JVM: each
 * round writes {@code ROWS} (default 300k) new inserts of ~260 bytes while three fresh slots hold the WAL; then (1) the
 * Flink CDC source alone reads them into a discarding sink, (2) the whole puffgres job (identity transform, into the
 * emulator running in a JVM of its own on the same cores) mirrors them, and (3) the source alone reads them again.
 * Prints the rates, the ratio of (2) to the mean of (1) and (3) (the machine's speed drifts between runs), the CPU
 * time per event per round, and the median ratio of the rounds after the first (goal ≥ 0.6): in the first, the JIT
 * compiler still takes most of a core. Then p50/p99 commit-to-visible latency under a steady 5k inserts/s.
 * Run: bench/run JobBench [ROWS] [ROUNDS]
 */
public final class JobBench {

    /** The emulator's base URL, once {@link #startEmulator} has read it. */
    static String emulatorUrl;

    static final AtomicLong SEEN = new AtomicLong();
    static final AtomicLong FIRST = new AtomicLong();
    static final AtomicLong LAST = new AtomicLong();

    public static void main(String[] args) throws Exception {
        int rows = args.length > 0 ? Integer.parseInt(args[0]) : 300_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 4;
        PostgresCluster pg = PostgresCluster.shared();
        String db = pg.createDatabase("bench");
        Process emulator = startEmulator();
        try (Connection c = pg.connect(db);
                Statement s = c.createStatement();
                TurbopufferClient client = new TurbopufferClient(
                        emulatorUrl, Optional.empty(), ErrorPolicy.defaults(), Duration.ofSeconds(30))) {
            s.execute("CREATE TABLE items (id bigint PRIMARY KEY, title text, body text, status text, n int,"
                    + " score float8, updated_at timestamptz)");
            s.execute("CREATE PUBLICATION src_pub FOR TABLE items");
            s.execute("CREATE PUBLICATION bench_pub FOR TABLE items");
            JobRunner.Started job = null;
            List<Double> ratios = new ArrayList<>();
            for (int round = 1; round <= rounds; round++) {
                if (job != null) {
                    job.client().cancel().get(60, TimeUnit.SECONDS);
                }
                // the slots hold the round's WAL: every run reads the very same changes
                s.execute("SELECT pg_create_logical_replication_slot('src_" + round + "', 'pgoutput')");
                s.execute("SELECT pg_create_logical_replication_slot('src_" + round + "_after', 'pgoutput')");
                s.execute("SELECT pg_create_logical_replication_slot('bench_" + round + "', 'pgoutput')");
                String from = slotLsn(s, "bench_" + round);
                long first = (long) (round - 1) * rows + 1;
                long last = (long) round * rows;
                long t0 = System.nanoTime();
                s.execute("INSERT INTO items SELECT g, 'title ' || g, repeat(md5(g::text), 5), 'published',"
                        + " g % 1000, g / 7.0, now() FROM generate_series(" + first + ", " + last + ") g");
                double write = (System.nanoTime() - t0) / 1e9;

                double jvm0 = jvmCpuSeconds();
                SourceRun before = sourceOnly(pg, db, rows, "src_" + round);
                double source = before.eventsPerSecond();
                double sourceCpu = jvmCpuSeconds() - jvm0;
                Path project = project(pg, db, "bench_" + round, "items");
                job = JobRunner.start(
                        ProjectLoader.load(project, Map.of()),
                        new JobRunner.Options(Optional.empty(), false, Optional.of(from), false, "pgoutput", -1));
                Map<Long, Long> threads1 = threadCpuNanos();
                double jvm1 = jvmCpuSeconds();
                double emulator1 = cpuSeconds(emulator);
                double endToEnd = endToEnd(client, first, last);
                double jobCpu = jvmCpuSeconds() - jvm1;
                double emulatorCpu = cpuSeconds(emulator) - emulator1;
                String jobThreads = byThread(threads1, rows, jobCpu);
                // the source alone once more, after: this machine's speed drifts by tens of percent within minutes,
                // so the end-to-end run is compared with the mean of a run before it and one after it (the job
                // is idle by then: every row is written)
                double sourceAfter =
                        sourceOnly(pg, db, rows, "src_" + round + "_after").eventsPerSecond();
                double sourceMean = (source + sourceAfter) / 2;
                ratios.add(endToEnd / sourceMean);
                System.out.printf(
                        "round %d%s: wrote %,d rows in %.1f s; Flink CDC source only (pgoutput, discarding sink)"
                                + " %,.0f events/s before and %,.0f after the end-to-end run; puffgres end to end"
                                + " (identity, into the emulator) %,.0f events/s; ratio to their mean %.2f; CPU per"
                                + " event: source only %.1f µs, end to end %.1f µs in the job's JVM + %.1f µs in the"
                                + " emulator's%n",
                        round,
                        round == 1 && rounds > 1 ? " (JIT warm-up)" : "",
                        rows,
                        write,
                        source,
                        sourceAfter,
                        endToEnd,
                        endToEnd / sourceMean,
                        sourceCpu / rows * 1e6,
                        jobCpu / rows * 1e6,
                        emulatorCpu / rows * 1e6);
                System.out.println("  source only (before), CPU per event by thread: " + before.byThread());
                System.out.println("  end to end, CPU per event by thread: " + jobThreads);
            }
            List<Double> warm = ratios.size() > 1 ? ratios.subList(1, ratios.size()) : ratios;
            List<Double> sorted = warm.stream().sorted().toList();
            System.out.printf(
                    "ratio end-to-end / source-only, median of %d warm round(s): %.2f (goal >= 0.6)%n",
                    warm.size(), (sorted.get((sorted.size() - 1) / 2) + sorted.get(sorted.size() / 2)) / 2);
            latency(pg, db, client, (long) rounds * rows);
            job.client().cancel().get(60, TimeUnit.SECONDS);
        } finally {
            emulator.destroy();
            pg.dropDatabase(db);
        }
        System.exit(0);
    }

    /**
     * The emulator in a JVM of its own, as turbopuffer is a process of its own in production: its documents (over a
     * gigabyte of JSON trees by the last round) would otherwise sit in the job's heap and slow every collection.
     * It shares the machine's cores with the job.
     */
    static Process startEmulator() throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // e.g. -Dbench.emulator.jvm=-XX:StartFlightRecording=filename=emulator.jfr to profile the emulator too
        String options = System.getProperty("bench.emulator.jvm", "").trim();
        if (!options.isEmpty()) {
            command.addAll(List.of(options.split("\\s+")));
        }
        command.addAll(List.of(
                "-cp", System.getProperty("java.class.path"), "io.puffgres.emulator.EmulatorMain", "--port", "0"));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        // "turbopuffer emulator listening on http://127.0.0.1:PORT (in memory)", after what the JVM options print
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream()));
        Pattern listening = Pattern.compile("listening on (http://\\S+)");
        StringBuilder seen = new StringBuilder();
        for (String line = out.readLine(); line != null; line = out.readLine()) {
            Matcher url = listening.matcher(line);
            if (url.find()) {
                emulatorUrl = url.group(1);
                Thread drain = new Thread(() -> out.lines().forEach(l -> {}), "emulator output");
                drain.setDaemon(true); // the emulator must never block on a full pipe
                drain.start();
                return p;
            }
            seen.append(line).append('\n');
        }
        p.destroy();
        throw new IllegalStateException("the emulator did not start: " + seen);
    }

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    /** CPU time so far of every live thread, by thread id. */
    static Map<Long, Long> threadCpuNanos() {
        Map<Long, Long> out = new HashMap<>();
        for (long id : THREADS.getAllThreadIds()) {
            long cpu = THREADS.getThreadCpuTime(id);
            if (cpu >= 0) {
                out.put(id, cpu);
            }
        }
        return out;
    }

    /**
     * The CPU each kind of thread spent since {@code before}, per event, largest first: where the job's time goes
     * (a thread that ended in between is not named), then the rest of {@code jvmCpu}: JVM-internal threads such as
     * GC and the JIT, which are not Java threads, and the Java threads that ended in between.
     */
    static String byThread(Map<Long, Long> before, long events, double jvmCpu) {
        Map<String, Long> kinds = new TreeMap<>();
        for (ThreadInfo t : THREADS.getThreadInfo(THREADS.getAllThreadIds())) {
            if (t == null) {
                continue;
            }
            long cpu = THREADS.getThreadCpuTime(t.getThreadId()) - before.getOrDefault(t.getThreadId(), 0L);
            String kind =
                    t.getThreadName().replaceAll("\\(\\d+/\\d+\\)#\\d+", "").replaceAll("-?\\d+$", "");
            kinds.merge(kind, Math.max(0, cpu), Long::sum);
        }
        long javaThreads = kinds.values().stream().mapToLong(Long::longValue).sum();
        return kinds.entrySet().stream()
                        .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                        .filter(e -> e.getValue() / 1e3 / events >= 0.5)
                        .map(e -> String.format("%s %.1f µs", e.getKey().strip(), e.getValue() / 1e3 / events))
                        .collect(Collectors.joining("; "))
                + String.format(
                        "; GC, JIT, other JVM threads and threads that ended %.1f µs",
                        (jvmCpu * 1e9 - javaThreads) / 1e3 / events);
    }

    /** CPU time of this JVM, every thread (the Flink jobs, Debezium, the benchmark's polling). */
    static double jvmCpuSeconds() {
        return ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime() / 1e9;
    }

    static double cpuSeconds(Process p) {
        return p.info().totalCpuDuration().map(d -> d.toNanos() / 1e9).orElse(0.0);
    }

    static String slotLsn(Statement s, String slot) throws Exception {
        try (var rs = s.executeQuery(
                "SELECT confirmed_flush_lsn FROM pg_replication_slots WHERE slot_name = '" + slot + "'")) {
            rs.next();
            return rs.getString(1);
        }
    }

    /** A source-only run: events/s, first to last event, and its CPU per event by thread ({@link #byThread}). */
    record SourceRun(double eventsPerSecond, String byThread) {}

    /** The CDC source into a sink that only counts. */
    private static SourceRun sourceOnly(PostgresCluster pg, String db, int rows, String slot) throws Exception {
        SEEN.set(0);
        FIRST.set(0);
        LAST.set(0);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(1);
        env.enableCheckpointing(10_000);
        env.fromSource(
                        PostgresCdcSources.build(new PostgresCdcSources.Settings(
                                "127.0.0.1",
                                pg.port(),
                                db,
                                "postgres",
                                "",
                                Map.of(),
                                List.of("public.items"),
                                slot,
                                "src_pub",
                                "pgoutput",
                                StartupOptions.committed(),
                                Optional.empty())),
                        WatermarkStrategy.noWatermarks(),
                        "cdc")
                .sinkTo(new Count());
        Map<Long, Long> threads = threadCpuNanos();
        double jvm = jvmCpuSeconds();
        JobClient job = env.executeAsync("source only");
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
        while (SEEN.get() < rows && System.nanoTime() < deadline) {
            Thread.sleep(20); // a benchmark, not a test: poll the counter
        }
        String byThread = byThread(threads, rows, jvmCpuSeconds() - jvm); // before the cancel ends the job's threads
        job.cancel().get(60, TimeUnit.SECONDS);
        return new SourceRun(rate(SEEN.get(), FIRST.get(), LAST.get()), byThread);
    }

    static double rate(long events, long firstNanos, long lastNanos) {
        return events / Math.max(1e-9, (lastNanos - firstNanos) / 1e9);
    }

    /** Counts events and notes the time of the first and the last. */
    static final class Count implements Sink<RowEvent> {
        @Override
        @SuppressWarnings("deprecation")
        public SinkWriter<RowEvent> createWriter(InitContext context) {
            return new SinkWriter<>() {
                @Override
                public void write(RowEvent element, Context context) {
                    long now = System.nanoTime();
                    FIRST.compareAndSet(0, now);
                    LAST.set(now);
                    SEEN.incrementAndGet();
                }

                @Override
                public void flush(boolean endOfInput) {}

                @Override
                public void close() {}
            };
        }
    }

    /**
     * Documents/s into the emulator, from the first row visible to the last (rows arrive in id order: one
     * transaction, parallelism 1, one write in flight). Polls one id at a time, which costs the emulator little.
     */
    static double endToEnd(TurbopufferClient client, long firstId, long lastId) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
        while (!visible(client, firstId) && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        long first = System.nanoTime();
        boolean done;
        while (!(done = visible(client, lastId)) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        if (!done) {
            throw new IllegalStateException("row " + lastId + " was not in the namespace after 10 minutes: the job"
                    + " failed or stalled (its log is above; PUFFGRES_LOG_LEVEL=INFO shows more)");
        }
        return rate(lastId - firstId, first, System.nanoTime());
    }

    /** Inserts 5k rows/s for 20 s; probes one row at a time for the time from commit to visible in a query. */
    private static void latency(PostgresCluster pg, String db, TurbopufferClient client, long lastId) throws Exception {
        List<Double> samples = Collections.synchronizedList(new ArrayList<>());
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        long nextId = lastId + 1;
        try (Connection c = pg.connect(db);
                Statement s = c.createStatement()) {
            long tick = System.nanoTime();
            long probeId = -1;
            long probeCommit = 0;
            while (System.nanoTime() < end) {
                // 50 rows every 10 ms = 5,000 rows/s
                s.execute("INSERT INTO items SELECT g, 'title ' || g, repeat(md5(g::text), 5), 'published', 1, 1.0,"
                        + " now() FROM generate_series(" + nextId + ", " + (nextId + 49) + ") g");
                long committed = System.nanoTime();
                if (probeId < 0) {
                    probeId = nextId;
                    probeCommit = committed;
                }
                nextId += 50;
                if (probeId > 0 && visible(client, probeId)) {
                    samples.add((System.nanoTime() - probeCommit) / 1e6);
                    probeId = -1;
                }
                tick += 10_000_000;
                long wait = tick - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
            }
        }
        Collections.sort(samples);
        if (samples.isEmpty()) {
            System.out.println("latency: no samples");
            return;
        }
        System.out.printf(
                "commit-to-visible at 5k inserts/s (flush_interval_ms 100, %d probes): p50 %.0f ms, p99 %.0f ms%n",
                samples.size(),
                samples.get(samples.size() / 2),
                samples.get(Math.min(samples.size() - 1, (int) Math.ceil(samples.size() * 0.99) - 1)));
    }

    private static boolean visible(TurbopufferClient client, long id) {
        try {
            return !client.query(
                            "items",
                            Query.builder().filters(Filter.eq("id", id)).topK(1).build())
                    .rows()
                    .isEmpty();
        } catch (TurbopufferException e) {
            return false;
        }
    }

    /** A project mirroring {@code items} into {@code namespace} (mapping of the same name) through {@code slot}. */
    static Path project(PostgresCluster pg, String db, String slot, String namespace) throws Exception {
        Path dir = Files.createTempDirectory("puffgres-bench");
        ProjectFiles.writeConfig(dir, pg.jdbcUrl(db), slot, "bench_pub", emulatorUrl, 5000);
        Files.writeString(
                dir.resolve("puffgres/migrations/0001_items.toml"),
                ProjectFiles.migration(
                        1,
                        namespace,
                        namespace,
                        "items",
                        "\"id\", \"title\", \"body\", \"status\", \"n\", \"score\", \"updated_at\"",
                        "flush_interval_ms = 100"));
        return dir;
    }
}
