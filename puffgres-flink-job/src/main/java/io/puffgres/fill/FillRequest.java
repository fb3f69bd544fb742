package io.puffgres.fill;

import java.io.Serializable;

/**
 * Which fill a {@link FillSource} runs: the ledger's fill id, the mapping and version whose namespace it fills, and
 * the rows per chunk. Immutable.
 *
 * @param fillId the fill's id in {@link FillLedger}; it also names the source's state (its uid), so another fill of
 *     the same mapping version starts afresh
 * @param chunkRows about how many table rows a chunk holds ({@code [fill] chunk_rows})
 */
public record FillRequest(long fillId, String mapping, int version, int chunkRows) implements Serializable {

    public FillRequest {
        if (chunkRows < 1) {
            throw new IllegalArgumentException("chunk rows must be positive, got " + chunkRows);
        }
    }
}
