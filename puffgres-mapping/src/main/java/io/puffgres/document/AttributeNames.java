package io.puffgres.document;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * turbopuffer's rules for attribute names (at most 128 bytes, not starting with {@code $}, not {@code id}), and the
 * name of the attribute puffgres adds to every document.
 */
public final class AttributeNames {

    /**
     * The attribute holding the WAL position of the change a document was written from: the version upserts are
     * conditioned on (unless {@code [versioning]} names a column), and what a TRUNCATE's delete and {@code dlq retry}'s
     * delete compare with.
     */
    public static final String SOURCE_LSN = "__source_lsn";

    /** turbopuffer's documented limit on attribute name length, in UTF-8 bytes. */
    public static final int MAX_BYTES = 128;

    private AttributeNames() {}

    /** Why {@code name} cannot be a turbopuffer attribute name, or empty when it can. */
    public static Optional<String> problem(String name) {
        if (name.isEmpty()) {
            return Optional.of("attribute names must not be empty");
        }
        int bytes = name.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_BYTES) {
            return Optional.of("attribute name \"" + name.substring(0, 20) + "...\" is " + bytes
                    + " bytes; turbopuffer allows at most " + MAX_BYTES);
        }
        if (name.startsWith("$")) {
            return Optional.of("attribute name \"" + name + "\" starts with '$', which turbopuffer reserves");
        }
        if (name.equals("id")) {
            return Optional.of("attribute name \"id\" is reserved for the document id");
        }
        return Optional.empty();
    }
}
