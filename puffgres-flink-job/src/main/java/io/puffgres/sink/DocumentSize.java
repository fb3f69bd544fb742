package io.puffgres.sink;

import io.puffgres.document.DocId;
import io.puffgres.document.Document;
import java.util.Collection;
import java.util.Map;

/**
 * A quick estimate of a document's share of a write request's JSON, for {@code batch_max_bytes}. It errs high;
 * the request's exact size is checked again once encoded.
 */
final class DocumentSize {

    private DocumentSize() {}

    static int estimate(DocId id) {
        return id.toString().length() + 4;
    }

    static int estimate(Document d) {
        int size = estimate(d.id());
        for (Map.Entry<String, Object> e : d.attributes().entrySet()) {
            size += e.getKey().length() + 4 + value(e.getValue());
        }
        return size;
    }

    private static int value(Object v) {
        if (v == null) {
            return 4;
        }
        if (v instanceof String s) {
            return s.length() + 2 + s.length() / 8; // escapes and multi-byte characters
        }
        if (v instanceof float[] f) {
            return f.length * 14;
        }
        if (v instanceof Collection<?> c) {
            int size = 2;
            for (Object item : c) {
                size += value(item) + 1;
            }
            return size;
        }
        return 24;
    }
}
