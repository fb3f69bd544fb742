package io.puffgres.poll;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;

/**
 * Gives the one {@link PollSplit} to reader 0 (the others stay idle, as Flink CDC's stream split does); a split that
 * comes back from a failed reader before a checkpoint holds it goes out again when that reader registers.
 */
final class PollEnumerator implements SplitEnumerator<PollSplit, Boolean> {

    private final SplitEnumeratorContext<PollSplit> context;
    /** The split not out with a reader: the fresh one, or one handed back. */
    private final List<PollSplit> unassigned = new ArrayList<>();

    PollEnumerator(SplitEnumeratorContext<PollSplit> context, String slot, boolean assigned) {
        this.context = context;
        if (!assigned) {
            unassigned.add(new PollSplit(slot, 0));
        }
    }

    @Override
    public void start() {}

    @Override
    public void handleSplitRequest(int subtaskId, String requesterHostname) {}

    @Override
    public void addSplitsBack(List<PollSplit> splits, int subtaskId) {
        unassigned.addAll(splits);
        if (context.registeredReaders().containsKey(0)) {
            assign();
        }
    }

    @Override
    public void addReader(int subtaskId) {
        if (subtaskId == 0) {
            assign();
        }
    }

    private void assign() {
        for (PollSplit split : unassigned) {
            context.assignSplit(split, 0);
        }
        unassigned.clear();
    }

    @Override
    public Boolean snapshotState(long checkpointId) {
        return unassigned.isEmpty();
    }

    @Override
    public void close() {}
}
