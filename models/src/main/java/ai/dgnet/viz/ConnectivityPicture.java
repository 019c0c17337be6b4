package ai.dgnet.viz;

import ai.dgnet.models.Result;
import ai.dgnet.models.io.AtomicFile;
import ai.dgnet.runtime.dg.StageTrace;
import org.jfree.svg.SVGGraphics2D;
import org.jfree.svg.ViewBox;

import javax.imageio.ImageIO;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * What a dynamic network did with its edges, one panel per stage: the nodes in order with every possible edge as an
 * arc above them (kept ones drawn by value and labelled, dropped ones faint and dashed) and the stage's adjacency
 * matrix as a heat map beside it. Either one instance's router weights ({@link #ofInstance}) or how often each edge
 * was kept over many images ({@link #ofFrequencies}). One drawing, rendered as SVG ({@link #toSvg}) or PNG
 * ({@link #toPng}), either chosen by a {@link Format}; both work without a display.
 */
public final class ConnectivityPicture {
    /** The PNG is drawn at twice the SVG's size, so that its text stays crisp on high-density screens. */
    static final int PNG_SCALE = 2;

    static {
        // Before anything touches AWT: pictures are made on servers and in terminals, which have no display.
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    private final String title;
    private final String subtitle;
    private final Measure measure;
    private final List<Panel> panels;
    private final List<String> notes;
    private final PictureLayout layout;

    private ConnectivityPicture(String title, String subtitle, Measure measure, List<Panel> panels,
                                List<String> notes) {
        this.title = Objects.requireNonNull(title, "title");
        this.subtitle = subtitle;
        this.measure = measure;
        this.panels = List.copyOf(panels);
        this.notes = List.copyOf(notes);
        this.layout = PictureLayout.of(this.panels, this.notes.size());
    }

    /**
     * Instance {@code n}'s kept edges, one panel per stage with two or more nodes; stages of one node, which have
     * nothing to route, get a note.
     */
    public static ConnectivityPicture ofInstance(List<StageTrace> stages, int n, String title) {
        int batch = Traces.requireOneBatch(stages);
        if (n < 0 || n >= batch) {
            throw new IllegalArgumentException("instance " + n + " is out of range: the batch holds " + batch
                    + (batch == 1 ? " instance (0)" : " instances (0 to " + (batch - 1) + ")"));
        }
        List<Panel> panels = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        for (int s = 0; s < stages.size(); s++) {
            StageTrace trace = stages.get(s);
            int m = trace.nodes();
            if (m < 2) {
                notes.add(singleNodeNote(s));
                continue;
            }
            double[][] values = new double[m + 1][m + 1];
            for (int i = 0; i < m; i++) {
                for (int j = i + 1; j <= m; j++) {
                    values[i][j] = trace.edge(n, i, j);
                }
            }
            panels.add(new Panel(s, m, values, String.format(Locale.ROOT, "stage %d: %d of %d edges kept",
                    s, Panel.keptEdges(values), Panel.edges(m))));
        }
        String subtitle = "instance " + n + " of a batch of " + batch + ": the router weight of every kept edge";
        return new ConnectivityPicture(title, subtitle, Measure.WEIGHT, panels, notes);
    }

    /** Instance {@code n} of a result; see {@link #ofInstance(List, int, String)}. */
    public static ConnectivityPicture ofInstance(Result result, int n, String title) {
        return ofInstance(Objects.requireNonNull(result, "result").traces(), n, title);
    }

    /** How often each edge was kept across every image added to {@code frequencies}. */
    public static ConnectivityPicture ofFrequencies(EdgeFrequencies frequencies, String title) {
        Objects.requireNonNull(frequencies, "frequencies");
        // One consistent snapshot even while a server keeps adding results (EdgeFrequencies locks on itself).
        synchronized (frequencies) {
            return frequencyPicture(frequencies, title);
        }
    }

    private static ConnectivityPicture frequencyPicture(EdgeFrequencies frequencies, String title) {
        int images = frequencies.instances();
        if (images == 0) {
            throw new IllegalArgumentException("no images added to the edge frequencies: nothing to draw");
        }
        List<Panel> panels = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        for (int s = 0; s < frequencies.stages(); s++) {
            int m = frequencies.nodes(s);
            if (m < 2) {
                notes.add(singleNodeNote(s));
                continue;
            }
            double[][] fractions = frequencies.keptFraction(s);
            double perImage = 0;
            for (int i = 0; i < m; i++) {
                for (int j = i + 1; j <= m; j++) {
                    perImage += fractions[i][j];
                }
            }
            panels.add(new Panel(s, m, fractions, String.format(Locale.ROOT,
                    "stage %d: %d of %d edges kept by at least one image, %.1f per image on average",
                    s, Panel.keptEdges(fractions), Panel.edges(m), perImage)));
        }
        String subtitle = images + (images == 1 ? " image" : " images") + ": how often each edge was kept";
        return new ConnectivityPicture(title, subtitle, Measure.FREQUENCY, panels, notes);
    }

    /**
     * A standalone SVG document that can also be placed inline in HTML: no XML prolog, a {@code viewBox} so it
     * scales, and ids unique to this document.
     */
    public String toSvg() {
        Fonts.require();
        SVGGraphics2D g = new SVGGraphics2D(layout.width(), layout.height());
        // Several pictures inline in one page must not share ids (JFreeSVG's defaults are the same in every one).
        g.setDefsKeyPrefix("dgnet-" + UUID.randomUUID().toString().substring(0, 8) + "-");
        Painter.paint(g, this);
        return g.getSVGElement(null, true, new ViewBox(0, 0, layout.width(), layout.height()), null, null);
    }

    /** The picture as PNG, {@link #PNG_SCALE} pixels per SVG unit. */
    public byte[] toPng() {
        Fonts.require();
        BufferedImage image = new BufferedImage(pixels(layout.width()), pixels(layout.height()),
                BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
            g.setRenderingHint(RenderingHints.KEY_FRACTIONALMETRICS, RenderingHints.VALUE_FRACTIONALMETRICS_ON);
            g.scale(PNG_SCALE, PNG_SCALE);
            Painter.paint(g, this);
        } finally {
            g.dispose();
        }
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(image, "png", png)) {
                throw new IllegalStateException("this JVM has no PNG writer (javax.imageio)");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode the picture as PNG", e);
        }
        return png.toByteArray();
    }

    /** The formats a picture is written in. */
    public enum Format {
        SVG,
        PNG;

        /** {@code svg} or {@code png}: the extension, and the value of {@code dgnet graph --format}. */
        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }

        /**
         * The format {@code id} names, in any case.
         *
         * @throws IllegalArgumentException where it names none
         */
        public static Format parse(String id) {
            for (Format format : values()) {
                if (format.id().equalsIgnoreCase(id)) {
                    return format;
                }
            }
            throw new IllegalArgumentException("no picture format '" + id + "': expected svg or png");
        }

        /** The format that {@code out}'s extension names, {@code .svg} or {@code .png} in any case; empty for others. */
        public static Optional<Format> named(Path out) {
            String extension = extension(out);
            return Arrays.stream(values()).filter(format -> format.id().equalsIgnoreCase(extension)).findFirst();
        }

        /**
         * The format that {@code out}'s extension names, so that a command can refuse a bad file name before it runs
         * anything.
         *
         * @throws IllegalArgumentException naming the extension and the two accepted
         */
        public static Format of(Path out) {
            String extension = extension(out);
            return named(out).orElseThrow(() -> new IllegalArgumentException("cannot tell which picture format to "
                    + "write to " + out + ": " + (extension == null ? "it has no extension" : "extension ." + extension)
                    + "; expected .svg or .png"));
        }

        /** What follows the last dot of {@code out}'s name, as written; null where there is no dot. */
        private static String extension(Path out) {
            Path name = Objects.requireNonNull(out, "out").getFileName();
            String file = name == null ? "" : name.toString();
            int dot = file.lastIndexOf('.');
            return dot < 0 ? null : file.substring(dot + 1);
        }
    }

    /** The picture as {@code format}: the SVG document in UTF-8, or the PNG image. */
    public byte[] encode(Format format) {
        return switch (format) {
            case SVG -> toSvg().getBytes(StandardCharsets.UTF_8);
            case PNG -> toPng();
        };
    }

    /**
     * Writes the picture as {@code format} to {@code out}, replacing any file of that name only once the new one is
     * complete ({@link AtomicFile}).
     */
    public void write(Path out, Format format) {
        ByteBuffer bytes = ByteBuffer.wrap(encode(format));
        try {
            AtomicFile.write(out, channel -> AtomicFile.writeFully(channel, bytes));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the picture to " + out, e);
        }
    }

    String title() {
        return title;
    }

    String subtitle() {
        return subtitle;
    }

    Measure measure() {
        return measure;
    }

    List<Panel> panels() {
        return panels;
    }

    List<String> notes() {
        return notes;
    }

    PictureLayout layout() {
        return layout;
    }

    private static int pixels(double units) {
        return (int) Math.ceil(units * PNG_SCALE);
    }

    private static String singleNodeNote(int stage) {
        return "stage " + stage + " has a single node: it routes nothing, so it has no panel.";
    }

    /**
     * Text needs fonts: a JDK on a bare system (no fontconfig, no font package) fails on the first string it
     * measures, with an error that does not say so. Checked once, before drawing, to say it plainly instead.
     */
    private static final class Fonts {
        private static final String MISSING = missing();

        static void require() {
            if (MISSING != null) {
                throw new IllegalStateException(MISSING);
            }
        }

        private static String missing() {
            try {
                BufferedImage probe = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
                Graphics2D g = probe.createGraphics();
                try {
                    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
                    g.getFontMetrics().stringWidth("0.79 out");
                    g.drawString("0.79 out", 0, 10);
                } finally {
                    g.dispose();
                }
                return null;
            } catch (VirtualMachineError e) {
                throw e;
            } catch (Error | RuntimeException e) {
                // The JDK reports a missing font setup as an Error (e.g. "no fonts found", a failed native link).
                return "cannot draw text: this JVM found no usable fonts (" + e + "); install fontconfig and a "
                        + "font package (on Debian or Ubuntu: apt-get install fontconfig fonts-dejavu-core)";
            }
        }
    }
}
