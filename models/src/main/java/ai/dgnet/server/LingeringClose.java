package ai.dgnet.server;

import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The end of a connection whose answer came before the client had sent all of its request body (a 413): after the
 * answer, the handler's thread reads and drops what the client still sends, for at most {@link #TIME} and
 * {@link #BYTES}, before the connection closes. Closed with bytes unread, a connection answers the client's next
 * bytes with a reset, which fails its writes and may discard the answer it has not read yet: a client that sends all
 * of a request before it reads the answer, as many do, saw a reset instead of its 413.
 *
 * <p>The JDK's server offers no way to shut the connection's output down first, so the client learns that the answer
 * is whole from its {@code Content-Length}, and that the connection closes from {@code Connection: close}.
 */
final class LingeringClose implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(LingeringClose.class.getName());
    /** How long a client may go on sending: a slow one's answer is out, and it holds no more than a thread meanwhile. */
    static final Duration TIME = Duration.ofSeconds(2);
    /** The most read and dropped: the rest of a body of a few megabytes, sent before its client reads the answer. */
    static final long BYTES = 4 << 20;

    private final Thread thread = Thread.currentThread();
    /** Guarded by this: whether {@link #close} has come, and whether the time ran out before it. */
    private boolean closed;
    private boolean expired;

    private LingeringClose() {
    }

    /**
     * Starts the time on the current thread, which must close it: once {@link #TIME} has passed, the thread is
     * interrupted, and a read blocked on the connection (the JDK's server reads from a blocking channel, with no
     * timeout of its own) ends with the connection closed, as an interrupted channel closes.
     */
    static LingeringClose start() {
        LingeringClose linger = new LingeringClose();
        CompletableFuture.delayedExecutor(TIME.toNanos(), TimeUnit.NANOSECONDS).execute(linger::expire);
        return linger;
    }

    /** Reads and drops the rest of {@code body}, at most {@link #BYTES} of it, until its end or the time's. */
    void discard(InputStream body) {
        byte[] buffer = new byte[8192];
        long left = BYTES;
        try {
            int n;
            while (left > 0 && (n = body.read(buffer, 0, (int) Math.min(buffer.length, left))) >= 0) {
                left -= n;
            }
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "the rest of a refused request body was not read: " + e);
        }
    }

    private synchronized void expire() {
        if (!closed) {
            expired = true;
            thread.interrupt();
        }
    }

    /** Stops the time; an interrupt it made is cleared, so that it reaches nothing the thread does next. */
    @Override
    public synchronized void close() {
        closed = true;
        if (expired) {
            Thread.interrupted();
        }
    }
}
