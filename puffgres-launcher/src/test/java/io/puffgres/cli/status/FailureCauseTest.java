package io.puffgres.cli.status;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.sql.SQLException;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

class FailureCauseTest {

    /** Stands for puffgres's own exceptions: its class name starts with io.puffgres. */
    static final class MappingFailure extends RuntimeException {
        MappingFailure(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private static String printed(Throwable t) {
        StringWriter text = new StringWriter();
        t.printStackTrace(new PrintWriter(text, true));
        return text.toString();
    }

    @Test
    void namesPuffgresOwnMessageUnderFlinksWrappers() {
        Throwable failure = new ExecutionException(new RuntimeException(
                "org.apache.flink.runtime.JobException: Recovery is suppressed by NoRestartBackoffTimeStrategy",
                new MappingFailure(
                        "--strict: stopped at a change that could not be applied (pages v1 id 3)",
                        new IllegalStateException("t.js:2:43: Error: no booms please"))));
        assertThat(FailureCause.of(failure))
                .isEqualTo("--strict: stopped at a change that could not be applied (pages v1 id 3)");
        assertThat(FailureCause.oneLine(printed(failure)))
                .isEqualTo("--strict: stopped at a change that could not be applied (pages v1 id 3)");
    }

    @Test
    void namesTheInnermostCauseWhenNoneIsPuffgresOwn() {
        Throwable failure = new RuntimeException(
                "org.apache.flink.util.FlinkRuntimeException: Failed to start the source",
                new IllegalStateException(
                        "connection failed", new SQLException("FATAL: role \"puff\" is not permitted to log in")));
        failure.addSuppressed(new IllegalArgumentException("suppressed, not a cause"));
        assertThat(FailureCause.of(failure)).isEqualTo("FATAL: role \"puff\" is not permitted to log in");
        assertThat(FailureCause.oneLine(printed(failure))).isEqualTo("FATAL: role \"puff\" is not permitted to log in");
    }

    @Test
    void keepsAMessageOfSeveralLinesWholeButPrintsItsFirstLineInOneLine() {
        Throwable failure = new RuntimeException(
                "wrapper", new SQLException("ERROR: replication slot \"s\" does not exist\n  Where: walsender"));
        assertThat(FailureCause.of(failure))
                .isEqualTo("ERROR: replication slot \"s\" does not exist\n  Where: walsender");
        assertThat(FailureCause.chain(printed(failure)))
                .extracting(FailureCause.Link::message)
                .containsExactly("wrapper", "ERROR: replication slot \"s\" does not exist\n  Where: walsender");
        assertThat(FailureCause.oneLine(printed(failure))).isEqualTo("ERROR: replication slot \"s\" does not exist");
    }

    @Test
    void namesTheClassOfACauseWithoutMessage() {
        Throwable failure = new RuntimeException("wrapper", new NullPointerException());
        assertThat(FailureCause.of(failure)).isEqualTo("java.lang.NullPointerException");
        assertThat(FailureCause.oneLine(printed(failure))).isEqualTo("java.lang.NullPointerException");
    }

    @Test
    void anEmptyTraceIsUnknown() {
        assertThat(FailureCause.oneLine("")).isEqualTo("unknown");
        assertThat(FailureCause.oneLine(null)).isEqualTo("unknown");
    }
}
