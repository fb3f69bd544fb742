package io.puffgres.fill;

import java.io.Serializable;

/**
 * Which fill a {@link FillSource} runs: the ledger's fill id, the mapping and version whose namespace it fills, and
 * the rows per chunk. Immutable.
 *
 * @param fillId the fill's id in {@link FillLedger}; it also names the source's state (its uid), so another fill of
 *     the same mapping version starts afresh
 * @param chunkRows about how many table rows a chunk holds ({@code [fill] chunk_rows})
 * @param sweep after the rows, page through the namespace's documents and delete those without a member row (a
 *     repair; a new version that keeps the namespace of the one before)
 */
public record FillRequest(long fillId, String mapping, int version, int chunkRows, boolean sweep)
        implements Serializable {

    public FillRequest {
        if (chunkRows < 1) {
            throw new IllegalArgumentException("chunk rows must be positive, got " + chunkRows);
        }
    }
}
