package io.puffgres.client;

import com.fasterxml.jackson.core.JsonGenerator;
import io.puffgres.document.DocId;
import io.puffgres.document.Document;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Map;

/**
 * A document with its id and each attribute value already written as JSON (UTF-8), so that a {@link WriteRequest}
 * only copies bytes. The job's writer encodes each document as it makes it: encoding a batch of thousands of
 * documents at send time, long after they were made, was mostly cache misses. Immutable.
 */
public final class EncodedDocument {

    private final DocId id;
    private final String[] names;
    /** The id and the values as one JSON array: {@code [id,v0,v1,…]}. */
    private final byte[] json;
    /** {@code bounds[2k]} and {@code bounds[2k + 1]}: where element k of {@link #json} starts and ends (k = 0: the id). */
    private final int[] bounds;

    private EncodedDocument(DocId id, String[] names, byte[] json, int[] bounds) {
        this.id = id;
        this.names = names;
        this.json = json;
        this.bounds = bounds;
    }

    /** {@code d} encoded; values are written as {@link WriteRequest} always wrote them. */
    public static EncodedDocument of(Document d) {
        return of(d, null, null);
    }

    /**
     * {@code d} with attribute {@code name} set to {@code value}, encoded (an attribute of that name keeps its place,
     * else it comes last), without copying the document first. {@code d} itself is left as it was.
     */
    public static EncodedDocument of(Document d, String name, Object value) {
        if ("id".equals(name)) {
            throw new IllegalArgumentException("attributes must not contain 'id'");
        }
        Encoder encoder = ENCODER.get();
        try {
            return encoder.encode(d, name, value);
        } catch (IOException e) {
            ENCODER.remove();
            throw new UncheckedIOException("cannot encode document " + d.id(), e);
        } catch (RuntimeException e) {
            ENCODER.remove(); // the generator stopped inside the document: the thread gets a fresh one
            throw e;
        }
    }

    /** A thread's generator and buffer, made once and reused for every document. */
    private static final ThreadLocal<Encoder> ENCODER = ThreadLocal.withInitial(Encoder::new);

    private static final class Encoder {
        private final Bytes out = new Bytes(1024);
        private final JsonGenerator g;
        private String[] lastNames = new String[0];

        Encoder() {
            try {
                g = WriteRequest.JSON.createGenerator(out);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            g.setRootValueSeparator(null); // one root-level array per document, nothing between them
        }

        /** {@code [id,v0,v1,…]} into the emptied stream, noting where each element starts and ends. */
        EncodedDocument encode(Document d, String extra, Object extraValue) throws IOException {
            boolean append = extra != null && !d.attributes().containsKey(extra);
            String[] names = new String[d.attributes().size() + (append ? 1 : 0)];
            int[] bounds = new int[2 * (names.length + 1)];
            out.reset();
            g.writeStartArray();
            bounds[0] = position();
            JsonValues.write(g, d.id());
            bounds[1] = position();
            int i = 0;
            for (Map.Entry<String, Object> a : d.attributes().entrySet()) {
                String name = a.getKey();
                value(i++, names, bounds, name, name.equals(extra) ? extraValue : a.getValue());
            }
            if (append) {
                value(i, names, bounds, extra, extraValue);
            }
            g.writeEndArray();
            g.flush();
            if (Arrays.equals(names, lastNames)) {
                names = lastNames; // documents of one shape share their names (and WriteRequest sees it)
            } else {
                lastNames = names;
            }
            return new EncodedDocument(d.id(), names, out.toByteArray(), bounds);
        }

        private void value(int i, String[] names, int[] bounds, String name, Object value) throws IOException {
            names[i] = name;
            bounds[2 * i + 2] = position() + 1; // after the comma the generator writes first
            JsonValues.write(g, value);
            bounds[2 * i + 3] = position();
        }

        private int position() {
            return out.size() + g.getOutputBuffered();
        }
    }

    public DocId id() {
        return id;
    }

    /**
     * About the bytes this document adds to a request of rows (one of columns takes less), for {@code batch_max_bytes}:
     * exact for the values, names counted by their characters; a built request's {@link WriteRequest#encodedSize}
     * is exact.
     */
    public int size() {
        int size = json.length + 8;
        for (String name : names) {
            size += name.length() + 4;
        }
        return size;
    }

    /** The attribute names, in the order of the values; documents of one shape made in a row share the array. */
    String[] names() {
        return names;
    }

    void writeId(Bytes out) {
        out.write(json, bounds[0], bounds[1] - bounds[0]);
    }

    void writeValue(int i, Bytes out) {
        out.write(json, bounds[2 * i + 2], bounds[2 * i + 3] - bounds[2 * i + 2]);
    }
}
