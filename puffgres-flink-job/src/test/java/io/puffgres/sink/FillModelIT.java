package io.puffgres.sink;

import static io.puffgres.sink.WriterHarness.checkpoint;
import static io.puffgres.sink.WriterHarness.dlq;
import static io.puffgres.sink.WriterHarness.send;
import static org.assertj.core.api.Assertions.assertThat;

import io.puffgres.client.WriteRequest;
import io.puffgres.dlq.DlqEntry;
import io.puffgres.document.AttributeNames;
import io.puffgres.document.DocId;
import io.puffgres.document.Document;
import io.puffgres.emulator.EmulatorExtension;
import io.puffgres.pipeline.MappedEvent;
import io.puffgres.stream.JobSpec;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The model test of fills against the stream: random histories of a table ({@link PostgresModel}: transactions that
 * write random ids and commit or stay open for long, a fill in chunks and repair reads, each in a snapshot computed
 * from the running transactions as Postgres computes it, TRUNCATEs; in half the histories a namespace left with a
 * stale document of every id and a sweep of it in pages, whose absent events are fill rows too), each fed to the
 * writer in many random orders that keep what the rules rely on (each id's changes in commit order, every change in
 * order with a TRUNCATE; fill rows anywhere), into the emulator; the namespace must end equal to the model's rows. A
 * fixed seed: a failure names the history and order, and repeats.
 */
class FillModelIT {

    @RegisterExtension
    static final EmulatorExtension tpuf = new EmulatorExtension();

    /** Fixed, so a failure repeats; {@code -DfillModel.seed=N} runs other histories. */
    private static final long SEED = Long.getLong("fillModel.seed", 18);

    private static final int HISTORIES = 12;
    private static final int ORDERS = 6;
    private static final int IDS = 12;
    private static final int STEPS = 400;
    private static final int CHUNK = 3;

    /** One event of a feed, with its place; {@code read} is the fill read a fill row comes from (-1: the stream). */
    private record Placed(double key, int read, MappedEvent event) {}

    @Test
    void everyOrderOfStreamAndFillRowsEndsWithTheModelsRows() throws Exception {
        Random random = new Random(SEED);
        for (int history = 0; history < HISTORIES; history++) {
            boolean sweeps = random.nextBoolean();
            PostgresModel pg = history(random, sweeps, false);
            for (int order = 0; order < ORDERS; order++) {
                List<Placed> feed = interleave(pg, random, random.nextBoolean() ? 0 : 1 + random.nextInt(8));
                int batch = List.of(1, 2, 5, 1000).get(random.nextInt(4));
                try (WriterHarness w = new WriterHarness(tpuf.baseUrl())) {
                    tpuf.emulator().reset();
                    staleDocuments(w, sweeps);
                    var h = w.open(spec(w, batch), null);
                    for (Placed p : feed) {
                        send(h, p.event());
                    }
                    h.endInput();
                    assertEqualsModel(w, h, pg, "history " + history + ", order " + order + ", batch " + batch);
                }
            }
        }
    }

    @Test
    void restoredMidWayTheReplayedStreamAndChunksReadAgainEndWithTheModelsRows() throws Exception {
        for (int history : histories()) {
            Random random = new Random(SEED * 1_000_003L + history); // each history on its own: -Dfill.model.history=N
            boolean sweeps = random.nextBoolean();
            PostgresModel pg = history(random, sweeps, true);
            for (int order = 0; order < ORDERS / 2; order++) {
                List<Placed> feed = interleave(pg, random, 0); // the stream in commit order: a checkpoint cuts it
                int cut = random.nextInt(feed.size() + 1);
                int crash = cut + random.nextInt(feed.size() - cut + 1);
                try (WriterHarness w = new WriterHarness(tpuf.baseUrl())) {
                    tpuf.emulator().reset();
                    staleDocuments(w, sweeps);
                    JobSpec spec = spec(w, List.of(1, 5, 1000).get(random.nextInt(3)));
                    var first = w.open(spec, null);
                    for (Placed p : feed.subList(0, cut)) {
                        send(first, p.event());
                    }
                    OperatorSubtaskState state = checkpoint(first, 1);
                    for (Placed p : feed.subList(cut, crash)) {
                        send(first, p.event());
                    }
                    first.prepareSnapshotPreBarrier(2); // what the run wrote after its checkpoint lands, then it dies

                    // the WAL insert position when the writer opens again: after everything the dead run read
                    long floor = feed.subList(0, crash).stream()
                            .mapToLong(p -> p.event().event().lsn())
                            .max()
                            .orElse(0);
                    var second = w.openFilling(spec, state, floor);
                    List<Placed> replay = replay(pg, feed, cut, crash, random);
                    for (Placed p : replay) {
                        send(second, p.event());
                    }
                    second.endInput();
                    String what = "history " + history + ", restore " + order + " at " + cut + ", crash at " + crash
                            + ", floor " + floor;
                    try {
                        assertEqualsModel(w, second, pg, what);
                    } catch (AssertionError e) {
                        throw new AssertionError(
                                e.getMessage() + "\nfirst run:\n" + describe(feed.subList(0, crash))
                                        + "\nafter the restore:\n" + describe(replay),
                                e);
                    }
                }
            }
        }
    }

    /** The restore test's histories: {@code -Dfill.model.history=N} runs one, {@code -Dfill.model.histories=N} more. */
    private static int[] histories() {
        String one = System.getProperty("fill.model.history");
        if (one != null) {
            return new int[] {Integer.parseInt(one)};
        }
        return java.util.stream.IntStream.range(0, Integer.getInteger("fill.model.histories", HISTORIES))
                .toArray();
    }

    private static JobSpec spec(WriterHarness w, int batch) throws Exception {
        return w.spec(
                "batch_max_rows = " + batch + "\nflush_interval_ms = 60000\n" + FillOrderingIT.DSL,
                "",
                "\"id\", \"title\", \"status\"");
    }

    /**
     * A document of every id, as a namespace left behind by an earlier run holds them (stamped below every stamp of
     * this history), when the history {@code sweeps} it; else none.
     */
    private static void staleDocuments(WriterHarness w, boolean sweeps) {
        if (!sweeps) {
            return;
        }
        WriteRequest.Builder stale = WriteRequest.builder();
        for (long id = 1; id <= IDS; id++) {
            stale.upsert(new Document(
                    new DocId.Uint(id), Map.of("title", "stale " + id, "status", "on", AttributeNames.SOURCE_LSN, 1L)));
        }
        stale.schema(Map.of(AttributeNames.SOURCE_LSN, "uint")); // as the writer declares it
        w.write(stale.build());
    }

    /**
     * A random history: the workload, with a fill's chunks and some repair reads taken and read in between, and when
     * it {@code sweeps}, a sweep's pages too; with {@code readAgain}, also reads of chunks already read, as a run after
     * a restart reads its unfinished chunks again while the workload goes on ({@link PostgresModel.Read#again}: not in
     * the first run's feed).
     */
    private static PostgresModel history(Random random, boolean sweeps, boolean readAgain) {
        PostgresModel pg = new PostgresModel(random, IDS, random.nextBoolean());
        List<Long> chunks = new ArrayList<>();
        List<Long> pages = new ArrayList<>();
        for (long from = 1; from <= IDS; from += CHUNK) {
            chunks.add(from);
            if (sweeps) {
                pages.add(from);
            }
        }
        List<Long> read = new ArrayList<>();
        boolean truncateLate = random.nextInt(3) == 0; // then few changes follow: a row read before stays visible
        for (int i = 0; i < STEPS; i++) {
            if (truncateLate && i == STEPS - STEPS / 20) {
                pg.endTransactionsAndTruncate();
            }
            int choice = random.nextInt(100);
            if (choice < 3 && !chunks.isEmpty()) {
                long from = chunks.remove(0);
                pg.snapshot(from, Math.min(IDS, from + CHUNK - 1));
                read.add(from);
            } else if (choice < 6 && !pages.isEmpty()) {
                long from = pages.remove(0);
                pg.sweep(from, Math.min(IDS, from + CHUNK - 1));
            } else if (choice < 7) {
                long from = 1 + random.nextInt(IDS);
                pg.snapshot(from, Math.min(IDS, from + random.nextInt(IDS)));
            } else if (choice < 11 && pg.readsPending()) {
                pg.readOne();
            } else if (readAgain && choice < 14 && !read.isEmpty()) {
                long from = read.get(random.nextInt(read.size()));
                pg.snapshotAgain(from, Math.min(IDS, from + CHUNK - 1));
            } else {
                pg.step();
            }
        }
        chunks.forEach(from -> pg.snapshot(from, Math.min(IDS, from + CHUNK - 1)));
        pages.forEach(from -> pg.sweep(from, Math.min(IDS, from + CHUNK - 1)));
        pg.finish();
        return pg;
    }

    /**
     * The stream and the fill rows in one random order: the i-th change placed near i (up to {@code jitter} later), but
     * never before an earlier change of its id nor on the wrong side of a TRUNCATE; fill rows anywhere, half of them
     * within 20 changes after the point of the stream at which they were read.
     */
    private static List<Placed> interleave(PostgresModel pg, Random random, int jitter) {
        List<Placed> feed = new ArrayList<>();
        Map<String, Double> lastOfId = new HashMap<>();
        double floor = 0;
        double newest = 0;
        for (int i = 0; i < pg.stream.size(); i++) {
            MappedEvent e = pg.stream.get(i);
            double key = i + random.nextDouble() * jitter;
            if (e.kind() == MappedEvent.Kind.TRUNCATE) {
                key = Math.max(key, newest) + 1e-6;
                floor = key;
            } else {
                key = Math.max(key, Math.max(floor, lastOfId.getOrDefault(e.id(), 0.0)) + 1e-6);
                lastOfId.put(e.id(), key);
            }
            newest = Math.max(newest, key);
            feed.add(new Placed(key, -1, e));
        }
        for (int read = 0; read < pg.reads.size(); read++) {
            PostgresModel.Read r = pg.reads.get(read);
            if (r.again()) {
                continue; // the run after a restart reads it
            }
            for (MappedEvent row : r.rows()) {
                // anywhere, or soon after the changes committed before it was read (a fill a little behind)
                double key = random.nextBoolean()
                        ? random.nextDouble() * (newest + 1)
                        : r.streamed() + random.nextDouble() * 20;
                feed.add(new Placed(key, read, row));
            }
        }
        feed.sort(Comparator.comparingDouble(Placed::key));
        return feed;
    }

    /**
     * What reaches the writer after a restore from a checkpoint taken after {@code cut} events of {@code feed}, the run
     * having died after {@code crash}: the stream from the checkpoint on, and the chunks not all delivered by the
     * checkpoint read again, their rows anywhere: in a snapshot the history took after the crash ({@link
     * PostgresModel.Read#again}, transactions still running), else in one taken now (after the whole history).
     */
    private static List<Placed> replay(PostgresModel pg, List<Placed> feed, int cut, int crash, Random random) {
        int streamedAtCrash =
                (int) feed.subList(0, crash).stream().filter(p -> p.read() < 0).count();
        List<Placed> out = new ArrayList<>();
        Map<Integer, Integer> delivered = new HashMap<>();
        for (Placed p : feed.subList(0, cut)) {
            delivered.merge(p.read(), 1, Integer::sum);
        }
        double newest = 0;
        for (Placed p : feed.subList(cut, feed.size())) {
            if (p.read() < 0) {
                out.add(p);
                newest = p.key();
            }
        }
        for (int read = 0; read < pg.reads.size(); read++) {
            PostgresModel.Read r = pg.reads.get(read);
            if (!r.again() && delivered.getOrDefault(read, 0) < r.rows().size()) {
                List<PostgresModel.Read> after = pg.reads.stream()
                        .filter(a -> a.again() && !r.sweep() && a.from() == r.from() && a.to() == r.to())
                        .filter(a -> a.taken() >= streamedAtCrash)
                        .toList();
                List<MappedEvent> rows = after.isEmpty()
                        ? pg.readNow(r.from(), r.to(), r.sweep())
                        : after.get(random.nextInt(after.size())).rows();
                for (MappedEvent row : rows) {
                    out.add(new Placed(random.nextDouble() * (newest + 1), read, row));
                }
            }
        }
        out.sort(Comparator.comparingDouble(Placed::key));
        return out;
    }

    /** One line per event, for a failure's message. */
    private static String describe(List<Placed> events) {
        StringBuilder out = new StringBuilder();
        for (Placed p : events) {
            MappedEvent e = p.event();
            out.append(p.read() < 0 ? "  stream " : "  fill#" + p.read() + " ")
                    .append(e.kind())
                    .append(" id ")
                    .append(e.id())
                    .append(" lsn ")
                    .append(e.event().lsn())
                    .append(" tx ")
                    .append(e.event().txId())
                    .append(e.isFill() ? " snapshot " + e.fill() : "")
                    .append(e.event().after() != null ? " " + e.event().after() : "")
                    .append('\n');
        }
        return out.toString();
    }

    private static void assertEqualsModel(
            WriterHarness w,
            KeyedOneInputStreamOperatorTestHarness<String, MappedEvent, DlqEntry> h,
            PostgresModel pg,
            String what) {
        Map<String, String> titles = new TreeMap<>();
        w.documents().forEach((id, doc) -> titles.put(id, doc.get("title") + " (" + doc.get("status") + ")"));
        Map<String, String> expected = new TreeMap<>();
        pg.members().forEach((id, title) -> expected.put(id, title + " (on)"));
        assertThat(titles).as(what).isEqualTo(expected);
        assertThat(dlq(h)).as(what).isEmpty();
    }
}
