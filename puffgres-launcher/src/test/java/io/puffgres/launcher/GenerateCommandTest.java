package io.puffgres.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.puffgres.cli.ExitCode;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code puffgres generate} on the command line, without a database: its help, and what it needs to ask. */
class GenerateCommandTest {

    @TempDir
    Path dir;

    @Test
    void helpShowsExamples() {
        ValidateCommandTest.Result r = ValidateCommandTest.run("generate", "--help");
        assertThat(r.exitCode()).isEqualTo(ExitCode.OK);
        assertThat(r.out())
                .contains("Examples:")
                .contains("  puffgres generate --yes --table pages \\\n"
                        + "      --predicate \"status = 'published'\" --full-text title,body\n")
                .contains("      --lookup-sql 'SELECT 1 FROM paid WHERE order_id = $1'\n")
                .contains("Exit codes: 0 ok");
    }

    @Test
    void needsATerminalOrYes() {
        ValidateCommandTest.Result r = ValidateCommandTest.run("generate", "--project", dir.toString());
        assertThat(r.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(r.err()).contains("pass --yes and give the answers as flags");
    }
}
