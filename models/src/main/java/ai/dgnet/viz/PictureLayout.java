package ai.dgnet.viz;

import java.awt.geom.Arc2D;
import java.awt.geom.Point2D;
import java.awt.geom.Rectangle2D;
import java.util.ArrayList;
import java.util.List;

/**
 * Where everything goes, in picture units (SVG user units; PNG pixels before {@link ConnectivityPicture#PNG_SCALE}):
 * a header (title, subtitle, legend), then one row per panel (the arc diagram on the left, the matrix on the right
 * in a column of its own so the matrices line up), then the notes. Fonts play no part, so the SVG and the PNG share
 * one geometry.
 */
record PictureLayout(double width, double height, List<PanelGeometry> panels, double notesTop) {
    static final double MARGIN = 28;
    static final double HEADER = 132;
    static final double NODE_RADIUS = 14;
    static final double NOTE_LINE = 18;
    /** Wide enough for the header's legend, the frequency picture's being the longer one. */
    private static final double MIN_WIDTH = 980;
    private static final double COLUMN_GAP = 56;
    private static final double PANEL_PAD = 18;
    /** Heading of a panel, above its arcs. */
    private static final double HEADING = 30;
    /** Room for the row labels left of a matrix and the column labels above it. */
    static final double MATRIX_LABELS = 30;
    /** Half the height of an edge label, which sits on top of its arc. */
    private static final double LABEL_ROOM = 10;
    /** Widest a diagram may grow before the nodes move closer together. */
    private static final double GRAPH_SPAN = 640;
    private static final double MAX_SPACING = 84;

    static PictureLayout of(List<Panel> panels, int notes) {
        double graphColumn = 0;
        double matrixColumn = 0;
        for (Panel p : panels) {
            graphColumn = Math.max(graphColumn, p.nodes() * nodeSpacing(p.nodes()) + 2 * NODE_RADIUS);
            matrixColumn = Math.max(matrixColumn, MATRIX_LABELS + p.size() * cellSize(p.nodes()));
        }
        double width = Math.max(MIN_WIDTH, 2 * MARGIN + graphColumn + COLUMN_GAP + matrixColumn);
        double matrixLeft = MARGIN + graphColumn + COLUMN_GAP + MATRIX_LABELS;
        List<PanelGeometry> geometry = new ArrayList<>();
        double top = HEADER;
        for (Panel p : panels) {
            PanelGeometry g = PanelGeometry.of(p.nodes(), top, MARGIN, graphColumn, matrixLeft);
            geometry.add(g);
            top = g.bottom();
        }
        double notesTop = top + (notes > 0 ? PANEL_PAD : 0);
        return new PictureLayout(width, notesTop + notes * NOTE_LINE + MARGIN, List.copyOf(geometry), notesTop);
    }

    /** Distance between neighbouring nodes: roomy for small stages, tighter for long ones (ResNet-101's 23). */
    static double nodeSpacing(int nodes) {
        return Math.clamp(GRAPH_SPAN / nodes, 36.0, MAX_SPACING);
    }

    static double cellSize(int nodes) {
        return Math.clamp(240.0 / (nodes + 1), 14.0, 30.0);
    }

    /** One panel's geometry; {@code top} and {@code bottom} bound its row. */
    record PanelGeometry(double top, double headingBaseline, double firstNodeX, double spacing,
                         double baseline, double matrixLeft, double matrixTop, double cell, double bottom) {

        static PanelGeometry of(int nodes, double top, double left, double graphColumn, double matrixLeft) {
            double spacing = nodeSpacing(nodes);
            double graphWidth = nodes * spacing + 2 * NODE_RADIUS;
            double firstNodeX = left + (graphColumn - graphWidth) / 2 + NODE_RADIUS;
            double arcsTop = top + PANEL_PAD + HEADING;
            double baseline = arcsTop + LABEL_ROOM + arcHeight(nodes, spacing);
            double cell = cellSize(nodes);
            double matrixTop = arcsTop + MATRIX_LABELS;
            double bottom = Math.max(baseline + NODE_RADIUS, matrixTop + (nodes + 1) * cell) + PANEL_PAD;
            return new PanelGeometry(top, top + PANEL_PAD + 14, firstNodeX, spacing, baseline, matrixLeft,
                    matrixTop, cell, bottom);
        }

        /** Node {@code k}'s centre on the baseline; node {@code nodes} is the stage output. */
        Point2D node(int k) {
            return new Point2D.Double(firstNodeX + k * spacing, baseline);
        }

        /** Half an ellipse above the baseline from node {@code from} to node {@code to}. */
        Arc2D edge(int from, int to) {
            double x0 = node(from).getX();
            double h = arcHeight(to - from, spacing);
            return new Arc2D.Double(x0, baseline - h, (to - from) * spacing, 2 * h, 0, 180, Arc2D.OPEN);
        }

        /** The top of edge {@code from -> to}'s arc, where its label is centred. */
        Point2D labelCentre(int from, int to) {
            return new Point2D.Double((node(from).getX() + node(to).getX()) / 2,
                    baseline - arcHeight(to - from, spacing));
        }

        /**
         * Whether labels fit: those of arcs of one span sit {@code spacing} apart, and a label ("0.79", "100%")
         * is about 30 units wide. Past that the matrix carries the values.
         */
        boolean labelled() {
            return spacing >= 60;
        }

        /** The stroke width of a kept edge of {@code value}: wider for larger values, thinner where nodes crowd. */
        float edgeWidth(double value) {
            return edgeWidth(value, spacing / MAX_SPACING);
        }

        /** From a fifth of the widest (value 0) to the widest, 6 units at full {@code scale}, for value 1. */
        static float edgeWidth(double value, double scale) {
            double widest = 6 * scale;
            return (float) (widest * (0.2 + 0.8 * Math.clamp(value, 0.0, 1.0)));
        }

        /** The matrix cell of row {@code from}, column {@code to}. */
        Rectangle2D cell(int from, int to) {
            return new Rectangle2D.Double(matrixLeft + to * cell, matrixTop + from * cell, cell, cell);
        }

        /**
         * Arcs of neighbouring spans differ in height by 0.4 spacing: far enough apart that their labels (which
         * sit at the tops) never touch.
         */
        private static double arcHeight(int span, double spacing) {
            return 0.4 * span * spacing;
        }
    }
}
