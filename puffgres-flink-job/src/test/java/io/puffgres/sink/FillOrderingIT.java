package io.puffgres.sink;

import static io.puffgres.sink.WriterHarness.absent;
import static io.puffgres.sink.WriterHarness.change;
import static io.puffgres.sink.WriterHarness.delete;
import static io.puffgres.sink.WriterHarness.filled;
import static io.puffgres.sink.WriterHarness.item;
import static io.puffgres.sink.WriterHarness.send;
import static io.puffgres.sink.WriterHarness.truncate;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.puffgres.client.ErrorPolicy;
import io.puffgres.client.TurbopufferClient;
import io.puffgres.client.WriteRequest;
import io.puffgres.dlq.DlqEntry;
import io.puffgres.document.DocId;
import io.puffgres.emulator.EmulatorExtension;
import io.puffgres.event.Row;
import io.puffgres.event.Snapshot;
import io.puffgres.pipeline.MappedEvent;
import io.puffgres.stream.WriterMetric;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Fill rows and streamed changes of one id meeting in the writer in every order the premises allow (docs/job.md,
 * "Filling a namespace"), each write waited for, against the emulator: it applies turbopuffer's conditional upserts, so
 * a stamp too low would leave the document behind. Transaction ids and LSNs are chosen as Postgres would give them;
 * each test says which transactions its snapshot sees. A sweep's finding that an id has no member row (an absent
 * event) follows the fill row's rules.
 */
class FillOrderingIT {

    @RegisterExtension
    static final EmulatorExtension tpuf = new EmulatorExtension();

    /** Rows with status 'on' are members. */
    static final String DSL = "[membership]\nmode = \"dsl\"\npredicate = \"status = 'on'\"";

    private WriterHarness w;
    private KeyedOneInputStreamOperatorTestHarness<String, MappedEvent, DlqEntry> h;

    @BeforeEach
    void start() throws Exception {
        w = new WriterHarness(tpuf.baseUrl());
        h = w.open(w.spec("flush_interval_ms = 60000\n" + DSL, "", "\"id\", \"title\", \"status\""), null);
    }

    @AfterEach
    void stop() throws Exception {
        w.close();
    }

    /** Sends {@code e} and waits until its write (if any) is acknowledged, so each write meets the one before. */
    private void apply(MappedEvent e) throws Exception {
        send(h, e);
        h.prepareSnapshotPreBarrier(0);
    }

    private static Row on(long id, String title) {
        return item(id, title, "on");
    }

    private Map<String, Object> doc(long id) {
        return w.documents().get(Long.toString(id));
    }

    private long count(WriterMetric metric) {
        return w.count(h, metric);
    }

    @Test
    void aChangeWrittenBeforeTheFillReadItAndCommittedAfterIsAppliedStampedWithTheHorizon() throws Exception {
        // the hazard: transaction 102 updates id 1 at LSN 900 and stays open; the fill reads the old row in a
        // snapshot in which 102 runs, horizon 1000; 102 commits at 1200 and its change arrives after the fill row
        apply(filled(on(1, "old"), Snapshot.parse("100:105:102", 1000)));
        assertThat(doc(1)).containsEntry("title", "old").containsEntry("__source_lsn", 1000);

        apply(change(on(1, "new"), 900, 102));

        assertThat(doc(1)).containsEntry("title", "new").containsEntry("__source_lsn", 1000);
        assertThat(count(WriterMetric.CHANGES_IN_FILL)).isZero();
        assertThat(count(WriterMetric.UPSERTS)).isEqualTo(2);
    }

    @Test
    void aChangeTheSnapshotSeesIsDroppedWhenItArrivesAfterTheFillRow() throws Exception {
        // 101 committed before the snapshot was taken; the stream delivers its change later
        apply(filled(on(1, "by 101"), Snapshot.parse("103:103:", 1000)));
        apply(change(on(1, "by 101"), 800, 101));

        assertThat(doc(1)).containsEntry("title", "by 101").containsEntry("__source_lsn", 1000);
        assertThat(count(WriterMetric.CHANGES_IN_FILL)).isEqualTo(1);
        assertThat(count(WriterMetric.UPSERTS)).isEqualTo(1);
    }

    @Test
    void aFillRowArrivingAfterAChangeItSeesIsApplied() throws Exception {
        apply(change(on(1, "by 101"), 800, 101));
        apply(filled(on(1, "by 101"), Snapshot.parse("103:103:", 1000)));
        assertThat(doc(1)).containsEntry("__source_lsn", 1000);

        apply(change(on(1, "by 104"), 1100, 104));

        assertThat(doc(1)).containsEntry("title", "by 104").containsEntry("__source_lsn", 1100);
        assertThat(count(WriterMetric.FILL_ROWS_STALE)).isZero();
    }

    @Test
    void aFillRowArrivingAfterAChangeItDoesNotSeeIsDropped() throws Exception {
        // 104 started after the snapshot: the stream is ahead of the row
        apply(change(on(1, "by 104"), 1100, 104));
        apply(filled(on(1, "old"), Snapshot.parse("103:103:", 1000)));

        assertThat(doc(1)).containsEntry("title", "by 104").containsEntry("__source_lsn", 1100);
        assertThat(count(WriterMetric.FILL_ROWS_STALE)).isEqualTo(1);
    }

    @Test
    void aTransactionCommittedBelowTheHorizonButNotYetVisibleToTheSnapshotIsOrderedByVisibility() throws Exception {
        // 102 wrote at 900 and its commit record at 950; the snapshot was taken before 102 became visible (102 runs in
        // it) and its horizon read after: by LSN the change is before the fill, by visibility it is not in it
        Snapshot s = Snapshot.parse("102:103:102", 1000);
        apply(filled(on(1, "old"), s));
        apply(change(on(1, "by 102"), 900, 102));
        // the other order: the change first, then the row, which is behind it
        apply(change(on(2, "by 102"), 910, 102));
        apply(filled(on(2, "old"), s));

        assertThat(doc(1)).containsEntry("title", "by 102").containsEntry("__source_lsn", 1000);
        assertThat(doc(2)).containsEntry("title", "by 102").containsEntry("__source_lsn", 910);
        assertThat(count(WriterMetric.FILL_ROWS_STALE)).isEqualTo(1);
    }

    @Test
    void aLongTransactionsChangesAfterTheFillRowAreAllStampedWithTheHorizonThenALaterOneWithItsOwnLsn()
            throws Exception {
        apply(filled(on(1, "old"), Snapshot.parse("100:105:102", 1000)));
        for (String[] change : new String[][] {{"900", "a"}, {"950", "b"}, {"980", "c"}}) {
            apply(change(on(1, change[1]), Long.parseLong(change[0]), 102));
            assertThat(doc(1)).containsEntry("title", change[1]).containsEntry("__source_lsn", 1000);
        }
        apply(change(on(1, "after"), 1200, 106));

        assertThat(doc(1)).containsEntry("title", "after").containsEntry("__source_lsn", 1200);
        assertThat(count(WriterMetric.UPSERTS)).isEqualTo(5);
    }

    @Test
    void aNonMemberFillRowDeletesTheDocumentAndTheChangeItSeesIsDropped() throws Exception {
        apply(change(on(1, "member"), 700, 99));
        // 101 made the row a non-member before the snapshot; the fill (without the predicate pushed down) reads it
        Snapshot s = Snapshot.parse("103:103:", 1000);
        apply(filled(item(1, "gone", "off"), s));
        assertThat(doc(1)).isNull();
        apply(change(item(1, "gone", "off"), 800, 101));
        assertThat(count(WriterMetric.CHANGES_IN_FILL)).isEqualTo(1);

        apply(change(on(1, "member again"), 1100, 104));
        assertThat(doc(1)).containsEntry("title", "member again").containsEntry("__source_lsn", 1100);
    }

    @Test
    void withThePredicatePushedDownANonMemberIsNotReadAndTheChangeThatMadeItOneIsApplied() throws Exception {
        apply(change(on(1, "member"), 700, 99));
        // 101 made id 1 a non-member before the snapshot: the fill's WHERE leaves it out and reads id 2 only
        Snapshot s = Snapshot.parse("103:103:", 1000);
        apply(filled(on(2, "two"), s));
        apply(change(item(1, "gone", "off"), 800, 101)); // id 1 remembers no fill row: applied as a delete

        assertThat(w.documents()).containsOnlyKeys("2");
        assertThat(count(WriterMetric.CHANGES_IN_FILL)).isZero();
        assertThat(count(WriterMetric.DELETES)).isEqualTo(1);
    }

    @Test
    void anAbsentEventDeletesTheDocumentAndTheChangeItSeesIsDropped() throws Exception {
        apply(change(on(1, "member"), 700, 99));
        // 101 deleted id 1 before the sweep's snapshot; the stream delivers the DELETE later
        Snapshot s = Snapshot.parse("103:103:", 1000);
        apply(absent(1, s));
        assertThat(doc(1)).isNull();
        apply(delete(1, 800, 101));

        assertThat(count(WriterMetric.CHANGES_IN_FILL)).isEqualTo(1);
        assertThat(count(WriterMetric.DELETES)).isEqualTo(1);
        apply(change(on(1, "inserted again"), 1100, 104));
        assertThat(doc(1)).containsEntry("title", "inserted again").containsEntry("__source_lsn", 1100);
    }

    @Test
    void anIdInsertedAgainOrMadeAMemberByATransactionTheSweepDoesNotSeeIsKeptInEitherOrder() throws Exception {
        // a stale document each; 102 runs in the sweep's snapshot: it inserts id 1 and 2 again and makes 3 and 4
        // members, writing below the horizon and committing after the snapshot
        for (long id = 1; id <= 4; id++) {
            apply(change(on(id, "stale"), 700 + id, 99));
        }
        Snapshot s = Snapshot.parse("100:105:102", 1000);
        apply(absent(1, s)); // the sweep first: deleted, then inserted again
        apply(change(on(1, "again"), 900, 102));
        apply(change(on(2, "again"), 910, 102)); // the stream first: the absent event is behind it
        apply(absent(2, s));
        apply(absent(3, s));
        apply(change(on(3, "member"), 920, 102));
        apply(change(on(4, "member"), 930, 102));
        apply(absent(4, s));

        assertThat(doc(1)).containsEntry("title", "again").containsEntry("__source_lsn", 1000);
        assertThat(doc(2)).containsEntry("title", "again").containsEntry("__source_lsn", 910);
        assertThat(doc(3)).containsEntry("title", "member").containsEntry("__source_lsn", 1000);
        assertThat(doc(4)).containsEntry("title", "member").containsEntry("__source_lsn", 930);
        assertThat(count(WriterMetric.FILL_ROWS_STALE)).isEqualTo(2);
    }

    @Test
    void anAbsentEventOfAnOlderSnapshotIsDroppedAfterAFillRowOfANewerOne() throws Exception {
        Snapshot older = Snapshot.parse("100:105:102", 1000); // 102, which inserts id 1 and 2 again, runs
        Snapshot newer = Snapshot.parse("106:106:", 1300);
        apply(filled(on(1, "by 102"), newer));
        apply(absent(1, older));
        apply(absent(2, older));
        apply(filled(on(2, "by 102"), newer));

        assertThat(doc(1)).containsEntry("title", "by 102").containsEntry("__source_lsn", 1300);
        assertThat(doc(2)).containsEntry("title", "by 102").containsEntry("__source_lsn", 1300);
        assertThat(count(WriterMetric.FILL_ROWS_STALE)).isEqualTo(1);
    }

    @Test
    void aDeleteFollowsTheSameRules() throws Exception {
        // before the snapshot 101 deleted id 1 and 103 inserted it again; 102 runs in it and deletes ids 2 and 3
        Snapshot s = Snapshot.parse("100:105:102", 1000);
        apply(filled(on(1, "again"), s));
        apply(filled(on(2, "two"), s));
        apply(delete(1, 800, 101)); // held by the fill row: dropped
        apply(change(on(1, "again"), 850, 103)); // held by the fill row: dropped
        apply(delete(2, 900, 102)); // not seen: applied
        apply(delete(3, 920, 102)); // no fill row yet: applied
        apply(filled(on(3, "three"), s)); // behind the delete: dropped

        assertThat(count(WriterMetric.CHANGES_IN_FILL)).isEqualTo(2);
        assertThat(count(WriterMetric.FILL_ROWS_STALE)).isEqualTo(1);
        assertThat(w.documents()).containsOnlyKeys("1");
        assertThat(doc(1)).containsEntry("title", "again").containsEntry("__source_lsn", 1000);
    }

    @Test
    void aFillRowReadBeforeATruncateIsDroppedWhenItArrivesAfterIt() throws Exception {
        // TRUNCATE waits for the chunk's lock, so it is above the chunk's horizon; its rows may still arrive after it
        Snapshot before = Snapshot.parse("103:103:", 1000);
        apply(filled(on(1, "one"), before));
        apply(truncate(1100, 104));
        apply(filled(on(2, "two"), before));
        apply(filled(on(3, "three"), Snapshot.parse("105:105:", 1200))); // read after the TRUNCATE

        assertThat(w.documents()).containsOnlyKeys("3");
        assertThat(count(WriterMetric.FILL_ROWS_STALE)).isEqualTo(1);
    }

    @Test
    void aTruncateWhoseRecordStartsAtAChunksHorizonDeletesTheChunksRows() throws Exception {
        // nothing was written between the chunk's horizon and the TRUNCATE: its record starts at that very position
        Snapshot s = Snapshot.parse("103:103:", 1000);
        apply(filled(on(1, "one"), s));
        apply(filled(on(2, "two"), s));
        apply(truncate(1000, 104));

        assertThat(w.documents()).isEmpty();
    }

    @Test
    void aFillRowOfASnapshotThatSeesTheSameIsWrittenAgainSoABackfillRestoresWhatTurbopufferLost() throws Exception {
        apply(filled(on(1, "one"), Snapshot.parse("103:103:", 1000)));
        try (TurbopufferClient client = new TurbopufferClient(
                tpuf.baseUrl(), Optional.empty(), ErrorPolicy.defaults(), Duration.ofSeconds(10))) {
            client.write(
                    "items", WriteRequest.builder().delete(new DocId.Uint(1)).build()); // drift
        }
        apply(filled(on(1, "one"), Snapshot.parse("103:103:", 1100))); // no transaction in between: sees the same

        assertThat(doc(1)).containsEntry("title", "one").containsEntry("__source_lsn", 1100);
        assertThat(count(WriterMetric.FILL_ROWS_STALE)).isZero();
    }

    @Test
    void aFillRowOfAnOlderSnapshotIsDroppedAfterOneOfANewerAndTheNewerAfterTheOlderIsApplied() throws Exception {
        Snapshot older = Snapshot.parse("100:105:102", 1000); // 102 runs
        Snapshot newer = Snapshot.parse("106:106:", 1300); // 102 committed
        apply(filled(on(1, "by 102"), newer));
        apply(filled(on(1, "old"), older));
        apply(change(on(1, "by 102"), 900, 102));
        apply(filled(on(2, "old"), older));
        apply(filled(on(2, "by 102"), newer));

        assertThat(doc(1)).containsEntry("title", "by 102").containsEntry("__source_lsn", 1300);
        assertThat(doc(2)).containsEntry("title", "by 102").containsEntry("__source_lsn", 1300);
        assertThat(count(WriterMetric.FILL_ROWS_STALE)).isEqualTo(1);
        assertThat(count(WriterMetric.CHANGES_IN_FILL)).isEqualTo(1);
    }

    @Test
    void withAVersioningColumnTheSnapshotStillDecidesWhatIsDropped() throws Exception {
        h = w.open(
                w.spec(
                        "flush_interval_ms = 60000\n[versioning]\nmode = \"column\"\ncolumn = \"version\"",
                        "",
                        "\"id\", \"title\", \"version\""),
                null);
        Snapshot s = Snapshot.parse("100:105:102", 1000); // 101 committed, 102 runs
        apply(filled(versioned(1, "old", 5), s));
        apply(change(versioned(1, "by 102", 6), 900, 102));
        apply(filled(versioned(2, "by 101", 5), s));
        apply(change(versioned(2, "by 101", 5), 800, 101)); // in the fill row
        // the application's version went down; the column alone would let the older fill row through
        apply(change(versioned(3, "by 106", 1), 1100, 106));
        apply(filled(versioned(3, "old", 5), s));

        assertThat(doc(1))
                .containsEntry("title", "by 102")
                .containsEntry("version", 6)
                .containsEntry("__source_lsn", 1000);
        assertThat(doc(2)).containsEntry("title", "by 101").containsEntry("version", 5);
        assertThat(doc(3)).containsEntry("title", "by 106").containsEntry("version", 1);
        assertThat(count(WriterMetric.CHANGES_IN_FILL)).isEqualTo(1);
        assertThat(count(WriterMetric.FILL_ROWS_STALE)).isEqualTo(1);
    }

    private static Row versioned(long id, String title, long version) {
        return Row.builder()
                .put("id", "int8", id)
                .put("title", "text", title)
                .put("version", "int8", version)
                .build();
    }

    @Test
    void aStreamedChangeWithoutTransactionIdFailsWhereItMeetsAFillRow() throws Exception {
        apply(change(on(2, "unordered"), 900, -1)); // no fill row of id 2: nothing to order against
        apply(filled(on(1, "old"), Snapshot.parse("100:105:102", 1000)));

        assertThatThrownBy(() -> send(h, change(on(1, "new"), 900, -1)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("mapping items: the UPDATE of id 1 at LSN 0/384 in public.items")
                .hasMessageContaining("no transaction id")
                .hasMessageContaining("100:105:102@0/3E8");
        assertThat(doc(2)).containsEntry("title", "unordered");
    }
}
