package ai.dgnet.server;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * A request body read with a limit: the first byte past it fails the request with 413 and closes the connection. A
 * chunked body declares no length, so only reading can find out that it is too large; a body that declares its length
 * has that as its limit.
 */
final class CappedInputStream extends FilterInputStream {
    private final long limit;
    private long count;

    CappedInputStream(InputStream in, long limit) {
        super(in);
        this.limit = limit;
    }

    /** The bytes the body may still have: the limit less what was read. */
    long remaining() {
        return limit - count;
    }

    /** The 413 of a body over the limit. */
    static RequestException tooLarge(long limit) {
        return RequestException.tooLarge("the request body is larger than the server's limit of " + limit + " bytes");
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
            counted(1);
        }
        return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        int n = super.read(buffer, offset, length);
        if (n > 0) {
            counted(n);
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        long skipped = super.skip(n);
        counted(skipped);
        return skipped;
    }

    /**
     * Leaves the request body open: the exchange closes it, after the handler has had the chance to read what is
     * left (see {@code ApiHandler.discardBody}).
     */
    @Override
    public void close() {
    }

    private void counted(long n) {
        count += n;
        if (count > limit) {
            throw tooLarge(limit);
        }
    }
}
