package io.puffgres.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.puffgres.emulator.ApiTarget.Answer;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The turbopuffer API contract on the wire. Runs against the emulator in every build, and against real
 * turbopuffer when TURBOPUFFER_API_KEY is set (otherwise that variant is skipped, saying why).
 */
class TurbopufferContractTest {

    private static final String KEY = System.getenv("TURBOPUFFER_API_KEY");
    private static ApiTarget emulator;
    private static ApiTarget real;

    @BeforeAll
    static void start() {
        emulator = ApiTarget.emulator();
        real = KEY == null || KEY.isBlank() ? null : ApiTarget.real(KEY);
    }

    @AfterAll
    static void stop() {
        emulator.close();
        if (real != null) {
            real.close();
        }
    }

    static Stream<Arguments> targets() {
        return Stream.of(
                Arguments.of("emulator", (java.util.function.Supplier<ApiTarget>) () -> emulator),
                Arguments.of(
                        KEY == null ? "real turbopuffer (skipped: TURBOPUFFER_API_KEY is not set)" : "real turbopuffer",
                        (java.util.function.Supplier<ApiTarget>) () -> real));
    }

    private static ApiTarget target(java.util.function.Supplier<ApiTarget> supplier) {
        ApiTarget t = supplier.get();
        assumeTrue(t != null, "TURBOPUFFER_API_KEY is not set: the run against real turbopuffer is skipped");
        return t;
    }

    private static Answer write(ApiTarget t, String ns, String body) {
        return t.call("POST", "/v2/namespaces/" + ns, body);
    }

    private static Answer query(ApiTarget t, String ns, String body) {
        return t.call("POST", "/v2/namespaces/" + ns + "/query", body);
    }

    private static List<String> ids(Answer a) {
        List<String> ids = new ArrayList<>();
        a.json().path("rows").forEach(r -> ids.add(r.get("id").asText()));
        return ids;
    }

    private static final String ALL_BY_ID = "{\"rank_by\":[\"id\",\"asc\"],\"top_k\":100,\"include_attributes\":true}";

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void createsNamespacesImplicitlyAndAnswers404ForMissingOnes(String name, java.util.function.Supplier<ApiTarget> s) {
        ApiTarget t = target(s);
        String ns = t.ns("implicit");
        Answer missing = query(t, ns, ALL_BY_ID);
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.json().get("status").asText()).isEqualTo("error");
        assertThat(missing.json().get("error").asText()).contains(ns).contains("not found");

        Answer w = write(t, ns, "{\"upsert_rows\":[{\"id\":1,\"title\":\"a\"},{\"id\":2,\"title\":\"b\"}]}");
        assertThat(w.status()).isEqualTo(200);
        assertThat(w.json().get("status").asText()).isEqualTo("OK");
        assertThat(w.json().get("rows_affected").asLong()).isEqualTo(2);
        assertThat(w.json().get("rows_upserted").asLong()).isEqualTo(2);
        assertThat(w.json().has("billing")).isTrue();

        Answer q = query(t, ns, ALL_BY_ID);
        assertThat(q.status()).isEqualTo(200);
        assertThat(ids(q)).containsExactly("1", "2");
        assertThat(q.json().has("billing")).isTrue();
        assertThat(q.json().has("performance")).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void rejectsAnIdRepeatedInOneRequestAndChangesNothing(String name, java.util.function.Supplier<ApiTarget> s) {
        ApiTarget t = target(s);
        String ns = t.ns("dup");
        write(t, ns, "{\"upsert_rows\":[{\"id\":1,\"v\":1}]}");
        Answer dup = write(t, ns, "{\"upsert_rows\":[{\"id\":2,\"v\":1},{\"id\":2,\"v\":2}]}");
        assertThat(dup.status()).isEqualTo(400);
        Answer upsertAndDelete = write(t, ns, "{\"upsert_rows\":[{\"id\":3,\"v\":1}],\"deletes\":[3]}");
        assertThat(upsertAndDelete.status()).isEqualTo(400);
        assertThat(ids(query(t, ns, ALL_BY_ID))).containsExactly("1");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void upsertReplacesPatchMergesAndPatchesNeverCreate(String name, java.util.function.Supplier<ApiTarget> s) {
        ApiTarget t = target(s);
        String ns = t.ns("replace");
        write(t, ns, "{\"upsert_rows\":[{\"id\":1,\"a\":1,\"b\":1}]}");
        write(t, ns, "{\"upsert_rows\":[{\"id\":1,\"a\":2}]}");
        write(t, ns, "{\"patch_rows\":[{\"id\":1,\"c\":3},{\"id\":9,\"c\":9}]}");
        Answer q = query(t, ns, ALL_BY_ID);
        assertThat(ids(q)).containsExactly("1");
        var row = q.json().get("rows").get(0);
        assertThat(row.get("a").asInt()).isEqualTo(2);
        assertThat(row.has("b"))
                .as("upsert replaced the document; nulls are omitted")
                .isFalse();
        assertThat(row.get("c").asInt()).isEqualTo(3);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void appliesDeleteByFilterBeforeUpsertsInOneRequest(String name, java.util.function.Supplier<ApiTarget> s) {
        ApiTarget t = target(s);
        String ns = t.ns("order");
        write(t, ns, "{\"upsert_columns\":{\"id\":[1,2,3],\"kind\":[\"x\",\"x\",\"y\"]}}");
        Answer w = write(
                t,
                ns,
                "{\"delete_by_filter\":[\"kind\",\"Eq\",\"x\"]," + "\"upsert_rows\":[{\"id\":1,\"kind\":\"z\"}]}");
        assertThat(w.status()).isEqualTo(200);
        Answer q = query(t, ns, ALL_BY_ID);
        assertThat(ids(q)).containsExactly("1", "3");
        assertThat(q.json().get("rows").get(0).get("kind").asText()).isEqualTo("z");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void conditionsUseRefNewAndTheAbsentDocumentRules(String name, java.util.function.Supplier<ApiTarget> s) {
        ApiTarget t = target(s);
        String ns = t.ns("cond");
        write(t, ns, "{\"upsert_rows\":[{\"id\":101,\"version\":2},{\"id\":102,\"version\":5}]}");
        Answer w = write(
                t,
                ns,
                "{\"upsert_rows\":[{\"id\":101,\"version\":3},{\"id\":102,\"version\":4},"
                        + "{\"id\":103,\"version\":1}],\"upsert_condition\":[\"version\",\"Lt\",{\"$ref_new\":\"version\"}]}");
        assertThat(w.json().get("rows_affected").asLong()).isEqualTo(2);
        Answer patch = write(
                t,
                ns,
                "{\"patch_rows\":[{\"id\":104,\"version\":9}],"
                        + "\"patch_condition\":[\"version\",\"Lt\",{\"$ref_new\":\"version\"}]}");
        assertThat(patch.json().get("rows_affected").asLong())
                .as("patch of an absent doc")
                .isZero();
        Answer del = write(t, ns, "{\"deletes\":[101,102,105],\"delete_condition\":[\"version\",\"Gte\",4]}");
        assertThat(del.json().get("rows_affected").asLong()).isEqualTo(1);
        Answer q = query(t, ns, ALL_BY_ID);
        assertThat(ids(q)).containsExactly("101", "103");
        assertThat(q.json().get("rows").get(0).get("version").asInt()).isEqualTo(3);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void rejectsTypeChangesAndValuesOfTheWrongType(String name, java.util.function.Supplier<ApiTarget> s) {
        ApiTarget t = target(s);
        String ns = t.ns("types");
        write(t, ns, "{\"upsert_rows\":[{\"id\":1,\"title\":\"a\"}]}");
        Answer change = t.call("POST", "/v1/namespaces/" + ns + "/schema", "{\"title\":\"int\"}");
        assertThat(change.status()).isEqualTo(400);
        assertThat(change.json().get("error").asText())
                .contains("title")
                .contains("string")
                .contains("int");
        Answer wrong = write(t, ns, "{\"upsert_rows\":[{\"id\":2,\"title\":5}]}");
        assertThat(wrong.status()).isEqualTo(400);
        // attribute names must not start with $ and are at most 128 bytes, in every document of a request
        Answer reserved = write(t, ns, "{\"upsert_columns\":{\"id\":[3,4],\"$bad\":[1,2]}}");
        assertThat(reserved.status()).isEqualTo(400);
        String longName = "a".repeat(129);
        Answer tooLong = write(t, ns, "{\"upsert_rows\":[{\"id\":3,\"n\":1},{\"id\":4,\"" + longName + "\":1}]}");
        assertThat(tooLong.status()).isEqualTo(400);
        assertThat(ids(query(t, ns, ALL_BY_ID))).containsExactly("1");
        Answer schema = t.call("GET", "/v1/namespaces/" + ns + "/schema", null);
        assertThat(schema.json().get("title").get("type").asText()).isEqualTo("string");
        assertThat(schema.json().get("id").get("type").asText()).isEqualTo("uint");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void enforcesDistanceMetricRules(String name, java.util.function.Supplier<ApiTarget> s) {
        ApiTarget t = target(s);
        String ns = t.ns("metric");
        Answer noMetric = write(t, ns, "{\"upsert_rows\":[{\"id\":1,\"vector\":[1,0]}]}");
        assertThat(noMetric.status()).isEqualTo(400);
        assertThat(noMetric.json().get("error").asText()).contains("distance_metric");
        write(
                t,
                ns,
                "{\"distance_metric\":\"cosine_distance\",\"upsert_rows\":[{\"id\":1,\"vector\":[1,0]},"
                        + "{\"id\":2,\"vector\":[0,1]},{\"id\":3,\"vector\":[0.7,0.7]}]}");
        Answer mismatch = write(
                t, ns, "{\"distance_metric\":\"euclidean_squared\",\"upsert_rows\":[{\"id\":4,\"vector\":[1,1]}]}");
        assertThat(mismatch.status()).isEqualTo(400);
        assertThat(mismatch.json().get("error").asText()).contains("distance metric mismatch");
        Answer knn = query(t, ns, "{\"rank_by\":[\"vector\",\"ANN\",[1,0.1]],\"top_k\":2}");
        assertThat(ids(knn)).containsExactly("1", "3");
        assertThat(knn.json().get("rows").get(0).get("$dist").asDouble())
                .isLessThan(knn.json().get("rows").get(1).get("$dist").asDouble());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void filtersFollowTurbopufferNullRules(String name, java.util.function.Supplier<ApiTarget> s) {
        ApiTarget t = target(s);
        String ns = t.ns("nulls");
        write(
                t,
                ns,
                "{\"upsert_rows\":[{\"id\":1,\"n\":5,\"tags\":[\"a\",\"b\"]},{\"id\":2},{\"id\":3,\"n\":1,\"tags\":[\"c\"]}]}");
        assertThat(ids(query(t, ns, "{\"rank_by\":[\"id\",\"asc\"],\"top_k\":10,\"filters\":[\"n\",\"Eq\",null]}")))
                .containsExactly("2");
        assertThat(ids(query(t, ns, "{\"rank_by\":[\"id\",\"asc\"],\"top_k\":10,\"filters\":[\"n\",\"NotEq\",null]}")))
                .containsExactly("1", "3");
        assertThat(ids(query(t, ns, "{\"rank_by\":[\"id\",\"asc\"],\"top_k\":10,\"filters\":[\"n\",\"Lt\",3]}")))
                .containsExactly("2", "3");
        assertThat(ids(query(t, ns, "{\"rank_by\":[\"id\",\"asc\"],\"top_k\":10,\"filters\":[\"n\",\"Gt\",3]}")))
                .containsExactly("1");
        assertThat(ids(query(
                        t,
                        ns,
                        "{\"rank_by\":[\"id\",\"asc\"],\"top_k\":10,\"filters\":[\"tags\",\"In\",[\"b\",\"x\"]]}")))
                .containsExactly("1");
        assertThat(ids(query(
                        t,
                        ns,
                        "{\"rank_by\":[\"id\",\"asc\"],\"top_k\":10,"
                                + "\"filters\":[\"And\",[[\"tags\",\"Contains\",\"c\"],[\"Not\",[\"n\",\"Eq\",5]]]]}")))
                .containsExactly("3");
        assertThat(ids(query(t, ns, "{\"rank_by\":[\"n\",\"desc\"],\"top_k\":10}")))
                .containsExactly("1", "3", "2");
        assertThat(ids(query(t, ns, "{\"rank_by\":[\"n\",\"asc\"],\"top_k\":10}")))
                .containsExactly("2", "3", "1");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void findsOneDocumentByIdEqAndTracksTheLogicalSize(String name, java.util.function.Supplier<ApiTarget> s) {
        ApiTarget t = target(s);
        String ns = t.ns("byid");
        Answer first = write(t, ns, "{\"upsert_rows\":[{\"id\":1,\"n\":5},{\"id\":2,\"n\":6},{\"id\":3,\"n\":7}]}");
        assertThat(ids(query(t, ns, "{\"top_k\":10,\"filters\":[\"id\",\"Eq\",2]}")))
                .containsExactly("2");
        assertThat(ids(query(t, ns, "{\"top_k\":10,\"filters\":[\"id\",\"Eq\",9]}")))
                .isEmpty();
        // values that are no uint id still go through the ordinary filter rules
        assertThat(ids(query(t, ns, "{\"top_k\":10,\"filters\":[\"id\",\"Eq\",2.0]}")))
                .containsExactly("2");
        assertThat(ids(query(t, ns, "{\"top_k\":10,\"filters\":[\"id\",\"Eq\",\"2\"]}")))
                .isEmpty();
        if (!name.equals("emulator")) {
            return; // turbopuffer updates its approximate figures asynchronously; the emulator keeps them exact
        }
        // the bytes billed for the first write are what the namespace then holds: 3 × (8 for the id + 8 for n)
        assertThat(first.json().at("/billing/billable_logical_bytes_written").asLong())
                .isEqualTo(48)
                .isEqualTo(metadata(t, ns).get("approx_logical_bytes").asLong());
        write(t, ns, "{\"deletes\":[3],\"upsert_rows\":[{\"id\":1,\"n\":5,\"title\":\"a longer document\"}]}");
        assertThat(metadata(t, ns).get("approx_row_count").asLong()).isEqualTo(2);
        write(t, ns, "{\"deletes\":[1,2]}");
        assertThat(metadata(t, ns).get("approx_logical_bytes").asLong()).isZero();
    }

    private static com.fasterxml.jackson.databind.JsonNode metadata(ApiTarget t, String ns) {
        return t.call("GET", "/v1/namespaces/" + ns + "/metadata", null).json();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void ranksFullTextWithBm25(String name, java.util.function.Supplier<ApiTarget> s) {
        ApiTarget t = target(s);
        String ns = t.ns("bm25");
        write(
                t,
                ns,
                "{\"schema\":{\"text\":{\"type\":\"string\",\"full_text_search\":true}},\"upsert_rows\":["
                        + "{\"id\":1,\"text\":\"walrus walrus walrus\"},{\"id\":2,\"text\":\"a walrus on a rock in the sea\"},"
                        + "{\"id\":3,\"text\":\"puffin\"}]}");
        Answer q = query(t, ns, "{\"rank_by\":[\"text\",\"BM25\",\"walrus\"],\"top_k\":10}");
        assertThat(ids(q)).containsExactly("1", "2");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void validatesQueryShape(String name, java.util.function.Supplier<ApiTarget> s) {
        ApiTarget t = target(s);
        String ns = t.ns("shape");
        write(t, ns, "{\"upsert_rows\":[{\"id\":1,\"a\":1}]}");
        assertThat(query(t, ns, "{\"rank_by\":[\"id\",\"asc\"],\"top_k\":0}").status())
                .isEqualTo(400);
        assertThat(query(t, ns, "{\"rank_by\":[\"id\",\"asc\"],\"top_k\":10001}")
                        .status())
                .isEqualTo(400);
        assertThat(query(t, ns, "{\"rank_by\":[\"id\",\"asc\"]}").status()).isEqualTo(400);
        assertThat(query(
                                t,
                                ns,
                                "{\"rank_by\":[\"id\",\"asc\"],\"top_k\":1,\"include_attributes\":[\"a\"],"
                                        + "\"exclude_attributes\":[\"a\"]}")
                        .status())
                .isEqualTo(400);
        assertThat(query(t, ns, "{\"rank_by\":[\"id\",\"asc\"],\"top_k\":1,\"include_attributes\":[\"nope\"]}")
                        .status())
                .isEqualTo(400);
        Answer count = query(t, ns, "{\"aggregate_by\":{\"n\":[\"Count\"]}}");
        assertThat(count.json().get("aggregations").get("n").asLong()).isEqualTo(1);
        assertThat(query(t, ns, "{\"rank_by\":[\"id\",\"asc\"],\"top_k\":1,\"consistency\":{\"level\":\"bad\"}}")
                        .status())
                .isEqualTo(422);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void answersAnAttributeTypeChangeWith400NamingTheAttribute(String name, java.util.function.Supplier<ApiTarget> s) {
        ApiTarget t = target(s);
        String ns = t.ns("typechange");
        write(t, ns, "{\"upsert_rows\":[{\"id\":1,\"title\":\"a\"}]}");
        for (String change : List.of(
                "{\"schema\":{\"title\":\"int\"}}",
                "{\"schema\":{\"title\":{\"type\":\"int\"}},\"upsert_rows\":[{\"id\":2,\"title\":5}]}")) {
            Answer refused = write(t, ns, change);
            assertThat(refused.status()).as(change).isEqualTo(400);
            assertThat(refused.json().get("error").asText())
                    .isEqualTo("🙅 invalid schema update for attribute 'title': cannot change attribute type from"
                            + " string to int");
            assertThat(refused.json().get("attribute").asText()).isEqualTo("title");
        }
        Answer schema = t.call("POST", "/v1/namespaces/" + ns + "/schema", "{\"title\":\"int\"}");
        assertThat(schema.status()).isEqualTo(400);
        assertThat(schema.json().get("attribute").asText()).isEqualTo("title");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void anAggregationTakesOneFunctionAndNoLimitWithoutGroupBy(String name, java.util.function.Supplier<ApiTarget> s) {
        ApiTarget t = target(s);
        String ns = t.ns("aggregate");
        write(t, ns, "{\"upsert_rows\":[{\"id\":1,\"a\":1}]}");
        Answer two = query(t, ns, "{\"aggregate_by\":{\"n\":[\"Count\"],\"m\":[\"Count\"]}}");
        assertThat(two.status()).isEqualTo(400);
        assertThat(two.json().get("error").asText())
                .isEqualTo("💔 aggregate_by currently requires exactly one function");
        assertThat(query(t, ns, "{\"aggregate_by\":{\"n\":[\"Count\"]},\"limit\":5}")
                        .status())
                .isEqualTo(422);
        assertThat(query(t, ns, "{\"aggregate_by\":{\"n\":[\"Count\"]},\"top_k\":5}")
                        .status())
                .isEqualTo(400);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void rejectsBadNamespaceNamesAsPlainTextAndMalformedBodies(String name, java.util.function.Supplier<ApiTarget> s) {
        ApiTarget t = target(s);
        Answer bad = write(t, "bad%20name", "{\"upsert_rows\":[{\"id\":1}]}");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.contentType()).startsWith("text/plain");
        assertThat(bad.text()).contains("Namespace contains invalid characters");
        Answer tooLong = write(t, "n".repeat(129), "{\"upsert_rows\":[{\"id\":1}]}");
        assertThat(tooLong.status()).isEqualTo(400);
        assertThat(tooLong.text()).contains("too long");
        Answer shape = write(t, t.ns("shape422"), "{\"upsert_rows\":{\"id\":1}}");
        assertThat(shape.status()).isEqualTo(422);
        Answer noId = write(t, t.ns("shape422"), "{\"upsert_rows\":[{\"title\":\"x\"}]}");
        assertThat(noId.status()).isEqualTo(422);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void acceptsGzipBodiesAndSdkQueryParameters(String name, java.util.function.Supplier<ApiTarget> s) {
        ApiTarget t = target(s);
        String ns = t.ns("gzip");
        Answer w = t.callGzip(
                "POST",
                "/v2/namespaces/" + ns + "?stainless_overload=write",
                "{\"upsert_rows\":[{\"id\":\"a\",\"x\":1}]}");
        assertThat(w.status()).isEqualTo(200);
        assertThat(ids(query(t, ns, ALL_BY_ID))).containsExactly("a");
        Answer v1 = t.call("GET", "/v1/namespaces/" + ns + "/metadata", null);
        Answer v2 = t.call("GET", "/v2/namespaces/" + ns + "/metadata", null);
        assertThat(v1.status()).isEqualTo(200);
        assertThat(v2.status()).isEqualTo(200);
        assertThat(v1.json().has("created_at")).isTrue();
        assertThat(v2.json().get("schema").get("x").get("type").asText()).isEqualTo("int");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void storesUuidIdsDeclaredInTheSchema(String name, java.util.function.Supplier<ApiTarget> s) {
        ApiTarget t = target(s);
        String ns = t.ns("uuid");
        String id = "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11";
        Answer w = write(t, ns, "{\"schema\":{\"id\":\"uuid\"},\"upsert_rows\":[{\"id\":\"" + id + "\",\"x\":1}]}");
        assertThat(w.status()).isEqualTo(200);
        assertThat(ids(query(t, ns, ALL_BY_ID))).containsExactly(id);
        assertThat(t.call("GET", "/v1/namespaces/" + ns + "/schema", null)
                        .json()
                        .get("id")
                        .get("type")
                        .asText())
                .isEqualTo("uuid");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void listsNamespacesWithCursorsAndDeletesThem(String name, java.util.function.Supplier<ApiTarget> s) {
        ApiTarget t = target(s);
        for (int i = 0; i < 3; i++) {
            write(t, t.ns("list-" + i), "{\"upsert_rows\":[{\"id\":1}]}");
        }
        Answer page1 = t.call("GET", "/v1/namespaces?page_size=2&prefix=" + t.ns("list-"), null);
        assertThat(page1.json().get("namespaces")).hasSize(2);
        String cursor = page1.json().get("next_cursor").asText();
        Answer page2 = t.call("GET", "/v1/namespaces?page_size=2&prefix=" + t.ns("list-") + "&cursor=" + cursor, null);
        assertThat(page2.json().get("namespaces")).hasSize(1);
        assertThat(page2.json().get("namespaces").get(0).get("id").asText()).isEqualTo(t.ns("list-2"));
        assertThat(page2.json().get("next_cursor").isNull()).isTrue();
        assertThat(t.call("GET", "/v1/namespaces?page_size=0", null).status()).isEqualTo(400);

        assertThat(t.call("DELETE", "/v2/namespaces/" + t.ns("list-0"), null).status())
                .isEqualTo(200);
        assertThat(t.call("GET", "/v1/namespaces/" + t.ns("list-0") + "/schema", null)
                        .status())
                .isEqualTo(404);
        assertThat(t.call("DELETE", "/v2/namespaces/" + t.ns("list-0"), null).status())
                .isEqualTo(404);
    }
}
