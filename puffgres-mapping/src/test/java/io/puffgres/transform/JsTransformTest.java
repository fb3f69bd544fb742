package io.puffgres.transform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.puffgres.document.AttributeSchema;
import io.puffgres.document.DocId;
import io.puffgres.document.Document;
import io.puffgres.event.Op;
import io.puffgres.event.RelationId;
import io.puffgres.event.Row;
import io.puffgres.event.RowEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsTransformTest {

    private static final Instant COMMIT = Instant.parse("2024-05-01T10:00:00Z");
    private static final DocId ID = new DocId.Uint(7);

    @TempDir
    Path dir;

    private static final Row ROW = Row.builder()
            .put("id", "int8", 7L)
            .put("title", "text", "Hello World")
            .put("views", "int4", 3L)
            .put("score", "float8", 0.5)
            .put("published", "bool", true)
            .put("tags", "text[]", List.of("a", "b"))
            .put("meta", "jsonb", "{\"lang\":\"en\",\"words\":120}")
            .put("created_at", "timestamptz", COMMIT)
            .put("body", "text", null)
            .build();

    private static RowEvent event(long lsn) {
        return new RowEvent(Op.INSERT, new RelationId("public", "pages"), null, ROW, lsn, 1, COMMIT);
    }

    private JsTransform load(String code) throws Exception {
        return load(code, Map.of(), JsTransform.DEFAULT_LIMITS);
    }

    private JsTransform load(String code, Map<String, AttributeSchema> hints, JsTransform.Limits limits)
            throws Exception {
        Path file = dir.resolve("pages.js");
        Files.writeString(file, code);
        return JsTransform.load(file, "transform", hints, limits);
    }

    private static JsTransform.Limits limits(Duration timeout, long maxAllocation) {
        return new JsTransform.Limits(timeout, timeout, maxAllocation, JsTransform.DEFAULT_MAX_RETAINED);
    }

    private Action run(String code) throws Exception {
        try (JsTransform t = load(code)) {
            return t.apply(event(100), ID, new FakeEmbedder(4).asContext());
        }
    }

    private static Map<String, Object> attributes(Action action) {
        assertThat(action).isInstanceOf(Action.Upsert.class);
        return ((Action.Upsert) action).document().attributes();
    }

    @Test
    void buildsADocumentFromTheRow() throws Exception {
        Action action = run("""
                export function transform(row, ctx) {
                  return {
                    title: row.title.toUpperCase(),
                    views: row.views + 1,
                    score: row.score,
                    published: row.published,
                    tags: row.tags.concat(['c']),
                    lang: row.meta.lang,
                    words: row.meta.words,
                    created_at: new Date(row.created_at),
                    body: row.body,
                    table: ctx.table,
                    op: ctx.op,
                    doc_id: ctx.id,
                    lsn: ctx.lsn,
                  };
                }
                """);
        assertThat(attributes(action))
                .containsEntry("title", "HELLO WORLD")
                .containsEntry("views", 4L)
                .containsEntry("score", 0.5)
                .containsEntry("published", true)
                .containsEntry("tags", List.of("a", "b", "c"))
                .containsEntry("lang", "en")
                .containsEntry("words", 120L)
                .containsEntry("created_at", COMMIT)
                .containsEntry("table", "public.pages")
                .containsEntry("op", "insert")
                .containsEntry("doc_id", 7L)
                .containsEntry("lsn", "0/64")
                .containsKey("body");
        assertThat(((Action.Upsert) action).document().id()).isEqualTo(ID);
    }

    @Test
    void usesTpSchemaHintsToTypeReturnedValues() throws Exception {
        try (JsTransform t = load(
                "export function transform(row) { return { ratio: 2, embedding: [1, 0.5] }; }",
                Map.of("ratio", AttributeSchema.ofType("float"), "embedding", AttributeSchema.ofType("[2]f32")),
                JsTransform.DEFAULT_LIMITS)) {
            Map<String, Object> attrs = attributes(t.apply(event(1), ID, null));
            assertThat(attrs.get("ratio")).isEqualTo(2.0);
            assertThat((float[]) attrs.get("embedding")).containsExactly(1f, 0.5f);
        }
    }

    @Test
    void mapsNullToSkipAndDeleteMarkerToDelete() throws Exception {
        assertThat(run("export function transform(row) { return null; }")).isInstanceOf(Action.Skip.class);
        assertThat(run("export function transform(row) { return undefined; }")).isInstanceOf(Action.Skip.class);
        assertThat(run("export function transform(row) { return { $delete: true }; }"))
                .isEqualTo(new Action.Delete(ID));
    }

    @Test
    void rejectsOutputTurbopufferCannotStore() throws Exception {
        assertThat(run("export function transform(row) { return { $dist: 1 }; }"))
                .isEqualTo(new Action.Error(
                        "transform",
                        "pages.js: attribute name \"$dist\" starts with '$', which turbopuffer reserves",
                        ""));
        assertThat(run("export function transform(row) { return { nested: { a: 1 } }; }"))
                .isEqualTo(new Action.Error(
                        "transform",
                        "pages.js: attribute \"nested\" is an object; turbopuffer attributes are scalars or arrays (use"
                                + " JSON.stringify for JSON text)",
                        ""));
        assertThat(run("export function transform(row) { return { id: 8, title: 'x' }; }"))
                .isEqualTo(new Action.Error(
                        "transform",
                        "pages.js: the returned id 8 differs from the row's id 7; ids come from the mapping's id column",
                        ""));
        assertThat(run("export function transform(row) { return 5; }"))
                .isEqualTo(new Action.Error(
                        "transform",
                        "pages.js: TypeError: the transform must return an object, null, or { $delete: true } (got 5)",
                        ""));
        assertThat(run("export function transform(row) { return { x: 0/0 }; }"))
                .isEqualTo(new Action.Error(
                        "transform",
                        "pages.js: TypeError: attribute \"x\" is NaN; turbopuffer JSON has no NaN or Infinity",
                        ""));
    }

    @Test
    void turnsAThrownErrorIntoAnErrorWithTheJsStack() throws Exception {
        Action action = run("""
                function helper(row) {
                  throw new Error('boom on ' + row.title);
                }
                export function transform(row) { return helper(row); }
                """);
        assertThat(action).isInstanceOfSatisfying(Action.Error.class, e -> {
            assertThat(e.kind()).isEqualTo("transform");
            assertThat(e.message()).isEqualTo("pages.js:2:9: Error: boom on Hello World");
            assertThat(e.detail()).isEqualTo("    at helper (pages.js:2:9)\n    at transform (pages.js:4:41)\n");
        });
    }

    @Test
    void hasNoHostAccess() throws Exception {
        for (String expr : List.of(
                "Java.type('java.lang.System').exit(1)",
                "Polyglot.import('x')",
                "java.lang.System.exit(1)",
                "Packages.java.lang.Runtime.getRuntime()",
                "Object.getPrototypeOf(ctx.embed).constructor('return java')().lang")) {
            Action action = run("export function transform(row, ctx) { return { v: String(" + expr + ") }; }");
            assertThat(action)
                    .as(expr)
                    .isInstanceOfSatisfying(
                            Action.Error.class, e -> assertThat(e.kind()).isEqualTo("transform"));
        }
        assertThat(attributes(run("export function transform(row) { return { t: typeof Java + typeof Polyglot"
                        + " + typeof java + typeof Packages + typeof load + typeof print + typeof Intl }; }")))
                .containsEntry("t", "undefinedundefinedundefinedundefinedundefinedundefinedundefined");
    }

    @Test
    void hasNoFileOrNetworkAccess() throws Exception {
        assertThat(run("export function transform(row) { return { v: load('/etc/passwd') }; }"))
                .isInstanceOf(Action.Error.class);
        assertThat(run("export function transform(row) { return { v: require('fs').readFileSync('/etc/passwd') }; }"))
                .isInstanceOf(Action.Error.class);
        assertThat(run("export function transform(row) { return { v: fetch('http://127.0.0.1:1/') }; }"))
                .isInstanceOf(Action.Error.class);
        assertThatThrownBy(() -> load("import x from '/etc/passwd';\nexport function transform(row) { return {}; }"))
                .isInstanceOf(TransformLoadException.class);
        assertThatThrownBy(() -> load("import * as fs from 'fs';\nexport function transform(row) { return {}; }"))
                .isInstanceOf(TransformLoadException.class);
        Action dynamic = run("export async function transform(row) { return await import('/etc/passwd'); }");
        assertThat(dynamic)
                .isInstanceOfSatisfying(
                        Action.Error.class,
                        e -> assertThat(e.message())
                                .endsWith(
                                        "TypeError: the transform returned a Promise; transforms must be synchronous"));
    }

    @Test
    void givesTheFirstCallTheLoadsTimeAndLaterCallsTheirOwn() throws Exception {
        try (JsTransform t = load(
                """
                export function transform(row) { while (true) {} }
                """,
                Map.of(),
                new JsTransform.Limits(
                        Duration.ofMillis(200),
                        Duration.ofMillis(600),
                        JsTransform.DEFAULT_MAX_ALLOCATION,
                        JsTransform.DEFAULT_MAX_RETAINED))) {
            assertThat(t.apply(event(1), ID, null))
                    .isEqualTo(new Action.Error(
                            "timeout", "pages.js: the transform ran longer than 600 ms and was stopped", ""));
            assertThat(t.apply(event(2), ID, null))
                    .isEqualTo(new Action.Error(
                            "timeout", "pages.js: the transform ran longer than 200 ms and was stopped", ""));
        }
    }

    @Test
    void stopsAnEndlessLoopAndKeepsWorking() throws Exception {
        try (JsTransform t = load("""
                export function transform(row) {
                  if (row.title === 'Hello World' && globalThis.spin !== false) { globalThis.spin = false; while (true) {} }
                  return { ok: true };
                }
                """, Map.of(), limits(Duration.ofMillis(200), JsTransform.DEFAULT_MAX_ALLOCATION))) {
            long start = System.nanoTime();
            Action first = t.apply(event(1), ID, null);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
            assertThat(first)
                    .isEqualTo(new Action.Error(
                            "timeout", "pages.js: the transform ran longer than 200 ms and was stopped", ""));
            assertThat(attributes(t.apply(event(2), ID, null))).containsEntry("ok", true);
        }
    }

    @Test
    void stopsAHugeAllocationWithoutHurtingTheJvm() throws Exception {
        try (JsTransform t = load("""
                export function transform(row) {
                  if (row.title === 'Hello World' && globalThis.hog !== false) {
                    globalThis.hog = false;
                    const keep = [];
                    for (;;) keep.push(new Array(100000).fill(row.title + keep.length));
                  }
                  return { ok: true };
                }
                """, Map.of(), limits(Duration.ofSeconds(30), 64L * 1024 * 1024))) {
            assertThat(t.apply(event(1), ID, null))
                    .isEqualTo(new Action.Error(
                            "memory",
                            "pages.js: the transform allocated more than 64 MiB in one call and was stopped",
                            ""));
            assertThat(attributes(t.apply(event(2), ID, null))).containsEntry("ok", true);
        }
        assertThat(run("export function transform(row) { return { s: 'x'.repeat(1 << 30) }; }"))
                .isInstanceOf(Action.Error.class);
        assertThat(run("export function transform(row) { return { n: new Float64Array(1e9).length }; }"))
                .isInstanceOf(Action.Error.class);
    }

    @Test
    void isDeterministicPerEvent() throws Exception {
        String code = """
                export function transform(row) {
                  return { now: Date.now(), date: new Date().toISOString(), str: Date(),
                           ctor: new (new Date().constructor)().getTime(), r1: Math.random(), r2: Math.random() };
                }
                """;
        try (JsTransform t = load(code)) {
            Map<String, Object> a = attributes(t.apply(event(100), ID, null));
            Map<String, Object> b = attributes(t.apply(event(100), ID, null));
            Map<String, Object> c = attributes(t.apply(event(101), ID, null));
            assertThat(a.get("now")).isEqualTo(COMMIT.toEpochMilli());
            assertThat(a.get("date")).isEqualTo("2024-05-01T10:00:00.000Z");
            assertThat((String) a.get("str")).contains("2024");
            assertThat(a.get("ctor")).isEqualTo(COMMIT.toEpochMilli());
            assertThat(a).isEqualTo(b);
            assertThat(a.get("r1")).isNotEqualTo(a.get("r2")).isNotEqualTo(c.get("r1"));
        }
    }

    @Test
    void topLevelCodeCannotCaptureTheRealClockOrRandom() throws Exception {
        String code = """
                const now = Date.now, RealDate = Date, random = Math.random;
                const atLoad = Date.now(), randomAtLoad = Math.random();
                export function transform(row) {
                  return { now: now(), date: new RealDate().getTime(), r: random(), atLoad, randomAtLoad };
                }
                """;
        try (JsTransform t = load(code)) {
            Map<String, Object> a = attributes(t.apply(event(100), ID, null));
            assertThat(a).containsEntry("now", COMMIT.toEpochMilli()).containsEntry("date", COMMIT.toEpochMilli());
            assertThat(a.get("atLoad")).isEqualTo(0L);
            assertThat(attributes(t.apply(event(100), ID, null))).isEqualTo(a);
        }
        try (JsTransform t = load(code)) {
            assertThat(attributes(t.apply(event(100), ID, null))).isEqualTo(attributes(run(code)));
        }
    }

    @Test
    void clockIsTheCommitTimeOfAChangeAndZeroForSnapshotRows() throws Exception {
        String code = "export function transform(row, ctx) { return { now: Date.now(), ctx: ctx.commitTime }; }";
        RelationId pages = new RelationId("public", "pages");
        try (JsTransform t = load(code)) {
            for (Op op : List.of(Op.INSERT, Op.UPDATE)) {
                assertThat(attributes(t.apply(new RowEvent(op, pages, ROW, ROW, 5, 1, COMMIT), ID, null)))
                        .containsEntry("now", COMMIT.toEpochMilli())
                        .containsEntry("ctx", "2024-05-01T10:00:00Z");
            }
            assertThat(attributes(t.apply(new RowEvent(Op.READ, pages, null, ROW, 5, -1, COMMIT), ID, null)))
                    .containsEntry("now", 0L)
                    .containsEntry("ctx", "1970-01-01T00:00:00Z");
        }
    }

    @Test
    void stopsEndlessTopLevelCodeAtLoad() {
        long start = System.nanoTime();
        assertThatThrownBy(() -> load(
                        "while (true) {}\nexport function transform(row) { return {}; }",
                        Map.of(),
                        limits(Duration.ofMillis(200), JsTransform.DEFAULT_MAX_ALLOCATION)))
                .isInstanceOf(TransformLoadException.class)
                .hasMessageStartingWith("pages.js: the module's top-level code ran longer than 200 ms and was stopped");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void failsATransformThatKeepsGrowingStateButNotOneThatOnlyAllocates() throws Exception {
        JsTransform.Limits small =
                new JsTransform.Limits(Duration.ofSeconds(5), Duration.ofSeconds(5), 256L << 20, 16L << 20);
        try (JsTransform t = load("""
                const seen = [];
                export function transform(row) { seen.push('x'.repeat(1 << 18) + seen.length); return { n: seen.length }; }
                """, Map.of(), small)) {
            assertThatThrownBy(() -> {
                        for (int i = 0; i < 1000; i++) {
                            t.apply(event(i), ID, null);
                        }
                    })
                    .isInstanceOf(TransformMemoryException.class)
                    .hasMessageStartingWith("pages.js: the transform keeps more than 16 MiB between calls");
        }
        try (JsTransform t = load(
                "export function transform(row) { return { n: ('x'.repeat(1 << 18) + row.title).length }; }",
                Map.of(),
                small)) {
            for (int i = 0; i < 1000; i++) {
                assertThat(attributes(t.apply(event(i), ID, null))).containsKey("n");
            }
        }
        assertThatThrownBy(() -> load(
                        "const big = []; for (let i = 0; i < 100; i++) big.push('y'.repeat(1 << 18) + i);\n"
                                + "export function transform(row) { return { n: big.length }; }",
                        Map.of(),
                        small))
                .hasMessageStartingWith("pages.js: the module's top-level code keeps more than 16 MiB");
    }

    @Test
    void callsTheHostForEmbeddings() throws Exception {
        Action action = run("export function transform(row, ctx) { return { embedding: ctx.embed(row.title) }; }");
        float[] expected = new FakeEmbedder(4).embed(List.of("Hello World")).get(0);
        @SuppressWarnings("unchecked")
        List<Object> embedding = (List<Object>) attributes(action).get("embedding");
        assertThat(embedding).hasSize(4);
        assertThat(((Number) embedding.get(0)).floatValue()).isEqualTo(expected[0]);
    }

    @Test
    void reportsEmbeddingFailuresAsEmbedErrors() throws Exception {
        try (JsTransform t = load("export function transform(row, ctx) { return { e: ctx.embed('x') }; }")) {
            Action action = t.apply(event(1), ID, text -> {
                throw new EmbeddingException("embeddings provider answered 400: bad model");
            });
            assertThat(action).isEqualTo(new Action.Error("embed", "embeddings provider answered 400: bad model", ""));
        }
    }

    @Test
    void reportsSyntaxErrorsAndMissingExportsAtLoad() {
        assertThatThrownBy(() -> load("export function transform(row) {\n  return { a: };\n}\n"))
                .isInstanceOfSatisfying(
                        TransformLoadException.class,
                        e -> assertThat(e.problems().get(0)).startsWith("pages.js:2:"));
        assertThatThrownBy(() -> load("export function other(row) { return {}; }"))
                .isInstanceOfSatisfying(
                        TransformLoadException.class,
                        e -> assertThat(e.problems())
                                .containsExactly("pages.js: does not export a function named \"transform\""));
    }

    @Test
    void documentCarriesOnlyReturnedAttributes() throws Exception {
        assertThat(run("export function transform(row) { return { title: row.title }; }"))
                .isEqualTo(new Action.Upsert(new Document(ID, Map.of("title", "Hello World"))));
    }
}
