package ai.dgnet.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;

/**
 * A {@code System.out} whose every write fails, as a pipe's does once its reader has gone (or a redirect's on a full
 * disk): the commands and the benchmark tools must report such an output, which {@code PrintStream} keeps to itself.
 */
public final class BrokenPipe {
    private BrokenPipe() {
    }

    /** A stream that fails every write with "Broken pipe". */
    public static PrintStream stream() {
        return new PrintStream(new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                throw new IOException("Broken pipe");
            }
        });
    }
}
