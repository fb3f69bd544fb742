package io.puffgres.migration;

import java.util.Optional;

/**
 * Anti-regression ({@code [versioning]}): which value makes a newer write win. {@code source_lsn} (default)
 * writes {@code __source_lsn}; {@code column} uses a Postgres column such as {@code updated_at}.
 */
public record Versioning(Mode mode, Optional<String> column) {

    public enum Mode {
        SOURCE_LSN,
        COLUMN
    }

    public static Versioning sourceLsn() {
        return new Versioning(Mode.SOURCE_LSN, Optional.empty());
    }
}
