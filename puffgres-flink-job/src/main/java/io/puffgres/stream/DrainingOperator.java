package io.puffgres.stream;

import io.puffgres.config.ProjectConfig;
import org.apache.flink.api.common.operators.MailboxExecutor;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.ChainingStrategy;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;

/**
 * An operator of the job whose work in flight (lookups, writes) completes on the task thread, through its {@link
 * #mailbox}, and all of it before a checkpoint barrier passes and at the end of input: nothing in flight is ever
 * part of a checkpoint, so a completed checkpoint (and the slot position it confirms) never covers a change not yet
 * handled. It joins the task of the operator before it wherever the connection allows (at parallelism 1 the whole
 * job is one task: see {@code PuffgresJob.keyById}); Flink's default for an operator of its own is a task's head.
 *
 * <p>Its work in flight is watched for stalls ({@link StallWatch}): the operator says what is pending ({@link
 * #pendingWork}) and calls {@link StallWatch#progressed} on {@link #stallWatch} when some of it completes; the
 * gauge {@value #STALLED_MS} shows a stall while it lasts.
 */
public abstract class DrainingOperator<IN, OUT> extends AbstractStreamOperator<OUT>
        implements OneInputStreamOperator<IN, OUT>, BoundedOneInput {

    private static final long serialVersionUID = 1L;

    /** The task thread's mailbox as this operator sees it: a yield runs its mails and those of operators after it. */
    protected transient MailboxExecutor mailbox;

    /** The gauge of how long the operator has been stalled (0: not stalled). */
    public static final String STALLED_MS = "stalledMs";

    /** Watches the work in flight; started by {@link #watchStalls}. */
    protected transient StallWatch stallWatch;

    protected DrainingOperator() {
        setChainingStrategy(ChainingStrategy.ALWAYS);
    }

    @Override
    public void setMailboxExecutor(MailboxExecutor mailboxExecutor) {
        super.setMailboxExecutor(mailboxExecutor);
        this.mailbox = mailboxExecutor;
    }

    /**
     * Starts the stall watch; subclasses call it from {@code open()}, on the task thread.
     *
     * @param helperThreadPrefix the name prefix of the operator's own threads a stall report shows; may be null
     */
    protected void watchStalls(ProjectConfig.Flink flink, String helperThreadPrefix) {
        stallWatch = new StallWatch(
                        getOperatorConfig().getOperatorName() + " ("
                                + (getRuntimeContext().getTaskInfo().getIndexOfThisSubtask() + 1) + "/"
                                + getRuntimeContext().getTaskInfo().getNumberOfParallelSubtasks() + ")",
                        this::pendingWork,
                        flink.stallAfterMs(),
                        flink.stallTimeoutMs(),
                        Thread.currentThread(),
                        helperThreadPrefix,
                        getContainingTask().getEnvironment()::failExternally,
                        System::currentTimeMillis)
                .start();
        getMetricGroup().gauge(STALLED_MS, stallWatch::stalledMillis);
    }

    /**
     * The work in flight in words ("3 lookups running, 256 changes waiting behind them"), or null when there is none.
     * Called from the stall watch's thread: reads volatile fields only.
     */
    protected abstract String pendingWork();

    /** Completes all work in flight, yielding to the {@link #mailbox} while it waits. */
    protected abstract void drain() throws Exception;

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        drain();
        super.prepareSnapshotPreBarrier(checkpointId);
    }

    @Override
    public void endInput() throws Exception {
        drain();
    }

    @Override
    public void close() throws Exception {
        try {
            if (stallWatch != null) {
                stallWatch.close();
            }
        } finally {
            super.close();
        }
    }
}
