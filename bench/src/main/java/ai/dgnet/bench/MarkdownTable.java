package ai.dgnet.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A Markdown table padded into columns, so that the report reads as well in a terminal as rendered. The first
 * column is left-aligned (names), the others right-aligned (numbers).
 */
final class MarkdownTable {
    private final List<String[]> rows = new ArrayList<>();
    private final int columns;

    MarkdownTable(String... header) {
        columns = header.length;
        rows.add(header);
    }

    MarkdownTable add(String... cells) {
        if (cells.length != columns) {
            throw new IllegalArgumentException("expected " + columns + " cells, got " + Arrays.toString(cells));
        }
        rows.add(cells);
        return this;
    }

    @Override
    public String toString() {
        int[] width = new int[columns];
        for (String[] row : rows) {
            for (int c = 0; c < columns; c++) {
                width[c] = Math.max(Math.max(width[c], row[c].length()), 3);
            }
        }
        StringBuilder out = new StringBuilder();
        line(out, rows.getFirst(), width);
        String[] rule = new String[columns];
        for (int c = 0; c < columns; c++) {
            rule[c] = c == 0 ? "-".repeat(width[c]) : "-".repeat(width[c] - 1) + ":";
        }
        line(out, rule, width);
        for (String[] row : rows.subList(1, rows.size())) {
            line(out, row, width);
        }
        return out.toString();
    }

    private static void line(StringBuilder out, String[] cells, int[] width) {
        out.append('|');
        for (int c = 0; c < cells.length; c++) {
            String pad = " ".repeat(width[c] - cells[c].length());
            out.append(' ').append(c == 0 ? cells[c] + pad : pad + cells[c]).append(" |");
        }
        out.append('\n');
    }
}
