package io.puffgres.transform;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.graalvm.polyglot.Context;

/**
 * Watches running JS transform calls from one daemon thread and interrupts a call that runs longer than its
 * time limit or allocates more than its allocation limit. Allocation is the calling thread's allocated bytes
 * during the call (HotSpot's per-thread counter), which bounds what one call can take from the heap; it is not
 * a live-heap measurement, and a call is stopped within one poll interval of crossing the line.
 */
final class CallWatchdog {

    /** How often running calls are checked; bounds how far past a limit a call can get. */
    static final Duration POLL = Duration.ofMillis(5);

    private static final CallWatchdog INSTANCE = new CallWatchdog();

    private final Set<Call> active = ConcurrentHashMap.newKeySet();
    private final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private final ExecutorService interrupter = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "puffgres-js-interrupt");
        t.setDaemon(true);
        return t;
    });

    private CallWatchdog() {
        Thread t = new Thread(this::loop, "puffgres-js-watchdog");
        t.setDaemon(true);
        t.start();
    }

    static CallWatchdog get() {
        return INSTANCE;
    }

    /** One watched call; {@link #tripped()} says why it was interrupted, if it was. */
    final class Call implements AutoCloseable {
        private final Context context;
        private final long threadId;
        private final long deadline;
        private final long allocationStart;
        private final long maxAllocation;
        private final AtomicReference<String> tripped = new AtomicReference<>();

        private Call(Context context, Duration timeout, long maxAllocation) {
            this.context = context;
            this.threadId = Thread.currentThread().getId();
            this.deadline = System.nanoTime() + timeout.toNanos();
            this.allocationStart = threads.getThreadAllocatedBytes(threadId);
            this.maxAllocation = maxAllocation;
        }

        /** Bytes the calling thread allocated since the call started; call it on that thread. */
        long allocated() {
            return threads.getThreadAllocatedBytes(threadId) - allocationStart;
        }

        /** {@code timeout} or {@code memory} when the watchdog interrupted the call, else null. */
        String tripped() {
            return tripped.get();
        }

        @Override
        public void close() {
            active.remove(this);
        }
    }

    /** Starts watching a call about to run on the current thread in {@code context}. */
    Call watch(Context context, Duration timeout, long maxAllocation) {
        Call call = new Call(context, timeout, maxAllocation);
        active.add(call);
        return call;
    }

    private void loop() {
        while (true) {
            try {
                Thread.sleep(POLL.toMillis());
            } catch (InterruptedException e) {
                return;
            }
            long now = System.nanoTime();
            for (Call call : active) {
                if (now > call.deadline) {
                    trip(call, "timeout");
                } else if (threads.getThreadAllocatedBytes(call.threadId) - call.allocationStart > call.maxAllocation) {
                    trip(call, "memory");
                }
            }
        }
    }

    private void trip(Call call, String reason) {
        if (call.tripped.compareAndSet(null, reason)) {
            interrupter.execute(() -> {
                try {
                    call.context.interrupt(Duration.ofSeconds(10));
                } catch (TimeoutException | RuntimeException e) {
                    // the call ended by itself meanwhile, or the context was closed: nothing left to stop
                }
            });
        }
    }
}
