package ai.dgnet.cli;

import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;

import java.io.Console;
import java.io.PrintWriter;

/**
 * A progress bar on the terminal's last line with the command's lines scrolling above it; where the output is no
 * terminal (a file, a pipe, a test) there is no bar and the lines are printed as they are.
 *
 * <p>The bar is drawn on standard output, not standard error, because the {@code dgnet} launcher passes standard
 * error through a line filter, which would hold back a bar that redraws its line without ending it.
 */
final class ProgressLine implements AutoCloseable {
    private final PrintWriter terminal;
    private final ProgressBar bar;
    private String drawn = "";
    /** The bar's line was cleared for a line on another stream, which has yet to reach the terminal: see println. */
    private boolean held;
    private boolean closing;

    /** A bar counting to {@code total} when {@code wanted} and the output is a terminal; otherwise none. */
    static ProgressLine of(PrintWriter out, String task, long total, boolean wanted) {
        Console console = System.console();
        return new ProgressLine(out, task, total, wanted && console != null && console.isTerminal());
    }

    /**
     * A bar counting to {@code total} on {@code terminal}, whatever that is, when {@code drawn}; otherwise none. The bar
     * is as wide as the terminal the library finds (80 columns where it finds none): a wider one would wrap, and a
     * redraw, which returns to the start of its last line only, would leave the others behind.
     */
    ProgressLine(PrintWriter terminal, String task, long total, boolean drawn) {
        this.terminal = terminal;
        this.bar = drawn
                ? new ProgressBarBuilder().setTaskName(task).setInitialMax(total)
                .setConsumer(new DelegatingProgressBarConsumer(this::draw)).build()
                : null;
    }

    private synchronized void draw(String rendered) {
        if (closing) {
            return;
        }
        held = false;
        drawn = rendered;
        terminal.print("\r" + rendered);
        terminal.flush();
    }

    /**
     * Prints {@code line} on {@code stream} above the bar. The bar is drawn again at once only when the line went to
     * the terminal's own stream: the launcher passes standard error through a pipe, so a line on it reaches the
     * terminal later, and would land after a bar drawn again now, on its line; the library's next update, up to a
     * second later, draws it below.
     */
    synchronized void println(PrintWriter stream, String line) {
        clear();
        stream.println(line);
        stream.flush();
        if (bar != null) {
            held = stream != terminal;
            if (!held) {
                terminal.print(drawn);
                terminal.flush();
            }
        }
    }

    /**
     * Counts {@code done} more, drawn at once: the library alone draws once a second, so the bar of a run shorter
     * than that would stay at its start while the lines above it are printed.
     */
    void step(long done) {
        if (bar != null) {
            bar.stepBy(done);
            synchronized (this) {
                if (!held) {
                    bar.refresh();
                }
            }
        }
    }

    private void clear() {
        if (bar != null) {
            // Carriage return, then ANSI "erase line" (the bar itself is drawn with ANSI colours).
            terminal.print("\r\033[K");
            terminal.flush();
        }
    }

    /**
     * Erases the bar without the library's last drawing of it: a line on another stream may still be on its way, and
     * would land on that bar's line.
     */
    @Override
    public void close() {
        if (bar != null) {
            synchronized (this) {
                closing = true;
            }
            bar.close();
            synchronized (this) {
                clear();
            }
        }
    }
}
