package io.puffgres.job;

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
 * job is one task: see {@link PuffgresJob#keyById}); Flink's default for an operator of its own is a task's head.
 */
public abstract class DrainingOperator<IN, OUT> extends AbstractStreamOperator<OUT>
        implements OneInputStreamOperator<IN, OUT>, BoundedOneInput {

    private static final long serialVersionUID = 1L;

    /** The task thread's mailbox as this operator sees it: a yield runs its mails and those of operators after it. */
    protected transient MailboxExecutor mailbox;

    protected DrainingOperator() {
        setChainingStrategy(ChainingStrategy.ALWAYS);
    }

    @Override
    public void setMailboxExecutor(MailboxExecutor mailboxExecutor) {
        super.setMailboxExecutor(mailboxExecutor);
        this.mailbox = mailboxExecutor;
    }

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
}
