package ai.dgnet.runtime;

/**
 * A buffer refused before it was mapped, because the process could not hold it: the operation that asked for it
 * (most often preparing a network for a new input shape) fails, and what already ran is unaffected. Without the
 * refusal Linux would grant the mapping and kill the process once the memory was used.
 */
public final class InsufficientMemoryException extends RuntimeException {
    public InsufficientMemoryException(String message) {
        super(message);
    }

    /** {@code cause}'s refusal with what was being done when it came, e.g. the input shape being prepared. */
    public InsufficientMemoryException(String context, InsufficientMemoryException cause) {
        super(context + ": " + cause.getMessage(), cause);
    }
}
