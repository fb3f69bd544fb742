package io.puffgres.bench;

import io.puffgres.client.WriteRequest;
import io.puffgres.document.DocId;
import io.puffgres.document.Document;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Client encoding throughput: MB/s and documents/s of encoding 1,000-document upserts (upsert_columns) of realistic
 * documents, without and with a 768-dimension vector; then 5,000-document upserts taken in turn from 200,000
 * documents, which do not fit in a core's cache (as in the job, where a batch is encoded well after its documents
 * were made). Run: bench/run ClientEncodingBench
 */
public final class ClientEncodingBench {

    public static void main(String[] args) {
        for (boolean vectors : new boolean[] {false, true}) {
            List<Document> docs = documents(1000, vectors);
            long[] bytes = new long[1];
            BenchLoop.Rate rate = BenchLoop.measure(vectors ? "encode+vector" : "encode", 3, 5, 1, () -> {
                WriteRequest r = WriteRequest.builder().upsertAll(docs).build();
                bytes[0] = r.encodedSize();
                return r.encodedSize();
            });
            double mbPerSecond = rate.median() * bytes[0] / 1e6;
            System.out.printf(
                    "client encoding%s: %,.0f MB/s, %,.0f documents/s (1k-document requests of %,d bytes)%n",
                    vectors ? " with 768-dim vectors" : "", mbPerSecond, rate.median() * docs.size(), bytes[0]);
        }
        outOfCache();
    }

    private static void outOfCache() {
        List<List<Document>> batches = new ArrayList<>();
        for (int b = 0; b < 40; b++) {
            batches.add(documents(5000, false));
        }
        int[] next = {0};
        long[] bytes = new long[1];
        BenchLoop.Rate rate = BenchLoop.measure("encode 5k of 200k", 3, 5, 1, () -> {
            WriteRequest r = WriteRequest.builder()
                    .upsertAll(batches.get(next[0]++ % batches.size()))
                    .build();
            bytes[0] = r.encodedSize();
            return r.encodedSize();
        });
        System.out.printf(
                "client encoding, 5k-document requests in turn from 200k documents: %,.0f MB/s, %,.0f documents/s%n",
                rate.median() * bytes[0] / 1e6, rate.median() * 5000);
    }

    static List<Document> documents(int n, boolean vectors) {
        List<Document> docs = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Map<String, Object> a = new LinkedHashMap<>();
            a.put("title", "Page " + i + " about Postgres and search");
            a.put("body", "Logical decoding streams every change in commit order. ".repeat(4));
            a.put("status", i % 5 == 0 ? "draft" : "published");
            a.put("org_id", (long) (i % 97));
            a.put("views", (long) i * 7);
            a.put("score", i / 10.0);
            a.put("tags", List.of("postgres", "cdc"));
            a.put("published", i % 2 == 0);
            a.put("updated_at", Instant.parse("2026-11-25T10:00:00Z").plusSeconds(i));
            a.put("__source_lsn", 1_000_000L + i);
            if (vectors) {
                float[] v = new float[768];
                for (int j = 0; j < v.length; j++) {
                    v[j] = (float) Math.sin(i + j);
                }
                a.put("embedding", v);
            }
            docs.add(new Document(new DocId.Uint(i), a));
        }
        return docs;
    }
}
