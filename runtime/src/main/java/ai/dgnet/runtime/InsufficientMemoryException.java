package ai.dgnet.runtime;

/**
 * A buffer refused before it was mapped, because the process could not hold it: the operation that asked for it
 * (most often preparing a network for a new input shape) fails, and what already ran is unaffected. Without the
 * refusal Linux would grant the mapping and kill the process once the memory was used.
 */
public final class InsufficientMemoryException extends RuntimeException {
    private final boolean freeingHelps;

    /**
     * @param freeingHelps whether the buffer could fit once the process freed buffers it holds (a session closing
     *                     the networks of other input shapes, say); false where it could not even then
     */
    public InsufficientMemoryException(String message, boolean freeingHelps) {
        super(message);
        this.freeingHelps = freeingHelps;
    }

    /** {@code cause}'s refusal with what was being done when it came, e.g. the input shape being prepared. */
    public InsufficientMemoryException(String context, InsufficientMemoryException cause) {
        super(context + ": " + cause.getMessage(), cause);
        this.freeingHelps = cause.freeingHelps;
    }

    /**
     * Whether the buffer could fit once the process freed buffers it holds: worth closing what can be rebuilt, then
     * trying again. False where it and the buffers mapped but not touched yet (the rest of what is being prepared)
     * are larger than the memory available and every resident buffer of the process together.
     */
    public boolean freeingHelps() {
        return freeingHelps;
    }
}
