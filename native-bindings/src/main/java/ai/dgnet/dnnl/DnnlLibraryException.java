package ai.dgnet.dnnl;

import java.io.Serial;

/**
 * oneDNN could not be found, copied, loaded or used: the message says what went wrong and what to do about it.
 * Thrown by {@link DnnlLibrary}; never a crash of the JVM.
 */
public final class DnnlLibraryException extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    DnnlLibraryException(String message) {
        super(message);
    }

    DnnlLibraryException(String message, Throwable cause) {
        super(message, cause);
    }
}
