package io.puffgres.testkit;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntFunction;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * JUnit 5 extension giving a test class a fresh database in the shared {@link PostgresCluster}.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final PostgresDatabase db = new PostgresDatabase();
 * }</pre>
 *
 * The database is created before the first test of the class and dropped after the last.
 */
public final class PostgresDatabase implements BeforeAllCallback, AfterAllCallback {

    private final Supplier<PostgresCluster> cluster;
    private String name;

    /** A database in the shared cluster of this JVM. */
    public PostgresDatabase() {
        this(PostgresCluster::shared);
    }

    /** A database in {@code cluster} (e.g. one {@link PostgresCluster#startWithTls()} started). */
    public PostgresDatabase(PostgresCluster cluster) {
        this(() -> cluster);
    }

    private PostgresDatabase(Supplier<PostgresCluster> cluster) {
        this.cluster = cluster;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        name = cluster.get().createDatabase(context.getRequiredTestClass().getSimpleName());
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (name != null) {
            cluster.get().dropDatabase(name);
        }
    }

    /** Name of this class's database. */
    public String name() {
        return name;
    }

    /** JDBC URL of this class's database (superuser, no password). */
    public String jdbcUrl() {
        return cluster.get().jdbcUrl(name);
    }

    /** The cluster's server log ({@link PostgresCluster#serverLog()}). */
    public Path serverLog() {
        return cluster.get().serverLog();
    }

    /** A new connection to this class's database; the caller closes it. */
    public Connection connect() throws SQLException {
        return cluster.get().connect(name);
    }

    /** Runs each statement in its own auto-committed transaction. */
    public void execute(String... statements) {
        try (Connection c = connect();
                Statement s = c.createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /** The rows of one query as column label → value ({@code getObject}), in result order. */
    public List<Map<String, Object>> query(String sql) {
        List<Map<String, Object>> rows = new ArrayList<>();
        try (Connection c = connect();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            int columns = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                Map<String, Object> row = new LinkedHashMap<>();
                for (int i = 1; i <= columns; i++) {
                    row.put(rs.getMetaData().getColumnLabel(i), rs.getObject(i));
                }
                rows.add(row);
            }
            return rows;
        } catch (SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /**
     * Runs {@code total} statements ({@code statement} of the operation's number), {@code perTransaction} to a
     * transaction, a transaction every {@code paceMs} at most; {@code done} counts the committed ones. A workload for
     * a test to run beside the code it tests, on a thread of its own.
     */
    public void pacedWorkload(
            int total, int perTransaction, long paceMs, AtomicInteger done, IntFunction<String> statement) {
        try (Connection c = connect();
                Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            while (done.get() < total) {
                for (int i = 0; i < perTransaction; i++) {
                    s.addBatch(statement.apply(done.get() + i));
                }
                long next = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(paceMs);
                s.executeBatch();
                c.commit();
                done.addAndGet(perTransaction);
                LockSupport.parkNanos(next - System.nanoTime()); // pacing the load, not waiting for anything
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
