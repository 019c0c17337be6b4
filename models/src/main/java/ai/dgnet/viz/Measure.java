package ai.dgnet.viz;

import java.util.Locale;

/** What an edge's value is, which decides how it is labelled and explained. */
enum Measure {
    /** A router weight in (threshold, 1] of one instance, 0 for a dropped edge. */
    WEIGHT("kept edge (width = weight)", "dropped edge", "edge weight") {
        @Override
        String label(double value) {
            return String.format(Locale.ROOT, "%.2f", value);
        }
    },
    /** The fraction of images that kept the edge. */
    FREQUENCY("kept edge (width = share of images)", "never kept", "share of images keeping the edge") {
        @Override
        String label(double value) {
            // A rare edge must not read as "0%" nor a nearly constant one as "100%": both would misstate it.
            if (value > 0 && value < 0.005) {
                return "<1%";
            }
            if (value < 1 && value >= 0.995) {
                return ">99%";
            }
            return String.format(Locale.ROOT, "%.0f%%", 100 * value);
        }
    };

    final String keptLegend;
    final String droppedLegend;
    final String scaleLegend;

    Measure(String keptLegend, String droppedLegend, String scaleLegend) {
        this.keptLegend = keptLegend;
        this.droppedLegend = droppedLegend;
        this.scaleLegend = scaleLegend;
    }

    abstract String label(double value);

    /** A colour-bar tick: 0, 0.5 and 1 as the measure writes them without needless decimals. */
    String tick(double value) {
        return this == FREQUENCY ? label(value) : String.format(Locale.ROOT, "%.1f", value);
    }
}
