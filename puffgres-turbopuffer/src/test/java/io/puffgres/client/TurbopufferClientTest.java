package io.puffgres.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.puffgres.config.Secret;
import io.puffgres.document.DocId;
import io.puffgres.document.Document;
import io.puffgres.emulator.Emulator;
import io.puffgres.emulator.Faults.Fault;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The client against the emulator, including its fault injection. */
class TurbopufferClientTest {

    private static final ErrorPolicy FAST = new ErrorPolicy(5, Duration.ofMillis(10), Duration.ofMillis(80));

    private Emulator emulator;
    private TurbopufferClient client;
    private final List<String> retries = Collections.synchronizedList(new ArrayList<>());

    @BeforeEach
    void start() throws Exception {
        emulator = Emulator.start(0, null);
        client = client(FAST);
    }

    private TurbopufferClient client(ErrorPolicy policy) {
        return new TurbopufferClient(
                        emulator.baseUrl(),
                        Optional.of(Secret.of("TPUF_KEY", "tpuf_s3cret")),
                        policy,
                        Duration.ofSeconds(10))
                .onRetry((op, ns, attempt, status, delay) -> retries.add(status + "@" + delay.toMillis()));
    }

    @AfterEach
    void stop() {
        client.close();
        emulator.close();
    }

    private static Document doc(long id, Map<String, Object> attributes) {
        return new Document(new DocId.Uint(id), attributes);
    }

    @SuppressWarnings("unchecked")
    private static long writes(Emulator e) {
        return ((Map<String, Long>) e.stats().get("requests")).getOrDefault("write", 0L);
    }

    @Test
    void encodesEveryWriteShapeAsTurbopufferJson() {
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("title", "A");
        a.put("at", Instant.parse("2024-05-01T00:00:00Z"));
        a.put("v", new float[] {0.5f, 1f});
        Map<String, Object> second = new LinkedHashMap<>();
        second.put("n", 7L);
        second.put("tags", List.of("x"));
        WriteRequest r = WriteRequest.builder()
                .upsert(doc(1, a))
                .upsert(new Document(new DocId.Uint(2), second))
                .patch(doc(3, Map.of("flag", true)))
                .delete(new DocId.Str("old"))
                .upsertCondition(
                        Filter.or(Filter.eq("id", null), Filter.lt("__source_lsn", Filter.refNew("__source_lsn"))))
                .deleteByFilter(Filter.and(Filter.eq("org", 7L), Filter.not(Filter.in("s", List.of("a", "b")))))
                .schema(Map.of("at", "datetime"))
                .distanceMetric("cosine_distance")
                .build();
        String json = new String(r.body(), StandardCharsets.UTF_8);
        assertThat(json)
                .isEqualTo(
                        "{\"upsert_columns\":{\"id\":[1,2],\"title\":[\"A\",null],\"at\":[\"2024-05-01T00:00:00Z\",null],"
                                + "\"v\":[[0.5,1.0],null],\"n\":[null,7],\"tags\":[null,[\"x\"]]},"
                                + "\"patch_columns\":{\"id\":[3],\"flag\":[true]},\"deletes\":[\"old\"],"
                                + "\"delete_by_filter\":[\"And\",[[\"org\",\"Eq\",7],[\"Not\",[\"s\",\"In\",[\"a\",\"b\"]]]]],"
                                + "\"upsert_condition\":[\"Or\",[[\"id\",\"Eq\",null],[\"__source_lsn\",\"Lt\",{\"$ref_new\":"
                                + "\"__source_lsn\"}]]],\"schema\":{\"at\":\"datetime\"},\"distance_metric\":\"cosine_distance\"}");
        assertThat(r.encodedSize()).isEqualTo(json.getBytes(StandardCharsets.UTF_8).length);
        assertThat(r.documents()).isEqualTo(4);
        String rows = new String(
                WriteRequest.builder()
                        .upsert(doc(1, Map.of("t", "x")))
                        .asRows()
                        .build()
                        .body(),
                StandardCharsets.UTF_8);
        assertThat(rows).isEqualTo("{\"upsert_rows\":[{\"id\":1,\"t\":\"x\"}]}");
    }

    @Test
    void copiesEncodedDocumentsIntoColumnsAndRowsWithNamesAndIdsEscaped() {
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("say \"hi\"", "line\nbreak");
        a.put("n", 1L);
        Document first = new Document(new DocId.Str("a\"b"), a);
        Document second = new Document(new DocId.Str("é"), Map.of("n", 2L));
        EncodedDocument encoded = EncodedDocument.of(first);
        Document third = new Document(new DocId.Str("z"), Map.of("n", 3L)); // the shape of the one before
        String columns = new String(
                WriteRequest.builder()
                        .upsert(encoded)
                        .upsert(second)
                        .upsert(third)
                        .build()
                        .body(),
                StandardCharsets.UTF_8);
        assertThat(columns)
                .isEqualTo("{\"upsert_columns\":{\"id\":[\"a\\\"b\",\"é\",\"z\"],"
                        + "\"say \\\"hi\\\"\":[\"line\\nbreak\",null,null],\"n\":[1,2,3]}}");
        String rows = new String(
                WriteRequest.builder()
                        .upsert(encoded)
                        .upsert(second)
                        .asRows()
                        .deleteCondition(Filter.eq("n", 1L))
                        .build()
                        .body(),
                StandardCharsets.UTF_8);
        assertThat(rows)
                .isEqualTo("{\"upsert_rows\":[{\"id\":\"a\\\"b\",\"say \\\"hi\\\"\":\"line\\nbreak\",\"n\":1},"
                        + "{\"id\":\"é\",\"n\":2}],\"delete_condition\":[\"n\",\"Eq\",1]}");
        // an attribute set while encoding keeps its place when the document has it, else it comes last
        String stamped = new String(
                WriteRequest.builder()
                        .upsert(EncodedDocument.of(first, "n", 9L))
                        .upsert(EncodedDocument.of(second, "lsn", 5L))
                        .asRows()
                        .build()
                        .body(),
                StandardCharsets.UTF_8);
        assertThat(stamped)
                .isEqualTo("{\"upsert_rows\":[{\"id\":\"a\\\"b\",\"say \\\"hi\\\"\":\"line\\nbreak\",\"n\":9},"
                        + "{\"id\":\"é\",\"n\":2,\"lsn\":5}]}");
        assertThat(first.attributes()).containsExactly(Map.entry("say \"hi\"", "line\nbreak"), Map.entry("n", 1L));
        assertThat(EncodedDocument.of(second, "lsn", 5L).id()).isEqualTo(second.id());
        assertThatThrownBy(() -> EncodedDocument.of(second, "id", 2L)).isInstanceOf(IllegalArgumentException.class);
        // the size estimate covers what the document adds to a request of rows
        assertThat(encoded.size())
                .isGreaterThanOrEqualTo("{\"id\":\"a\\\"b\",\"say \\\"hi\\\"\":\"line\\nbreak\",\"n\":1},"
                        .getBytes(StandardCharsets.UTF_8)
                        .length);
    }

    @Test
    void writesQueriesAndManagesNamespaces() {
        TurbopufferClient.WriteResult w = client.write(
                "docs",
                WriteRequest.builder()
                        .upsert(doc(1, Map.of("title", "walrus", "n", 1L)))
                        .upsert(doc(2, Map.of("title", "puffin", "n", 2L)))
                        .schema(Map.of("title", Map.of("type", "string", "full_text_search", true)))
                        .build());
        assertThat(w).isEqualTo(new TurbopufferClient.WriteResult(2, 2, 0, 0));
        TurbopufferClient.QueryResult q = client.query(
                "docs",
                Query.builder()
                        .rankBy(Query.RankBy.attribute("n", false))
                        .topK(10)
                        .filters(Filter.gte("n", 1L))
                        .includeAttributes(List.of("title"))
                        .build());
        assertThat(q.rows()).extracting(r -> r.get("title")).containsExactly("puffin", "walrus");
        assertThat(client.query(
                                "docs",
                                Query.builder()
                                        .rankBy(Query.RankBy.bm25("title", "walrus"))
                                        .topK(5)
                                        .build())
                        .rows())
                .extracting(r -> r.get("id"))
                .containsExactly(1);
        assertThat(client.query("docs", Query.builder().count("n").build()).aggregations())
                .containsEntry("n", 2);
        assertThat(client.metadata("docs").get("approx_row_count").asLong()).isEqualTo(2);
        assertThat(client.schema("docs").get("title").get("type").asText()).isEqualTo("string");
        assertThat(client.updateSchema("docs", Map.of("n", Map.of("type", "int", "filterable", false)))
                        .get("n")
                        .get("filterable")
                        .asBoolean())
                .isFalse();
        for (int i = 0; i < 3; i++) {
            client.write(
                    "page-" + i, WriteRequest.builder().upsert(doc(1, Map.of())).build());
        }
        assertThat(client.namespaces("page-", null, 2).names()).containsExactly("page-0", "page-1");
        assertThat(client.allNamespaces("page-")).containsExactly("page-0", "page-1", "page-2");
        client.deleteNamespace("page-0");
        assertThatThrownBy(() -> client.metadata("page-0"))
                .isInstanceOfSatisfying(
                        TurbopufferException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.NOT_FOUND));
        UUID id = UUID.randomUUID();
        client.write(
                "uuids",
                WriteRequest.builder()
                        .upsert(new Document(new DocId.Uuid(id), Map.of("k", "v")))
                        .schema(Map.of("id", "uuid"))
                        .build());
        assertThat(client.query(
                                "uuids",
                                Query.builder()
                                        .rankBy(Query.RankBy.attribute("id", true))
                                        .topK(1)
                                        .build())
                        .rows()
                        .get(0)
                        .get("id"))
                .isEqualTo(id.toString());
    }

    @Test
    void gzipsLargeBodiesAndTheServerReadsThem() {
        WriteRequest.Builder b = WriteRequest.builder();
        for (int i = 0; i < 500; i++) {
            b.upsert(doc(i, Map.of("body", "x".repeat(200))));
        }
        WriteRequest big = b.build();
        assertThat(big.encodedSize()).isGreaterThan(TurbopufferClient.GZIP_THRESHOLD);
        assertThat(client.write("big", big).rowsUpserted()).isEqualTo(500);
    }

    @Test
    void closeWaitsForTheWriteInFlightEvenWhenInterrupted() throws Exception {
        emulator.faults().enqueue(Fault.latency(600));
        CompletableFuture<TurbopufferClient.WriteResult> write = client.writeAsync(
                "slow", WriteRequest.builder().upsert(doc(1, Map.of("a", 1L))).build());
        Thread.currentThread().interrupt(); // as Flink interrupts a task it cancels
        client.close();
        assertThat(Thread.interrupted()).as("the interrupt is kept").isTrue();
        assertThat(write).as("answered before close returned").isCompleted();
        assertThat(write.join().rowsUpserted()).isEqualTo(1);
    }

    @Test
    void retriesTransientFailuresWithTheRightDelaysAndWritesOnce() {
        emulator.faults()
                .enqueue(
                        new Fault(429, 40L, null, null, false, 0),
                        Fault.status(503),
                        Fault.dropConnection(),
                        new Fault(500, null, null, true, false, 0));
        TurbopufferClient.WriteResult w = client.write(
                "retry", WriteRequest.builder().upsert(doc(1, Map.of("a", 1L))).build());
        assertThat(w.rowsUpserted()).isEqualTo(1);
        assertThat(retries).hasSize(4);
        assertThat(retries.get(0)).isEqualTo("429@40");
        assertThat(retries.get(1)).matches("503@(1[5-9]|20)"); // 2nd attempt: 20 ms x jitter (0.75, 1]
        assertThat(retries.get(2)).matches("0@(3\\d|40)");
        assertThat(retries.get(3)).matches("500@(6\\d|7\\d|80)");
        assertThat(emulator.faults().injected()).containsEntry("429", 1L).containsEntry("drop", 1L);
        assertThat(writes(emulator))
                .as("successful writes reaching the namespace")
                .isEqualTo(1);
        assertThat(client.query("retry", Query.builder().count("n").build()).aggregations())
                .containsEntry("n", 1);
    }

    @Test
    void doesNotRetryPermanentErrorsAndKeepsTheServerMessage() {
        assertThatThrownBy(() -> client.write(
                        "perm",
                        WriteRequest.builder()
                                .upsert(doc(1, Map.of()))
                                .upsert(doc(1, Map.of()))
                                .build()))
                .isInstanceOfSatisfying(TurbopufferException.class, e -> {
                    assertThat(e.kind()).isEqualTo(ErrorKind.PERMANENT);
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.serverMessage()).contains("duplicate document id 1");
                    assertThat(e.getMessage()).startsWith("write of namespace perm failed: turbopuffer answered 400: ");
                });
        emulator.faults().enqueue(Fault.status(422), new Fault(500, null, null, false, false, 0));
        assertThatThrownBy(() -> client.write(
                        "perm", WriteRequest.builder().upsert(doc(2, Map.of())).build()))
                .isInstanceOfSatisfying(
                        TurbopufferException.class, e -> assertThat(e.status()).isEqualTo(422));
        assertThatThrownBy(() -> client.write(
                        "perm", WriteRequest.builder().upsert(doc(2, Map.of())).build()))
                .as("x-should-retry: false wins over 500")
                .isInstanceOfSatisfying(
                        TurbopufferException.class, e -> assertThat(e.status()).isEqualTo(500));
        assertThat(retries).isEmpty();
    }

    @Test
    void failsAuthErrorsWithAHintAndNeverTheKey() {
        emulator.faults().enqueue(Fault.status(401));
        assertThatThrownBy(() -> client.write(
                        "auth", WriteRequest.builder().upsert(doc(1, Map.of())).build()))
                .isInstanceOfSatisfying(TurbopufferException.class, e -> {
                    assertThat(e.kind()).isEqualTo(ErrorKind.AUTH);
                    assertThat(e.getMessage())
                            .contains("hint: check the API key in TPUF_KEY")
                            .doesNotContain("tpuf_s3cret");
                });
        assertThat(retries).isEmpty();
    }

    @Test
    void givesUpOnTransientErrorsAfterTheLastAttemptUnlessUnlimited() {
        for (int i = 0; i < 5; i++) {
            emulator.faults().enqueue(Fault.status(503));
        }
        assertThatThrownBy(() -> client.write(
                        "limit", WriteRequest.builder().upsert(doc(1, Map.of())).build()))
                .isInstanceOfSatisfying(TurbopufferException.class, e -> {
                    assertThat(e.kind()).isEqualTo(ErrorKind.TRANSIENT);
                    assertThat(e.getMessage()).endsWith("(gave up after 5 attempts)");
                });
        try (TurbopufferClient patient = client(new ErrorPolicy(0, Duration.ofMillis(1), Duration.ofMillis(5)))) {
            for (int i = 0; i < 12; i++) {
                emulator.faults().enqueue(Fault.status(503));
            }
            assertThat(patient.write(
                                    "limit",
                                    WriteRequest.builder()
                                            .upsert(doc(1, Map.of()))
                                            .build())
                            .rowsUpserted())
                    .isEqualTo(1);
        }
    }
}
