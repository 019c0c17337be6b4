package ai.dgnet.models.io;

import java.nio.file.Path;

/**
 * A model or tensor file whose content is wrong: malformed, truncated, inconsistent, or not
 * what the caller required. The message is one line that names the file and the tensor or
 * field at fault, fit to print as is (the {@code dgnet} command does exactly that).
 *
 * <p>Unchecked on purpose: an I/O failure (a missing file, a full disk) stays an
 * {@link java.io.IOException}, but a bad file is bad data, and it is mostly found by checks
 * such as {@link SafeTensors#requireShape} that run inside loops and lambdas over many
 * tensors, where a checked exception only adds wrapping. The command line catches it once,
 * at the top.
 */
public final class ModelFileException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ModelFileException(String message) {
        super(message);
    }

    public ModelFileException(String message, Throwable cause) {
        super(message, cause);
    }

    /** A problem with the file as a whole: {@code "FILE: PROBLEM"}. */
    public static ModelFileException of(Path file, String problem) {
        return new ModelFileException(file + ": " + problem);
    }

    /** A problem with one tensor: {@code "FILE: tensor 'NAME': PROBLEM"}. */
    public static ModelFileException of(Path file, String tensor, String problem) {
        return new ModelFileException(file + ": tensor " + quote(tensor) + ": " + problem);
    }

    /** Puts a name from a file in single quotes, {@linkplain #printable printable}. */
    public static String quote(String name) {
        return "'" + printable(name) + "'";
    }

    /**
     * {@code text} with its control characters and line separators written as unicode escapes: a name from a file or
     * a request (a JSON key may hold a newline) must leave a message on one line.
     */
    public static String printable(String text) {
        StringBuilder out = new StringBuilder(text.length());
        text.codePoints().forEach(c -> {
            if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
                out.append(String.format("\\u%04x", c));
            } else {
                out.appendCodePoint(c);
            }
        });
        return out.toString();
    }
}
