package ai.dgnet.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A Markdown table padded into columns, so that the report reads as well in a terminal as rendered: the leading
 * text columns left-aligned, the number columns after them right-aligned.
 */
final class MarkdownTable {
    private final List<String[]> rows = new ArrayList<>();
    private final int columns;
    private final int textColumns;

    MarkdownTable(int textColumns, String... header) {
        this.columns = header.length;
        this.textColumns = textColumns;
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
            rule[c] = c < textColumns ? "-".repeat(width[c]) : "-".repeat(width[c] - 1) + ":";
        }
        line(out, rule, width);
        for (String[] row : rows.subList(1, rows.size())) {
            line(out, row, width);
        }
        return out.toString();
    }

    private void line(StringBuilder out, String[] cells, int[] width) {
        out.append('|');
        for (int c = 0; c < cells.length; c++) {
            String pad = " ".repeat(width[c] - cells[c].length());
            out.append(' ').append(c < textColumns ? cells[c] + pad : pad + cells[c]).append(" |");
        }
        out.append('\n');
    }
}
