package io.puffgres.bench;

import java.util.function.IntSupplier;

/** Runs an operation in timed rounds after a warm-up and reports the best and median rate. */
final class BenchLoop {

    /** Rounds long enough to smooth out GC pauses and timer granularity. */
    static final long ROUND_NANOS = 1_000_000_000L;

    record Rate(double best, double median) {}

    private BenchLoop() {}

    /**
     * @param op runs one operation and returns something derived from its result (kept so the JIT cannot drop it)
     */
    static Rate measure(String name, int warmupRounds, int rounds, IntSupplier op) {
        return measure(name, warmupRounds, rounds, 1000, op);
    }

    /** As above, checking the clock every {@code batch} operations (1 for slow operations). */
    static Rate measure(String name, int warmupRounds, int rounds, int batch, IntSupplier op) {
        long sink = 0;
        double[] rates = new double[rounds];
        for (int r = -warmupRounds; r < rounds; r++) {
            long n = 0;
            long start = System.nanoTime();
            long end;
            do {
                for (int i = 0; i < batch; i++) {
                    sink += op.getAsInt();
                }
                n += batch;
                end = System.nanoTime();
            } while (end - start < ROUND_NANOS);
            double rate = n * 1e9 / (end - start);
            if (r >= 0) {
                rates[r] = rate;
            }
            System.out.printf("  %s %s: %,.0f ops/s%n", name, r < 0 ? "warm-up" : "round " + (r + 1), rate);
        }
        java.util.Arrays.sort(rates);
        if (sink == 42) {
            System.out.println();
        }
        return new Rate(rates[rates.length - 1], rates[rates.length / 2]);
    }
}
