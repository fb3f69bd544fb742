package io.puffgres.preflight;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/**
 * Whether a lookup query ({@code membership.sql}) plans, with {@code $1} typed as the id column, as the job runs it for
 * each change: syntax, relations, columns and operator types. Prepares a statement and deallocates it; privileges are
 * checked only when a query runs, so this does not see them.
 */
public final class LookupPlan {

    /** Why a lookup query does not plan, with its 1-based position in the query when Postgres gives one. */
    public record Problem(String message, int position) {}

    // a prepared check gets a name no user statement has, and is deallocated at once
    private static final String CHECK_STATEMENT = "puffgres_lookup_check";

    private LookupPlan() {}

    /**
     * @param idSqlType the id column's type as Postgres prints it ({@code bigint}, {@code character varying(20)})
     * @return the problem when Postgres rejects the query
     * @throws SQLException when the connection fails (not when the query is wrong)
     */
    public static Optional<Problem> check(Connection c, String sql, String idSqlType) throws SQLException {
        String prefix = "PREPARE " + CHECK_STATEMENT + "(" + idSqlType + ") AS ";
        try (Statement s = c.createStatement()) {
            s.execute(prefix + sql);
            s.execute("DEALLOCATE " + CHECK_STATEMENT);
            return Optional.empty();
        } catch (PSQLException e) {
            ServerErrorMessage server = e.getServerErrorMessage();
            if (server == null) {
                throw e;
            }
            int position = server.getPosition() > prefix.length() ? server.getPosition() - prefix.length() : 0;
            return Optional.of(new Problem(server.getMessage(), position));
        }
    }
}
