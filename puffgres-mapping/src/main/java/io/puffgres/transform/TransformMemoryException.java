package io.puffgres.transform;

/**
 * A transform whose context keeps more memory between calls than its limit, or that found the heap exhausted. Not a
 * row's error (every later row would fail the same way, and the heap is shared by every mapping): it is thrown, not
 * returned as {@link Action.Error}, so the job's task fails and restarts with a fresh context instead of sending
 * rows to the DLQ. The message names the file; callers add the mapping.
 */
public final class TransformMemoryException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public TransformMemoryException(String message) {
        super(message);
    }
}
