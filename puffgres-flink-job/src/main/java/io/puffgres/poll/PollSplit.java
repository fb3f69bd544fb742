package io.puffgres.poll;

import io.puffgres.event.RowEvent;
import org.apache.flink.api.connector.source.SourceSplit;

/**
 * The poll source's one split: the job's replication slot and how far its changes are emitted.
 *
 * @param slot the job's slot
 * @param position a WAL position every transaction committed before which is emitted, so the slot may be moved there
 *     once a checkpoint holding this split completes; 0: none yet (the slot's confirmed position)
 */
public record PollSplit(String slot, long position) implements SourceSplit {

    @Override
    public String splitId() {
        return "slot " + slot;
    }

    PollSplit at(long newPosition) {
        return new PollSplit(slot, newPosition);
    }

    @Override
    public String toString() {
        return "PollSplit[" + slot + " at " + RowEvent.lsnText(position) + "]";
    }
}
