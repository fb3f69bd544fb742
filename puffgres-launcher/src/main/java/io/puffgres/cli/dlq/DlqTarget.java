package io.puffgres.cli.dlq;

import io.puffgres.cli.CliException;
import io.puffgres.cli.ExitCode;
import java.util.Optional;
import java.util.OptionalLong;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The {@code ID|all [--mapping NAME]} of {@code dlq retry} and {@code dlq discard} (a picocli mixin). */
final class DlqTarget {

    @Parameters(paramLabel = "ID|all", description = "An entry's id, or all for every unresolved entry.")
    String target;

    @Option(names = "--mapping", paramLabel = "NAME", description = "With all: only the entries of this mapping.")
    String mapping;

    /**
     * The entry id, or empty for {@code all}; a usage error for anything else, or for {@code --mapping} with an id.
     */
    OptionalLong id(String verb) {
        if (target.equals("all")) {
            return OptionalLong.empty();
        }
        if (mapping != null) {
            throw new CliException(
                    ExitCode.USAGE,
                    "--mapping goes with " + verb + " all, not with an id",
                    "run puffgres dlq " + verb + " --help");
        }
        try {
            return OptionalLong.of(Long.parseLong(target));
        } catch (NumberFormatException e) {
            throw new CliException(
                    ExitCode.USAGE, verb + " takes an entry id or all, got " + target, "see puffgres dlq list");
        }
    }

    Optional<String> mapping() {
        return Optional.ofNullable(mapping);
    }

    /** {@code " for mapping NAME"} with {@code --mapping}, else empty. */
    String forMapping(String preposition) {
        return mapping == null ? "" : " " + preposition + " mapping " + mapping;
    }
}
