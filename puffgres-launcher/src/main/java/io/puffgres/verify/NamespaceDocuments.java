package io.puffgres.verify;

import io.puffgres.client.ErrorKind;
import io.puffgres.client.Filter;
import io.puffgres.client.Query;
import io.puffgres.client.TurbopufferClient;
import io.puffgres.client.TurbopufferException;
import io.puffgres.document.DocId;
import io.puffgres.document.IdType;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every document of a namespace in id order, with all attributes, a page at a time: {@code rank_by ["id", "asc"]}
 * and {@code ["id", "Gt", last]} (turbopuffer has no offsets). A namespace that does not exist has no documents.
 * Not thread-safe.
 */
final class NamespaceDocuments {

    /**
     * Documents per query. turbopuffer allows up to 10,000 (top_k); a page holds every attribute, vectors included,
     * so a smaller page keeps memory flat at a few extra round trips.
     */
    static final int PAGE_SIZE = 1000;

    /** One document: its id and its attributes without {@code id}. */
    record Doc(DocId id, Map<String, Object> attributes) {}

    private final TurbopufferClient client;
    private final String namespace;
    private final IdType idType;
    private final Deque<Doc> page = new ArrayDeque<>();
    private DocId last;
    private boolean done;
    private long read;

    NamespaceDocuments(TurbopufferClient client, String namespace, IdType idType) {
        this.client = client;
        this.namespace = namespace;
        this.idType = idType;
    }

    /** Documents read so far. */
    long read() {
        return read;
    }

    /**
     * The next document, or null after the last.
     *
     * @throws IllegalStateException when turbopuffer's ids are not increasing or not of the mapping's id type
     */
    Doc next() {
        if (page.isEmpty() && !done) {
            fetch();
        }
        Doc d = page.poll();
        if (d != null) {
            read++;
        }
        return d;
    }

    private void fetch() {
        Query.Builder q = Query.builder()
                .rankBy(Query.RankBy.attribute("id", true))
                .topK(PAGE_SIZE)
                .includeAllAttributes();
        if (last != null) {
            q.filters(Filter.gt("id", last.json()));
        }
        List<Map<String, Object>> rows;
        try {
            rows = client.query(namespace, q.build()).rows();
        } catch (TurbopufferException e) {
            if (e.kind() == ErrorKind.NOT_FOUND) {
                done = true;
                return;
            }
            throw e;
        }
        for (Map<String, Object> row : rows) {
            Map<String, Object> attributes = new LinkedHashMap<>(row);
            DocId id = DocIdOrder.fromJson(attributes.remove("id"), idType, namespace);
            attributes.remove("$dist");
            if (last != null && DocIdOrder.ORDER.compare(last, id) >= 0) {
                throw new IllegalStateException("namespace " + namespace + " returned id " + id + " after " + last
                        + "; verify needs ids in increasing order");
            }
            last = id;
            page.add(new Doc(id, attributes));
        }
        done = rows.size() < PAGE_SIZE;
    }
}
