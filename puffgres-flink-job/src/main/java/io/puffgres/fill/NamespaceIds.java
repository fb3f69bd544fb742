package io.puffgres.fill;

import io.puffgres.client.ErrorKind;
import io.puffgres.client.Filter;
import io.puffgres.client.Query;
import io.puffgres.client.TurbopufferClient;
import io.puffgres.client.TurbopufferException;
import io.puffgres.document.DocIds;
import io.puffgres.document.IdType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The document ids of a fill's namespace a page at a time, in turbopuffer's id order ({@code rank_by ["id", "asc"]}
 * and {@code ["id", "Gt", last]}: turbopuffer has no offsets), ids only: what a sweep checks against Postgres. A
 * namespace that does not exist has none. Holds nothing between pages; the caller keeps the last id (the fill's {@link
 * PlanCursor}). Not thread-safe (one client, used by the planner thread).
 */
final class NamespaceIds {

    /** Ids per page, so per sweep chunk: one turbopuffer query and one Postgres query each. */
    static final int PAGE_SIZE = 1000;

    private final TurbopufferClient client;
    private final String mapping;
    private final String namespace;
    private final IdType idType;
    private final int pageSize;

    NamespaceIds(TurbopufferClient client, String mapping, String namespace, IdType idType, int pageSize) {
        this.client = client;
        this.mapping = mapping;
        this.namespace = namespace;
        this.idType = idType;
        this.pageSize = pageSize;
    }

    /** Ids per page. */
    int pageSize() {
        return pageSize;
    }

    /**
     * Up to {@link #pageSize} ids after {@code after} (text form; empty: from the first), in text form; fewer at the
     * end of the namespace.
     *
     * @throws FillTableException the namespace holds an id that is not of the mapping's id type (a document no fill
     *     of this mapping wrote, which a sweep cannot check)
     */
    List<String> after(Optional<String> after) throws FillTableException {
        Query.Builder q = Query.builder()
                .rankBy(Query.RankBy.attribute("id", true))
                .topK(pageSize)
                .includeAttributes(List.of());
        after.ifPresent(
                last -> q.filters(Filter.gt("id", DocIds.parse(idType, last).json())));
        List<Map<String, Object>> rows;
        try {
            rows = client.query(namespace, q.build()).rows();
        } catch (TurbopufferException e) {
            if (e.kind() == ErrorKind.NOT_FOUND) {
                return List.of();
            }
            throw e;
        }
        List<String> ids = new ArrayList<>(rows.size());
        for (Map<String, Object> row : rows) {
            Object id = row.get("id");
            if (!(DocIds.from(idType, "id", id) instanceof DocIds.Result.Ok ok)) {
                throw new FillTableException("mapping " + mapping + ": namespace " + namespace + " holds the id " + id
                        + ", which is not a " + idType.spelling() + " id as the mapping declares, so the sweep"
                        + " cannot check it; delete such documents, or give the mapping a namespace of its own");
            }
            ids.add(ok.id().toString());
        }
        return ids;
    }
}
