package ai.dgnet.viz;

import ai.dgnet.viz.PictureLayout.PanelGeometry;
import org.jfree.svg.SVGGraphics2D;
import org.jfree.svg.SVGHints;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.Stroke;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Line2D;
import java.awt.geom.Point2D;
import java.awt.geom.Rectangle2D;
import java.awt.geom.RoundRectangle2D;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Draws a picture on any {@link Graphics2D}: JFreeSVG's for the SVG, a {@code BufferedImage}'s for the PNG. The
 * SVG group hints (SVG only: an image's Graphics2D rejects them) give each edge, label and matrix cell a {@code class} and its node indices
 * as {@code data-stage}, {@code data-from} and {@code data-to}, so a web page can style or script them, plus a tooltip.
 */
final class Painter {
    private static final Color BACKGROUND = Color.WHITE;
    private static final Color INK = new Color(0x1F2933);
    private static final Color MUTED = new Color(0x616E7C);
    private static final Color KEPT = new Color(0x1F4E79);
    /** Where dozens of kept edges cross, translucency lets their density show instead of one solid mass. */
    private static final Color KEPT_DENSE = new Color(0x1F, 0x4E, 0x79, 150);
    /** Faint enough that dropped edges read as "could have been", not as connections. */
    private static final Color DROPPED = new Color(0x9A, 0xA5, 0xB1, 140);
    private static final Color MATRIX_BLANK = new Color(0xF0F2F5);
    private static final Color RULE = new Color(0xE4E7EB);
    private static final Color LABEL_BACKDROP = new Color(255, 255, 255, 225);

    private static final Font TITLE = new Font(Font.SANS_SERIF, Font.BOLD, 20);
    private static final Font SUBTITLE = new Font(Font.SANS_SERIF, Font.PLAIN, 13);
    private static final Font LEGEND = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
    private static final Font HEADING = new Font(Font.SANS_SERIF, Font.BOLD, 14);
    private static final Font EDGE_LABEL = new Font(Font.SANS_SERIF, Font.PLAIN, 11);
    private static final Font NODE_LABEL = new Font(Font.SANS_SERIF, Font.BOLD, 12);
    private static final Font MATRIX_LABEL = new Font(Font.SANS_SERIF, Font.PLAIN, 11);

    private static final Stroke DROPPED_STROKE = new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND,
            10f, new float[] {4f, 4f}, 0f);

    private final Graphics2D g;
    private final boolean svg;
    private final ConnectivityPicture picture;

    private Painter(Graphics2D g, ConnectivityPicture picture) {
        this.g = g;
        this.svg = g instanceof SVGGraphics2D;
        this.picture = picture;
    }

    static void paint(Graphics2D g, ConnectivityPicture picture) {
        new Painter(g, picture).paint();
    }

    private void paint() {
        PictureLayout layout = picture.layout();
        g.setColor(BACKGROUND);
        g.fill(new Rectangle2D.Double(0, 0, layout.width(), layout.height()));
        header();
        List<Panel> panels = picture.panels();
        for (int p = 0; p < panels.size(); p++) {
            PanelGeometry geometry = layout.panels().get(p);
            g.setColor(RULE);
            g.setStroke(new BasicStroke(1f));
            g.draw(new Line2D.Double(PictureLayout.MARGIN, geometry.top(), layout.width() - PictureLayout.MARGIN,
                    geometry.top()));
            panel(panels.get(p), geometry);
        }
        g.setFont(LEGEND);
        g.setColor(MUTED);
        List<String> notes = picture.notes();
        for (int k = 0; k < notes.size(); k++) {
            text(notes.get(k), PictureLayout.MARGIN, layout.notesTop() + (k + 1) * PictureLayout.NOTE_LINE - 4);
        }
    }

    private void header() {
        double x = PictureLayout.MARGIN;
        g.setColor(INK);
        g.setFont(TITLE);
        text(picture.title(), x, 50);
        g.setColor(MUTED);
        g.setFont(SUBTITLE);
        text(picture.subtitle(), x, 72);

        Measure measure = picture.measure();
        double y = 94;
        g.setFont(LEGEND);
        g.setColor(KEPT);
        g.setStroke(new BasicStroke(PanelGeometry.edgeWidth(0.8, 1), BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
        g.draw(new Line2D.Double(x, y, x + 28, y));
        x = legendText(measure.keptLegend, x + 36, y);
        g.setColor(DROPPED);
        g.setStroke(DROPPED_STROKE);
        g.draw(new Line2D.Double(x, y, x + 28, y));
        x = legendText(measure.droppedLegend, x + 36, y);
        x = legendText(measure.tick(0), x, y) - 14;
        double barWidth = 120;
        g.setPaint(ColorMap.gradient(x, x + barWidth, y));
        g.fill(new Rectangle2D.Double(x, y - 6, barWidth, 12));
        x = legendText(measure.tick(1), x + barWidth + 6, y) - 14;
        legendText(measure.scaleLegend, x + 8, y);
        g.setColor(MUTED);
        text("Edges run left to right, from a node into a later one; \"out\" is the stage output. "
                + "Matrix: row = from, column = to.", PictureLayout.MARGIN, 120);
    }

    /** Writes {@code s} vertically centred on {@code y}; returns where the next legend item starts. */
    private double legendText(String s, double x, double y) {
        g.setColor(INK);
        FontMetrics fm = g.getFontMetrics();
        text(s, x, y + (fm.getAscent() - fm.getDescent()) / 2.0);
        return x + fm.stringWidth(s) + 22;
    }

    private void panel(Panel panel, PanelGeometry geometry) {
        g.setColor(INK);
        g.setFont(HEADING);
        text(panel.caption(), PictureLayout.MARGIN, geometry.headingBaseline());
        if (!geometry.labelled()) {
            double x = PictureLayout.MARGIN + g.getFontMetrics().stringWidth(panel.caption()) + 12;
            g.setColor(MUTED);
            g.setFont(LEGEND);
            text("(too many edges to label: the matrix shows every value)", x, geometry.headingBaseline());
        }
        edges(panel, geometry);
        nodes(panel, geometry);
        matrix(panel, geometry);
    }

    private record Edge(int from, int to, double value) {
    }

    private void edges(Panel panel, PanelGeometry geometry) {
        List<Edge> kept = new ArrayList<>();
        for (int i = 0; i < panel.nodes(); i++) {
            for (int j = i + 1; j <= panel.nodes(); j++) {
                if (panel.kept(i, j)) {
                    kept.add(new Edge(i, j, panel.values()[i][j]));
                } else {
                    beginGroup("edge dropped", panel, i, j);
                    g.setColor(DROPPED);
                    g.setStroke(DROPPED_STROKE);
                    g.draw(geometry.edge(i, j));
                    endGroup();
                }
            }
        }
        // Widest first, so a thin edge crossing a thick one stays visible on top of it.
        kept.sort(Comparator.comparingDouble(Edge::value).reversed());
        for (Edge e : kept) {
            beginGroup("edge kept", panel, e.from(), e.to());
            g.setColor(geometry.labelled() ? KEPT : KEPT_DENSE);
            g.setStroke(new BasicStroke(geometry.edgeWidth(e.value()), BasicStroke.CAP_ROUND,
                    BasicStroke.JOIN_ROUND));
            g.draw(geometry.edge(e.from(), e.to()));
            endGroup();
        }
        if (!geometry.labelled()) {
            return;
        }
        g.setFont(EDGE_LABEL);
        FontMetrics fm = g.getFontMetrics();
        for (Edge e : kept) {
            String label = picture.measure().label(e.value());
            Point2D c = geometry.labelCentre(e.from(), e.to());
            double w = fm.stringWidth(label) + 6;
            double h = fm.getAscent() + 2;
            beginGroup("edge-label", panel, e.from(), e.to());
            g.setColor(LABEL_BACKDROP);
            g.fill(new RoundRectangle2D.Double(c.getX() - w / 2, c.getY() - h / 2, w, h, 6, 6));
            g.setColor(KEPT);
            centred(label, c.getX(), c.getY());
            endGroup();
        }
    }

    private void nodes(Panel panel, PanelGeometry geometry) {
        double r = PictureLayout.NODE_RADIUS;
        g.setFont(NODE_LABEL);
        g.setStroke(new BasicStroke(1.5f));
        for (int k = 0; k <= panel.nodes(); k++) {
            Point2D c = geometry.node(k);
            Ellipse2D circle = new Ellipse2D.Double(c.getX() - r, c.getY() - r, 2 * r, 2 * r);
            boolean output = k == panel.nodes();
            g.setColor(output ? INK : BACKGROUND);
            g.fill(circle);
            g.setColor(INK);
            g.draw(circle);
            g.setColor(output ? BACKGROUND : INK);
            centred(panel.nodeName(k), c.getX(), c.getY());
        }
    }

    private void matrix(Panel panel, PanelGeometry geometry) {
        int size = panel.size();
        Rectangle2D first = geometry.cell(0, 0);
        double cell = geometry.cell();
        g.setColor(MATRIX_BLANK);
        g.fill(new Rectangle2D.Double(first.getX(), first.getY(), size * cell, size * cell));
        for (int i = 0; i < panel.nodes(); i++) {
            for (int j = i + 1; j <= panel.nodes(); j++) {
                beginGroup("cell", panel, i, j);
                g.setColor(ColorMap.viridis(panel.values()[i][j]));
                Rectangle2D r = geometry.cell(i, j);
                // A one-unit white seam between cells keeps the grid legible where neighbours have similar colours.
                g.fill(new Rectangle2D.Double(r.getX() + 0.5, r.getY() + 0.5, r.getWidth() - 1, r.getHeight() - 1));
                endGroup();
            }
        }
        // Two-digit labels must fit their column in the large stages' small cells.
        g.setFont(MATRIX_LABEL.deriveFont((float) Math.min(MATRIX_LABEL.getSize2D(), 0.6 * cell)));
        g.setColor(MUTED);
        for (int k = 0; k < size; k++) {
            Rectangle2D row = geometry.cell(k, 0);
            centred(panel.nodeName(k), row.getX() - PictureLayout.MATRIX_LABELS / 2, row.getCenterY());
            Rectangle2D column = geometry.cell(0, k);
            centred(panel.nodeName(k), column.getCenterX(), column.getY() - 10);
        }
    }

    private void beginGroup(String cssClass, Panel panel, int from, int to) {
        if (!svg) {
            return;
        }
        Map<String, String> attributes = new LinkedHashMap<>();
        attributes.put("class", cssClass);
        attributes.put("data-stage", Integer.toString(panel.stage()));
        attributes.put("data-from", Integer.toString(from));
        attributes.put("data-to", Integer.toString(to));
        g.setRenderingHint(SVGHints.KEY_BEGIN_GROUP, attributes);
        String value = panel.kept(from, to) ? picture.measure().label(panel.values()[from][to]) : picture.measure().droppedLegend;
        g.setRenderingHint(SVGHints.KEY_ELEMENT_TITLE, "stage " + panel.stage() + ", edge " + panel.nodeName(from)
                + " -> " + panel.nodeName(to) + ": " + value);
    }

    private void endGroup() {
        if (!svg) {
            return;
        }
        g.setRenderingHint(SVGHints.KEY_END_GROUP, "");
    }

    private void centred(String s, double cx, double cy) {
        FontMetrics fm = g.getFontMetrics();
        text(s, cx - fm.stringWidth(s) / 2.0, cy + (fm.getAscent() - fm.getDescent()) / 2.0);
    }

    private void text(String s, double x, double y) {
        g.drawString(svg ? svgText(s) : s, (float) x, (float) y);
    }

    /**
     * {@code s} as JFreeSVG must be given it to write {@code s}: it escapes '<', '>' and quotes but keeps an '&' that
     * starts one of XML's entities, so "&lt;" would show as "<". Escaping every '&' first makes each an "&amp;",
     * which it keeps. And it writes every character as it is, while XML cannot hold some at all (control characters
     * but tab and line ends, U+FFFE, U+FFFF, lone surrogates): those become U+FFFD, as a decoder shows what it
     * cannot read, so that the SVG stays well-formed.
     */
    private static String svgText(String s) {
        StringBuilder text = new StringBuilder(s.length());
        s.codePoints().forEach(c -> {
            if (c == '&') {
                text.append("&amp;");
            } else {
                text.appendCodePoint(xmlChar(c) ? c : '\uFFFD');
            }
        });
        return text.toString();
    }

    /** Whether {@code c} is a character of XML 1.0 (its production {@code Char}). */
    private static boolean xmlChar(int c) {
        return c == '\t' || c == '\n' || c == '\r' || c >= 0x20 && c <= 0xD7FF || c >= 0xE000 && c <= 0xFFFD
                || c >= 0x10000;
    }
}
