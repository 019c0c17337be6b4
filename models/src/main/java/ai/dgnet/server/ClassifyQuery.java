package ai.dgnet.server;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * The query of {@code classify}: {@code top} classes to answer (default 5) and whether to add the connectivity
 * picture ({@code graph=1} or {@code graph=true}).
 */
record ClassifyQuery(int top, boolean graph) {
    static final int DEFAULT_TOP = 5;

    static ClassifyQuery parse(String rawQuery) {
        int top = DEFAULT_TOP;
        boolean graph = false;
        if (rawQuery == null || rawQuery.isEmpty()) {
            return new ClassifyQuery(top, graph);
        }
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            String key = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            switch (key) {
                case "top" -> top = top(value);
                case "graph" -> graph = switch (value) {
                    case "1", "true" -> true;
                    case "0", "false" -> false;
                    default -> throw RequestException.badRequest("graph must be 1, true, 0 or false, got '"
                            + RequestException.shown(value) + "'");
                };
                default -> throw RequestException.badRequest("unknown query parameter '" + RequestException.shown(key)
                        + "': classify takes top and graph");
            }
        }
        return new ClassifyQuery(top, graph);
    }

    private static int top(String value) {
        try {
            int k = Integer.parseInt(value);
            if (k >= 1) {
                return k;
            }
        } catch (NumberFormatException e) {
            // answered below, with the value
        }
        throw RequestException.badRequest("top must be an integer >= 1, got '" + RequestException.shown(value) + "'");
    }

    private static String decode(String text) {
        try {
            return URLDecoder.decode(text, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw RequestException.badRequest("malformed query: " + e.getMessage());
        }
    }
}
