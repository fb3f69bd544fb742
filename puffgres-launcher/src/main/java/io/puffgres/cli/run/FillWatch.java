package io.puffgres.cli.run;

import io.puffgres.cli.FillLines;
import io.puffgres.cli.PostgresAccess;
import io.puffgres.fill.FillLedger;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Follows the fills of a {@code puffgres backfill} run in the fills ledger: a progress bar per fill (rows done of the
 * table's estimate, rate, ETA; plain lines when the output is no terminal), and once every fill is done, {@code
 * whenDone} (which stops the job with a savepoint). Reads the ledger every {@link #EVERY} on a thread of its own.
 */
final class FillWatch implements AutoCloseable {

    static final Duration EVERY = Duration.ofSeconds(1);

    /** Plain lines come this often when the output is no terminal. */
    private static final Duration PLAIN_EVERY = Duration.ofSeconds(10);

    private final FillLedger ledger;
    private final PostgresAccess postgres;
    private final List<Long> fills;
    private final PrintWriter out;
    private final boolean terminal;
    private final Runnable whenDone;
    private final Map<Long, ProgressBar> bars = new LinkedHashMap<>();
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "fill-watch");
        t.setDaemon(true);
        return t;
    });
    private Connection connection;
    private boolean done;
    private String lastError;

    private FillWatch(
            FillLedger ledger,
            PostgresAccess postgres,
            List<Long> fills,
            PrintWriter out,
            boolean terminal,
            Runnable whenDone) {
        this.ledger = ledger;
        this.postgres = postgres;
        this.fills = List.copyOf(fills);
        this.out = out;
        this.terminal = terminal;
        this.whenDone = whenDone;
    }

    /** Starts following {@code fills} (ledger ids); {@code whenDone} runs once, when every one is done. */
    static FillWatch start(
            FillLedger ledger,
            PostgresAccess postgres,
            List<Long> fills,
            PrintWriter out,
            boolean terminal,
            Runnable whenDone) {
        FillWatch watch = new FillWatch(ledger, postgres, fills, out, terminal, whenDone);
        watch.thread.scheduleWithFixedDelay(watch::poll, 0, EVERY.toMillis(), TimeUnit.MILLISECONDS);
        return watch;
    }

    private void poll() {
        if (done) {
            return;
        }
        try {
            if (connection == null) {
                connection = postgres.open();
            }
            boolean all = true;
            for (long id : fills) {
                Optional<FillLedger.Fill> fill = ledger.get(connection, id);
                if (fill.isEmpty()) {
                    continue; // not ours to wait for: removed from the ledger by hand
                }
                show(fill.get());
                all &= fill.get().state() == FillLedger.State.DONE;
            }
            lastError = null;
            if (all) {
                done = true;
                bars.values().forEach(ProgressBar::close);
                out.println("every fill is done");
                out.flush();
                whenDone.run();
            }
        } catch (SQLException e) {
            String message = "cannot read the fills ledger: " + e.getMessage();
            if (!message.equals(lastError)) {
                out.println(message + " (the fill goes on; trying again)");
                out.flush();
                lastError = message;
            }
            close(connection);
            connection = null;
        }
    }

    private void show(FillLedger.Fill fill) {
        ProgressBar bar = bars.computeIfAbsent(fill.id(), id -> bar(fill));
        if (fill.rowsEstimate() > 0) {
            bar.maxHint(Math.max(fill.rowsEstimate(), fill.rowsDone()));
        }
        bar.stepTo(fill.rowsDone());
        bar.setExtraMessage(
                fill.state() == FillLedger.State.FAILED
                        ? "failed, retrying: " + fill.error().orElse("")
                        : fill.state().word());
    }

    private ProgressBar bar(FillLedger.Fill fill) {
        ProgressBarBuilder b = new ProgressBarBuilder()
                .setTaskName(fill.mapping() + " v" + fill.version() + " -> " + fill.namespace() + " ("
                        + FillLines.reason(fill.reason()) + ")")
                .setInitialMax(-1)
                .setUnit(" rows", 1)
                .showSpeed()
                .setStyle(ProgressBarStyle.ASCII);
        if (!terminal) {
            b.setConsumer(new DelegatingProgressBarConsumer(line -> {
                        out.println(line);
                        out.flush();
                    }))
                    .setUpdateIntervalMillis((int) PLAIN_EVERY.toMillis());
        } else {
            b.setUpdateIntervalMillis(500);
        }
        return b.build();
    }

    @Override
    public void close() {
        thread.shutdownNow();
        try {
            thread.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!done) {
            bars.values().forEach(ProgressBar::close);
        }
        close(connection);
    }

    private static void close(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException e) {
                // the watch is over
            }
        }
    }
}
