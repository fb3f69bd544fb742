package io.puffgres.pipeline;

import io.puffgres.client.ErrorKind;
import io.puffgres.client.TurbopufferException;
import io.puffgres.transform.FailureKind;
import java.util.EnumMap;
import java.util.Map;

/**
 * The one table from a failed turbopuffer write to what puffgres does about it, for the stream's writer and {@code
 * puffgres dlq retry}. Transient errors (connection, timeout, 408, 409, 429, 5xx) are retried by the client first,
 * without limit unless {@code [turbopuffer] max_retries} is set: reaching this table, they ran out. A failure of one
 * change inside the pipeline ({@link Failure}) always goes to the DLQ (the job stops there with {@code --strict}).
 *
 * <table>
 *   <caption>error kind → response</caption>
 *   <tr><th>turbopuffer's answer</th><th>response</th><th>hint</th></tr>
 *   <tr><td>transient, retries ran out</td><td>{@link Response#RESTART}</td><td>{@code [turbopuffer]
 *       max_retries}</td></tr>
 *   <tr><td>401, 403</td><td>{@link Response#STOP}</td><td>in the client's message: the API key's env var</td></tr>
 *   <tr><td>400, 413, 422, other 4xx</td><td>{@link Response#DLQ}</td><td></td></tr>
 *   <tr><td>404</td><td>{@link Response#DLQ}</td><td></td></tr>
 * </table>
 */
public final class FailurePolicy {

    /** What to do about a failed write. */
    public enum Response {
        /**
         * The request is wrong: the writer splits it until the bad rows are alone and sends those to the DLQ ({@link
         * FailureKind#REJECTED}); a retry records it as the entry's new error.
         */
        DLQ,
        /** Not the rows' fault: fail the job, which Flink restarts from its last checkpoint (a retry command fails). */
        RESTART,
        /** Configuration: stop the job without restarts (a retry command fails), with the hint. */
        STOP
    }

    /** A row of the table: the response and the operator-facing hint, empty when the message says it all. */
    public record Rule(Response response, String hint) {

        /** {@code message} with the hint, as the failure's message shows it. */
        public String explain(String message) {
            return hint.isEmpty() ? message : message + " (hint: " + hint + ")";
        }
    }

    private static final Map<ErrorKind, Rule> TABLE = new EnumMap<>(Map.of(
            ErrorKind.TRANSIENT, new Rule(Response.RESTART, "[turbopuffer] max_retries"),
            ErrorKind.AUTH, new Rule(Response.STOP, ""),
            ErrorKind.PERMANENT, new Rule(Response.DLQ, ""),
            ErrorKind.NOT_FOUND, new Rule(Response.DLQ, "")));

    private FailurePolicy() {}

    /** The rule for a write that failed with {@code kind}. */
    public static Rule of(ErrorKind kind) {
        return TABLE.get(kind);
    }

    /** The DLQ's record of a write of {@code docId} that turbopuffer rejected ({@link Response#DLQ}). */
    public static Failure rejected(String docId, TurbopufferException e) {
        return new Failure(
                FailureKind.REJECTED, docId, "turbopuffer rejected the write: " + e.serverMessage(), e.getMessage());
    }
}
