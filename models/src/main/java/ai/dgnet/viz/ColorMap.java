package ai.dgnet.viz;

import java.awt.Color;
import java.awt.LinearGradientPaint;
import java.awt.geom.Point2D;

/**
 * Viridis, the perceptually uniform sequential colour map of matplotlib (Smith, van der Walt, Firing; CC0): dark
 * for low values, bright for high ones, readable in grey and by colour-blind viewers.
 */
final class ColorMap {
    /**
     * Every 17th entry (0, 17, ..., 255) of matplotlib's 256-entry viridis table, so that the sixteen anchors sit
     * at exactly {@code k/15}; linear interpolation between them stays within one RGB step of the full table.
     */
    private static final double[][] VIRIDIS = {
            {0.267004, 0.004874, 0.329415}, {0.282656, 0.100196, 0.422160}, {0.277134, 0.185228, 0.489898},
            {0.253935, 0.265254, 0.529983}, {0.221989, 0.339161, 0.548752}, {0.190631, 0.407061, 0.556089},
            {0.163625, 0.471133, 0.558148}, {0.139147, 0.533812, 0.555298}, {0.120565, 0.596422, 0.543611},
            {0.134692, 0.658636, 0.517649}, {0.208030, 0.718701, 0.472873}, {0.327796, 0.773980, 0.406640},
            {0.477504, 0.821444, 0.318195}, {0.647257, 0.858400, 0.209861}, {0.824940, 0.884720, 0.106217},
            {0.993248, 0.906157, 0.143936},
    };

    private ColorMap() {
    }

    /** The colour of {@code value}, clamped to [0, 1]. */
    static Color viridis(double value) {
        double t = Math.clamp(value, 0.0, 1.0) * (VIRIDIS.length - 1);
        int lo = Math.min((int) t, VIRIDIS.length - 2);
        double f = t - lo;
        double[] a = VIRIDIS[lo];
        double[] b = VIRIDIS[lo + 1];
        return new Color(channel(a[0], b[0], f), channel(a[1], b[1], f), channel(a[2], b[2], f));
    }

    /**
     * The map as a left-to-right gradient from {@code x0} (value 0) to {@code x1} (value 1): the anchors are its
     * stops and both SVG and Java2D interpolate linearly in sRGB, so it shows exactly {@link #viridis}.
     */
    static LinearGradientPaint gradient(double x0, double x1, double y) {
        float[] stops = new float[VIRIDIS.length];
        Color[] colours = new Color[VIRIDIS.length];
        for (int k = 0; k < VIRIDIS.length; k++) {
            stops[k] = (float) k / (VIRIDIS.length - 1);
            colours[k] = viridis(stops[k]);
        }
        return new LinearGradientPaint(new Point2D.Double(x0, y), new Point2D.Double(x1, y), stops, colours);
    }

    private static int channel(double a, double b, double f) {
        return (int) Math.round((a + (b - a) * f) * 255);
    }
}
