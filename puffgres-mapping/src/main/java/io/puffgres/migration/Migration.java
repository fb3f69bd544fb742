package io.puffgres.migration;

import io.puffgres.document.AttributeSchema;
import io.puffgres.event.RelationId;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One version of one mapping, parsed from {@code puffgres/migrations/NNNN_name.toml}. Immutable.
 *
 * @param file the migration file, relative to the project directory
 * @param checksum SHA-256 (hex) of the file's bytes with CRLF line endings turned into LF; applied migrations
 *     are recorded with it, so an edit after {@code apply} is detected
 * @param transformChecksum the same of the transform's source file ({@code js}, {@code java}), recorded with the
 *     migration's; empty for {@code identity}
 */
public record Migration(
        Path file,
        int version,
        String mappingName,
        String namespace,
        List<String> columns,
        Source source,
        IdSpec id,
        Membership membership,
        TransformSpec transform,
        Map<String, AttributeSchema> tpSchema,
        WriteSettings write,
        Versioning versioning,
        String checksum,
        String transformChecksum) {

    /** What turbopuffer accepts as a namespace name. */
    public static final Pattern NAMESPACE = Pattern.compile("[A-Za-z0-9_.-]{1,128}");
    /** A mapping name: lower case, usable in operator names and uids. */
    public static final Pattern MAPPING_NAME = Pattern.compile("[a-z][a-z0-9_]{0,62}");

    public Migration {
        columns = List.copyOf(columns);
        tpSchema = Map.copyOf(tpSchema);
    }

    /**
     * The columns the mapping reads: {@code columns}, which hold the id, predicate and versioning columns too. The
     * job keeps only these in a change's rows, so the transform, the writer and the DLQ never see another column.
     */
    public Set<String> readColumns() {
        Set<String> read = new LinkedHashSet<>(columns);
        read.add(id.column());
        return read;
    }

    /** The relation whose changes drive this mapping: the table, or the view's base table for CDC. */
    public RelationId relation() {
        return source.relation();
    }
}
