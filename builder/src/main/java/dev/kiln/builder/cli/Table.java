package dev.kiln.builder.cli;

import java.io.PrintWriter;
import java.util.List;

/** Left-aligned columns separated by at least three spaces, as docker prints tables. */
final class Table {
    private Table() {}

    static void print(PrintWriter out, List<String[]> rows) {
        int cols = rows.get(0).length;
        int[] width = new int[cols];
        for (String[] row : rows) {
            for (int c = 0; c < cols; c++) {
                width[c] = Math.max(width[c], row[c].length());
            }
        }
        for (String[] row : rows) {
            StringBuilder sb = new StringBuilder();
            for (int c = 0; c < cols; c++) {
                sb.append(row[c]);
                if (c < cols - 1) {
                    sb.append(" ".repeat(width[c] - row[c].length() + 3));
                }
            }
            out.println(sb.toString().stripTrailing());
        }
        out.flush();
    }
}
