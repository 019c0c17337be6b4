package ai.dgnet.server;

import ai.dgnet.models.io.ModelFileException;

import java.util.Map;

/** A request the server answers with an error status, {@code {"error": message}} and perhaps a header. */
final class RequestException extends RuntimeException {
    private static final int SHOWN = 100;
    private final int status;
    private final Map<String, String> headers;

    RequestException(int status, String message, Map<String, String> headers) {
        super(message, null, false, false);
        this.status = status;
        this.headers = Map.copyOf(headers);
    }

    RequestException(int status, String message) {
        this(status, message, Map.of());
    }

    static RequestException badRequest(String message) {
        return new RequestException(400, message);
    }

    /**
     * 413, the connection closed after the answer: the request is refused before all its body was read, and the rest
     * (of any length: a chunked body's is not known, a declared one's may be gigabytes) is not read first.
     */
    static RequestException tooLarge(String message) {
        return new RequestException(413, message, Map.of("Connection", "close"));
    }

    /** 503 with the {@code Retry-After} (seconds) that tells well-behaved clients when to come back. */
    static RequestException unavailable(String message) {
        return new RequestException(503, message, Map.of("Retry-After", "1"));
    }

    /**
     * What a client gave ({@code value}'s text), for an error message: its first {@value #SHOWN} characters and its
     * length where it is longer, so that no answer or log line echoes a client's megabytes back, and
     * {@linkplain ModelFileException#printable printable}, so that it leaves the message on one line.
     */
    static String shown(Object value) {
        String text = String.valueOf(value);
        return text.length() <= SHOWN ? ModelFileException.printable(text)
                : ModelFileException.printable(text.substring(0, SHOWN)) + "... (" + text.length() + " characters)";
    }

    int status() {
        return status;
    }

    Map<String, String> headers() {
        return headers;
    }
}
