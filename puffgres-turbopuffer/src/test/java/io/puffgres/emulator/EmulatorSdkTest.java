package io.puffgres.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.turbopuffer.client.Namespace;
import com.turbopuffer.client.TurbopufferClient;
import com.turbopuffer.client.okhttp.TurbopufferOkHttpClient;
import com.turbopuffer.core.JsonValue;
import com.turbopuffer.errors.BadRequestException;
import com.turbopuffer.errors.NotFoundException;
import com.turbopuffer.errors.UnprocessableEntityException;
import com.turbopuffer.models.ClientNamespacesParams;
import com.turbopuffer.models.NamespaceSummary;
import com.turbopuffer.models.namespaces.AggregateBy;
import com.turbopuffer.models.namespaces.AttributeSchemaConfig;
import com.turbopuffer.models.namespaces.DistanceMetric;
import com.turbopuffer.models.namespaces.Filter;
import com.turbopuffer.models.namespaces.NamespaceMetadata;
import com.turbopuffer.models.namespaces.NamespaceQueryParams;
import com.turbopuffer.models.namespaces.NamespaceQueryResponse;
import com.turbopuffer.models.namespaces.NamespaceUpdateSchemaParams;
import com.turbopuffer.models.namespaces.NamespaceWriteParams;
import com.turbopuffer.models.namespaces.NamespaceWriteResponse;
import com.turbopuffer.models.namespaces.RankBy;
import com.turbopuffer.models.namespaces.RankByAttributeOrder;
import com.turbopuffer.models.namespaces.Row;
import com.turbopuffer.models.namespaces.Schema;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The official turbopuffer Java SDK (1.3.0), a client nobody here wrote, drives the emulator end to end. */
class EmulatorSdkTest {

    private static Emulator emulator;
    private static TurbopufferClient tpuf;

    @BeforeAll
    static void start() throws Exception {
        emulator = Emulator.start(0, null);
        tpuf = TurbopufferOkHttpClient.builder()
                .apiKey("tpuf_test")
                .baseUrl(emulator.baseUrl())
                .maxRetries(0)
                .build();
    }

    @AfterAll
    static void stop() {
        tpuf.close();
        emulator.close();
    }

    private static Row row(long id, String name, int version, float... vector) {
        Row.Builder b = Row.builder().put("id", id).put("name", name).put("version", version);
        if (vector.length > 0) {
            List<Float> v = new ArrayList<>();
            for (float f : vector) {
                v.add(f);
            }
            b.put("vector", v);
        }
        return b.build();
    }

    private static List<Long> ids(NamespaceQueryResponse response) {
        return response.rows().orElseThrow().stream()
                .map(r -> r.get("id").convert(Long.class))
                .toList();
    }

    @Test
    void writesAndQueriesWithFiltersOrderingAndVectors() {
        Namespace ns = tpuf.namespace("sdk-write-query");
        NamespaceWriteResponse written = ns.write(NamespaceWriteParams.builder()
                .distanceMetric(DistanceMetric.COSINE_DISTANCE)
                .addUpsertRow(row(1, "foo", 1, 0.1f, 0.2f))
                .addUpsertRow(row(2, "bar", 1, 0.9f, 0.1f))
                .addUpsertRow(row(3, "foo", 2, 0.2f, 0.2f))
                .build());
        assertThat(written.rowsAffected()).isEqualTo(3);
        assertThat(written.rowsUpserted()).contains(3L);

        NamespaceQueryResponse byVector = ns.query(NamespaceQueryParams.builder()
                .rankBy(RankBy.vector("vector", List.of(0.1f, 0.2f)))
                .topK(2)
                .filters(Filter.eq("name", "foo"))
                .includeAttributes("name")
                .build());
        assertThat(ids(byVector)).containsExactly(1L, 3L);
        assertThat(byVector.rows().orElseThrow().get(0).get("name").convert(String.class))
                .isEqualTo("foo");
        assertThat(byVector.rows().orElseThrow().get(0).containsKey("version")).isFalse();
        assertThat(byVector.performance()).isNotNull();
        assertThat(byVector.billing()).isNotNull();

        NamespaceQueryResponse ordered = ns.query(NamespaceQueryParams.builder()
                .rankBy(RankBy.attribute("id", RankByAttributeOrder.DESC))
                .topK(10)
                .filters(Filter.or(Filter.eq("name", "bar"), Filter.gte("version", 2)))
                .build());
        assertThat(ids(ordered)).containsExactly(3L, 2L);

        NamespaceQueryResponse count = ns.query(NamespaceQueryParams.builder()
                .aggregateBy(Map.of("n", AggregateBy.count()))
                .filters(Filter.eq("name", "foo"))
                .build());
        assertThat(count.aggregations().orElseThrow().get("n").convert(Long.class))
                .isEqualTo(2L);
    }

    @Test
    void conditionalWritesOnlyReplaceOlderVersions() {
        Namespace ns = tpuf.namespace("sdk-conditional");
        ns.write(NamespaceWriteParams.builder()
                .addUpsertRow(row(101, "a", 2))
                .addUpsertRow(row(102, "b", 5))
                .build());
        NamespaceWriteResponse conditional = ns.write(NamespaceWriteParams.builder()
                .addUpsertRow(row(101, "a2", 3))
                .addUpsertRow(row(102, "b2", 4))
                .addUpsertRow(row(103, "c", 1))
                .upsertCondition(Filter.lt("version", JsonValue.from(Map.of("$ref_new", "version"))))
                .build());
        assertThat(conditional.rowsAffected()).isEqualTo(2);
        NamespaceQueryResponse all = ns.query(NamespaceQueryParams.builder()
                .rankBy(RankBy.attribute("id", RankByAttributeOrder.ASC))
                .topK(10)
                .includeAttributes(true)
                .build());
        assertThat(all.rows().orElseThrow())
                .extracting(r -> r.get("name").convert(String.class))
                .containsExactly("a2", "b", "c");

        NamespaceWriteResponse deleted = ns.write(NamespaceWriteParams.builder()
                .addDelete(101L)
                .addDelete(102L)
                .deleteCondition(Filter.eq("name", "b"))
                .build());
        assertThat(deleted.rowsDeleted()).contains(1L);
    }

    @Test
    void readsAndUpdatesSchemaAndMetadata() {
        Namespace ns = tpuf.namespace("sdk-schema");
        ns.write(NamespaceWriteParams.builder().addUpsertRow(row(1, "x", 1)).build());
        Schema updated = ns.updateSchema(NamespaceUpdateSchemaParams.builder()
                .schema(Schema.builder()
                        .put(
                                "name",
                                AttributeSchemaConfig.builder()
                                        .type("string")
                                        .fullTextSearch(true)
                                        .build())
                        .build())
                .build());
        assertThat(updated.get("name").fullTextSearch()).isPresent();
        assertThat(ns.schema().get("version").type()).contains("int");
        NamespaceMetadata metadata = ns.metadata();
        assertThat(metadata.approxRowCount()).isEqualTo(1);
        assertThat(metadata.createdAt()).isNotNull();
        assertThat(metadata.schema()).isNotNull();
    }

    @Test
    void anAttributeTypeChangeInAWriteIsABadRequestNamingTheAttribute() {
        Namespace ns = tpuf.namespace("sdk-type-change");
        ns.write(NamespaceWriteParams.builder().addUpsertRow(row(1, "x", 1)).build());
        assertThatThrownBy(() -> ns.write(NamespaceWriteParams.builder()
                        .schema(Schema.builder()
                                .put(
                                        "name",
                                        AttributeSchemaConfig.builder()
                                                .type("int")
                                                .build())
                                .build())
                        .addUpsertRow(Row.builder().put("id", 2).put("name", 5).build())
                        .build()))
                .isInstanceOfSatisfying(BadRequestException.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(400);
                    // the SDK's message is the status and the body's fields: 400: {status=error, error=…}
                    assertThat(e.getMessage())
                            .startsWith("400: ")
                            .contains("error=🙅 invalid schema update for attribute 'name': cannot change attribute"
                                    + " type from string to int")
                            .contains("attribute=name");
                });
        assertThat(ns.schema().get("name").type()).contains("string");
    }

    @Test
    void anAggregationQueryTakesExactlyOneFunctionAndNoLimit() {
        Namespace ns = tpuf.namespace("sdk-aggregate");
        ns.write(NamespaceWriteParams.builder().addUpsertRow(row(1, "x", 1)).build());
        assertThatThrownBy(() -> ns.query(NamespaceQueryParams.builder()
                        .aggregateBy(Map.of("n", AggregateBy.count(), "m", AggregateBy.count()))
                        .build()))
                .isInstanceOfSatisfying(
                        BadRequestException.class,
                        e -> assertThat(e.getMessage())
                                .contains("error=💔 aggregate_by currently requires exactly one function"));
        assertThatThrownBy(() -> ns.query(NamespaceQueryParams.builder()
                        .aggregateBy(Map.of("n", AggregateBy.count()))
                        .putAdditionalBodyProperty("limit", JsonValue.from(5))
                        .build()))
                .isInstanceOfSatisfying(
                        UnprocessableEntityException.class,
                        e -> assertThat(e.statusCode()).isEqualTo(422));
    }

    @Test
    void listsNamespacesAcrossPagesAndDeletesThem() {
        for (int i = 0; i < 5; i++) {
            tpuf.namespace("sdk-list-" + i)
                    .write(NamespaceWriteParams.builder()
                            .addUpsertRow(row(1, "x", 1))
                            .build());
        }
        List<String> names = new ArrayList<>();
        tpuf.namespaces(ClientNamespacesParams.builder()
                        .prefix("sdk-list-")
                        .pageSize(2)
                        .build())
                .autoPager()
                .forEach(s -> names.add(s.id()));
        assertThat(names).containsExactly("sdk-list-0", "sdk-list-1", "sdk-list-2", "sdk-list-3", "sdk-list-4");

        tpuf.namespace("sdk-list-0").deleteAll();
        assertThatThrownBy(() -> tpuf.namespace("sdk-list-0").metadata()).isInstanceOf(NotFoundException.class);
        List<String> remaining =
                tpuf
                        .namespaces(ClientNamespacesParams.builder()
                                .prefix("sdk-list-")
                                .build())
                        .namespaces()
                        .stream()
                        .map(NamespaceSummary::id)
                        .toList();
        assertThat(remaining).hasSize(4).doesNotContain("sdk-list-0");
    }
}
