package ai.dgnet.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Lines printed above a progress bar land on lines of their own on the terminal. */
class ProgressLineTest {
    /** ANSI: carriage return, then erase the line. */
    private static final String CLEARED = "\r\033[K";

    @Test
    void aLineOnAnotherStreamFindsTheBarsLineCleared() throws InterruptedException {
        StringWriter screen = new StringWriter();
        StringWriter errors = new StringWriter();
        try (ProgressLine progress = new ProgressLine(new PrintWriter(screen, true), "predict", 3, true)) {
            String bar = awaitBar(screen);
            // Standard error reaches the terminal through the launcher's pipe, after whatever is drawn meanwhile:
            // a bar drawn again now would be the start of the error's line.
            progress.println(new PrintWriter(errors, true), "dgnet predict: notes.png: not a JPEG or PNG image");
            assertEquals(bar + CLEARED, screen.toString());
            assertEquals("dgnet predict: notes.png: not a JPEG or PNG image" + System.lineSeparator(),
                    errors.toString());
        }
    }

    @Test
    void aLineOnTheTerminalHasTheBarDrawnBelowIt() throws InterruptedException {
        StringWriter screen = new StringWriter();
        PrintWriter terminal = new PrintWriter(screen, true);
        try (ProgressLine progress = new ProgressLine(terminal, "predict", 3, true)) {
            String bar = awaitBar(screen);
            progress.println(terminal, "photos/a.png");
            String drawn = bar.substring(bar.lastIndexOf('\r') + 1);
            assertEquals(bar + CLEARED + "photos/a.png" + System.lineSeparator() + drawn, screen.toString());
        }
    }

    @Test
    void aStepDrawsTheBarAtOnceCountingTheLineAboveIt() throws InterruptedException {
        StringWriter screen = new StringWriter();
        PrintWriter terminal = new PrintWriter(screen, true);
        try (ProgressLine progress = new ProgressLine(terminal, "predict", 3, true)) {
            awaitBar(screen);
            progress.println(terminal, "photos/a.png");
            progress.step(1);
            // Not a second later, when the library would draw it next: by then the lines of a fast run are all out.
            String shown = screen.toString().substring(screen.toString().lastIndexOf('\r') + 1);
            assertTrue(shown.startsWith("predict") && shown.contains(" 1/3 "), shown);
        }
    }

    @Test
    void aLineOnAnotherStreamIsNotOverdrawnByTheStepOrTheCloseAfterIt() throws InterruptedException {
        StringWriter screen = new StringWriter();
        ProgressLine progress = new ProgressLine(new PrintWriter(screen, true), "predict", 1, true);
        String bar = awaitBar(screen);
        progress.println(new PrintWriter(new StringWriter(), true),
                "dgnet predict: notes.png: not a JPEG or PNG image");
        progress.step(1);
        progress.close();
        // The line reaches the terminal after whatever is drawn meanwhile: a bar drawn now would have it on its line.
        assertEquals(bar + CLEARED + CLEARED, screen.toString());
    }

    /**
     * The bar is as wide as the terminal: at a fixed 80 columns it wrapped on a narrower one, and each redraw, which
     * goes back to the start of its last line only, left the lines before behind.
     */
    @Test
    void theBarFitsATerminal(@TempDir Path dir) throws Exception {
        OnATerminal run = OnATerminal.run(dir, "stty cols 40", ThreeLines.class);
        assertEquals(0, run.status(), run.screen());
        String text = run.screen().replaceAll("\033\\[[0-9;]*[A-Za-z]", "");
        List<String> bars = Arrays.stream(text.split("[\r\n]")).filter(s -> s.startsWith("predict")).toList();
        assertFalse(bars.isEmpty(), run.screen());
        for (String bar : bars) {
            assertTrue(bar.codePointCount(0, bar.length()) <= 40, bar.length() + " columns: " + bar);
        }
    }

    /** Three lines above a bar on standard output, which is a terminal in {@link #theBarFitsATerminal}. */
    static final class ThreeLines {
        public static void main(String[] args) {
            PrintWriter out = new PrintWriter(System.out, true);
            try (ProgressLine progress = ProgressLine.of(out, "predict", 3, true)) {
                for (int i = 0; i < 3; i++) {
                    progress.println(out, "photos/" + i + ".png");
                    progress.step(1);
                }
            }
        }
    }

    /** What the bar drew on the screen first, once it has (it draws on a thread of its own). */
    private static String awaitBar(StringWriter screen) throws InterruptedException {
        for (int i = 0; i < 1000 && !screen.toString().contains("predict"); i++) {
            Thread.sleep(10);
        }
        String bar = screen.toString();
        assertTrue(bar.startsWith("\rpredict"), bar);
        return bar;
    }
}
