package ai.dgnet.viz;

import ai.dgnet.runtime.dg.StageTrace;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;

import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConnectivityPictureTest {
    /**
     * Viridis at 0, 0.2, 0.4, 0.6, 0.8 and 1: the six-colour palette every viridis implementation publishes (R's
     * {@code viridis(6)}, matplotlib's table at entries 0, 51, 102, 153, 204, 255).
     */
    static final Map<Double, String> VIRIDIS = Map.of(0.0, "#440154", 0.2, "#414487", 0.4, "#2A788E",
            0.6, "#22A884", 0.8, "#7AD151", 1.0, "#FDE725");

    /**
     * Three stages, a batch of two: stage 0 has a single node; in stage 1 (m = 3) instance 1 keeps four of six edges
     * with weights 0.6, 0.8, 1 and 0.6; in stage 2 (m = 2) it keeps one of three. Instance 0 keeps everything at
     * weight 1, so a picture of the wrong instance cannot pass.
     */
    static List<StageTrace> handMade() {
        StageTrace single = StageTrace.of(1, 2);
        StageTrace four = StageTrace.of(3, 2);
        set(four, 1, 0, 1, 0.6f);
        set(four, 1, 0, 3, 0.8f);
        set(four, 1, 1, 2, 1.0f);
        set(four, 1, 2, 3, 0.6f);
        StageTrace three = StageTrace.of(2, 2);
        set(three, 1, 1, 2, 0.8f);
        for (StageTrace t : List.of(four, three)) {
            for (int i = 0; i < t.nodes(); i++) {
                for (int j = i + 1; j <= t.nodes(); j++) {
                    set(t, 0, i, j, 1f);
                }
            }
        }
        return List.of(single, four, three);
    }

    static void set(StageTrace trace, int n, int from, int to, float weight) {
        trace.adjacency()[n][from * trace.size() + to] = weight;
    }

    @Test
    void keptEdgesAreLabelledWithTheirWeightsAndDroppedOnesAreFaintAndDashed() throws Exception {
        Document svg = parse(ConnectivityPicture.ofInstance(handMade(), 1, "hand made").toSvg());

        Map<String, String> labels = new HashMap<>();
        for (Element label : groups(svg, "edge-label")) {
            labels.put(key(label), label.getElementsByTagName("text").item(0).getTextContent());
        }
        assertEquals(Map.of("1:0-1", "0.60", "1:0-3", "0.80", "1:1-2", "1.00", "1:2-3", "0.60", "2:1-2", "0.80"),
                labels);

        List<Element> kept = groups(svg, "edge kept");
        List<Element> dropped = groups(svg, "edge dropped");
        assertEquals(Set.of("1:0-1", "1:0-3", "1:1-2", "1:2-3", "2:1-2"), keys(kept));
        assertEquals(Set.of("1:0-2", "1:1-3", "2:0-1", "2:0-2"), keys(dropped));
        for (Element e : dropped) {
            Map<String, String> style = strokeStyle(e);
            assertTrue(style.containsKey("stroke-dasharray"), "dropped edges are dashed: " + style);
            assertTrue(Double.parseDouble(style.get("stroke-opacity")) <= 0.6, "dropped edges are faint: " + style);
            assertTrue(Double.parseDouble(style.get("stroke-width")) <= 1, "dropped edges are thin: " + style);
        }
        for (Element e : kept) {
            Map<String, String> style = strokeStyle(e);
            assertFalse(style.containsKey("stroke-dasharray"), "kept edges are solid: " + style);
            assertTrue(Double.parseDouble(style.get("stroke-width")) > 1, "kept edges are wider: " + style);
        }
        // Stage 1's weights 0.6 < 0.8 < 1.0: the strokes must grow with them, and equal weights draw alike.
        double w06 = strokeWidth(svg, "1:0-1");
        double w08 = strokeWidth(svg, "1:0-3");
        double w10 = strokeWidth(svg, "1:1-2");
        assertTrue(w06 < w08 && w08 < w10, w06 + " < " + w08 + " < " + w10);
        assertEquals(w06, strokeWidth(svg, "1:2-3"));
    }

    @Test
    void theHeatMapHasOneCellPerEdgeColouredByViridis() throws Exception {
        Document svg = parse(ConnectivityPicture.ofInstance(handMade(), 1, "hand made").toSvg());
        Map<String, String> fills = new HashMap<>();
        for (Element cell : groups(svg, "cell")) {
            assertNull(fills.put(key(cell), fill(cell)), "one cell per edge: " + key(cell));
        }
        assertEquals(Map.of(
                "1:0-1", VIRIDIS.get(0.6), "1:0-2", VIRIDIS.get(0.0), "1:0-3", VIRIDIS.get(0.8),
                "1:1-2", VIRIDIS.get(1.0), "1:1-3", VIRIDIS.get(0.0), "1:2-3", VIRIDIS.get(0.6),
                "2:0-1", VIRIDIS.get(0.0), "2:0-2", VIRIDIS.get(0.0), "2:1-2", VIRIDIS.get(0.8)), fills);
    }

    @Test
    void titleCaptionsAndSingleNodeStagesAreWritten() throws Exception {
        Document svg = parse(ConnectivityPicture.ofInstance(handMade(), 1, "weights <of> image & co").toSvg());
        List<String> texts = texts(svg);
        assertTrue(texts.contains("weights <of> image & co"), texts.toString());
        assertTrue(texts.contains("stage 1: 4 of 6 edges kept"), texts.toString());
        assertTrue(texts.contains("stage 2: 1 of 3 edges kept"), texts.toString());
        assertTrue(texts.stream().anyMatch(t -> t.startsWith("stage 0 has a single node")), texts.toString());
        // Stage 1's nodes 0, 1, 2 and its output: each named once under its circle, once per matrix axis.
        for (String node : List.of("0", "1", "2", "out")) {
            assertTrue(texts.stream().filter(node::equals).count() >= 3, node + " in " + texts);
        }
        assertFalse(texts.contains("3"), "the output node is called out, not 3: " + texts);
    }

    @Test
    void textThatLooksLikeAnEntityIsWrittenAsItIs() throws Exception {
        // A label or file name may itself hold what reads as an escape: the picture must show it, not decode it.
        String title = "AT&amp;T: &lt;b&gt; &quot;x&quot; &apos;y&apos; & z";
        List<String> texts = texts(parse(ConnectivityPicture.ofInstance(handMade(), 1, title).toSvg()));
        assertTrue(texts.contains(title), texts.toString());
    }

    @Test
    void charactersXmlCannotHoldBecomeReplacementCharacters() throws Exception {
        // Labels exclude control characters only, and file names not even those: U+FFFE, U+FFFF, a lone surrogate
        // (a JSON label may escape one) and U+0001 are no XML characters, and written as they are no parser reads
        // the SVG.
        String title = "a\uFFFEb\uFFFFc\uD800d\u0001e \uD83D\uDE00";
        List<String> texts = texts(parse(ConnectivityPicture.ofInstance(handMade(), 1, title).toSvg()));
        assertTrue(texts.contains("a\uFFFDb\uFFFDc\uFFFDd\uFFFDe \uD83D\uDE00"), texts.toString());
    }

    @Test
    void theSvgCanBePlacedInlineInHtml() throws Exception {
        String text = ConnectivityPicture.ofInstance(handMade(), 1, "inline").toSvg();
        assertTrue(text.startsWith("<svg"), "no XML prolog or doctype before the svg element");
        Element root = parse(text).getDocumentElement();
        assertEquals("http://www.w3.org/2000/svg", root.getAttribute("xmlns"));
        double width = Double.parseDouble(root.getAttribute("width"));
        double height = Double.parseDouble(root.getAttribute("height"));
        String[] viewBox = root.getAttribute("viewBox").trim().split("\\s+");
        assertArrayEquals(new double[] {0, 0, width, height},
                Arrays.stream(viewBox).mapToDouble(Double::parseDouble).toArray());

        Set<String> ids = ids(parse(text));
        Set<String> otherIds = ids(parse(ConnectivityPicture.ofInstance(handMade(), 1, "inline").toSvg()));
        otherIds.retainAll(ids);
        assertEquals(Set.of(), otherIds, "two pictures in one page share no id");
    }

    @Test
    void thePngShowsTheHeatMapColoursAtTheCellCentres() throws Exception {
        ConnectivityPicture picture = ConnectivityPicture.ofInstance(handMade(), 1, "png");
        BufferedImage png = ImageIO.read(new ByteArrayInputStream(picture.toPng()));
        PictureLayout layout = picture.layout();
        int scale = ConnectivityPicture.PNG_SCALE;
        assertEquals((int) Math.ceil(layout.width() * scale), png.getWidth());
        assertEquals((int) Math.ceil(layout.height() * scale), png.getHeight());

        PictureLayout.PanelGeometry stage1 = layout.panels().get(0);
        assertEquals(VIRIDIS.get(0.8), pixel(png, stage1.cell(0, 3), scale));
        assertEquals(VIRIDIS.get(1.0), pixel(png, stage1.cell(1, 2), scale));
        assertEquals(VIRIDIS.get(0.0), pixel(png, stage1.cell(1, 3), scale));
        PictureLayout.PanelGeometry stage2 = layout.panels().get(1);
        assertEquals(VIRIDIS.get(0.8), pixel(png, stage2.cell(1, 2), scale));
        // Below the diagonal there is nothing: a light, colourless blank.
        int blank = Integer.parseInt(pixel(png, stage1.cell(2, 1), scale).substring(1), 16);
        for (int shift : new int[] {0, 8, 16}) {
            assertTrue((blank >> shift & 0xFF) > 230, "blank cell " + Integer.toHexString(blank));
        }
    }

    @Test
    void theExtensionNamesTheFormatInAnyCase(@TempDir Path dir) throws Exception {
        ConnectivityPicture picture = ConnectivityPicture.ofInstance(handMade(), 1, "files");
        Path svg = dir.resolve("a.SVG");
        picture.write(svg, ConnectivityPicture.Format.of(svg));
        assertTrue(Files.readString(svg, StandardCharsets.UTF_8).startsWith("<svg"));
        Path png = dir.resolve("b.Png");
        picture.write(png, ConnectivityPicture.Format.of(png));
        byte[] signature = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
        assertArrayEquals(signature, Arrays.copyOf(Files.readAllBytes(png), 8));
    }

    /**
     * {@code dgnet graph --out} wrote the picture into the file in place: a failed or interrupted write left a
     * half-written picture, having already truncated the earlier one. The earlier file now stays whole until the new
     * one replaces it: a hard link to it keeps its content.
     */
    @Test
    void writeReplacesAnEarlierFileOnlyWithTheCompleteNewOne(@TempDir Path dir) throws Exception {
        Path out = Files.writeString(dir.resolve("graph.svg"), "earlier");
        Path link = Files.createLink(dir.resolve("link.svg"), out);
        ConnectivityPicture.ofInstance(handMade(), 0, "again").write(out, ConnectivityPicture.Format.SVG);
        assertEquals("earlier", Files.readString(link));
        assertTrue(Files.readString(out).startsWith("<svg"));
        try (var names = Files.list(dir)) {
            assertEquals(Set.of(out, link), names.collect(Collectors.toSet()),
                    "no temporary file is left");
        }
    }

    @Test
    void badInputIsRejectedWithAClearMessage(@TempDir Path dir) {
        List<StageTrace> traces = handMade();
        String high = assertThrows(IllegalArgumentException.class,
                () -> ConnectivityPicture.ofInstance(traces, 2, "t")).getMessage();
        assertTrue(high.contains("instance 2") && high.contains("0 to 1"), high);
        String negative = assertThrows(IllegalArgumentException.class,
                () -> ConnectivityPicture.ofInstance(traces, -1, "t")).getMessage();
        assertTrue(negative.contains("instance -1"), negative);
        String empty = assertThrows(IllegalArgumentException.class,
                () -> ConnectivityPicture.ofInstance(List.of(), 0, "t")).getMessage();
        assertTrue(empty.contains("no stages"), empty);
        String mixed = assertThrows(IllegalArgumentException.class,
                () -> ConnectivityPicture.ofInstance(List.of(StageTrace.of(2, 2), StageTrace.of(3, 1)), 0, "t"))
                .getMessage();
        assertTrue(mixed.contains("stage 1 holds 1 instances but stage 0 holds 2"), mixed);
        String none = assertThrows(IllegalArgumentException.class,
                () -> ConnectivityPicture.ofFrequencies(new EdgeFrequencies(), "t")).getMessage();
        assertTrue(none.contains("no images"), none);

        ConnectivityPicture picture = ConnectivityPicture.ofInstance(traces, 0, "t");
        String jpg = assertThrows(IllegalArgumentException.class,
                () -> ConnectivityPicture.Format.of(dir.resolve("picture.jpg"))).getMessage();
        assertTrue(jpg.contains(".jpg") && jpg.contains(".svg") && jpg.contains(".png"), jpg);
        String bare = assertThrows(IllegalArgumentException.class,
                () -> ConnectivityPicture.Format.of(dir.resolve("picture"))).getMessage();
        assertTrue(bare.contains("no extension") && bare.contains(".svg") && bare.contains(".png"), bare);
        Path missing = dir.resolve("no-such-folder").resolve("picture.svg");
        UncheckedIOException io = assertThrows(UncheckedIOException.class,
                () -> picture.write(missing, ConnectivityPicture.Format.SVG));
        assertTrue(io.getMessage().contains(missing.toString()), io.getMessage());
    }

    static Document parse(String svg) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        return factory.newDocumentBuilder().parse(new InputSource(new StringReader(svg)));
    }

    /** The groups of one SVG class: "edge kept", "edge dropped", "edge-label" or "cell". */
    static List<Element> groups(Document svg, String cssClass) {
        List<Element> found = new ArrayList<>();
        NodeList all = svg.getElementsByTagName("g");
        for (int k = 0; k < all.getLength(); k++) {
            Element g = (Element) all.item(k);
            if (g.getAttribute("class").equals(cssClass)) {
                found.add(g);
            }
        }
        return found;
    }

    /** "stage:from-to". */
    static String key(Element group) {
        return group.getAttribute("data-stage") + ":" + group.getAttribute("data-from") + "-"
                + group.getAttribute("data-to");
    }

    static Set<String> keys(List<Element> groups) {
        Set<String> keys = new HashSet<>();
        groups.forEach(g -> assertTrue(keys.add(key(g)), "drawn once: " + key(g)));
        return keys;
    }

    static List<String> texts(Document svg) {
        List<String> texts = new ArrayList<>();
        NodeList all = svg.getElementsByTagName("text");
        for (int k = 0; k < all.getLength(); k++) {
            texts.add(all.item(k).getTextContent());
        }
        return texts;
    }

    static Set<String> ids(Document svg) {
        Set<String> ids = new HashSet<>();
        NodeList all = svg.getElementsByTagName("*");
        for (int k = 0; k < all.getLength(); k++) {
            String id = ((Element) all.item(k)).getAttribute("id");
            if (!id.isEmpty()) {
                ids.add(id);
            }
        }
        return ids;
    }

    /** The style of the element inside {@code group} that strokes the edge. */
    static Map<String, String> strokeStyle(Element group) {
        NodeList all = group.getElementsByTagName("*");
        for (int k = 0; k < all.getLength(); k++) {
            Map<String, String> style = style((Element) all.item(k));
            if (style.containsKey("stroke-width")) {
                return style;
            }
        }
        throw new AssertionError("no stroke in the group of edge " + key(group));
    }

    static double strokeWidth(Document svg, String key) {
        return groups(svg, "edge kept").stream().filter(g -> key(g).equals(key)).findFirst()
                .map(g -> Double.parseDouble(strokeStyle(g).get("stroke-width")))
                .orElseThrow(() -> new AssertionError("no kept edge " + key));
    }

    private static final Pattern RGB = Pattern.compile("rgb\\((\\d+),\\s*(\\d+),\\s*(\\d+)\\)");

    /** The fill of the rectangle inside {@code group}, as #RRGGBB. */
    static String fill(Element group) {
        Element rect = (Element) group.getElementsByTagName("rect").item(0);
        Matcher m = RGB.matcher(style(rect).get("fill"));
        assertTrue(m.matches(), style(rect).toString());
        return String.format("#%02X%02X%02X", Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
                Integer.parseInt(m.group(3)));
    }

    static Map<String, String> style(Element e) {
        Map<String, String> style = new HashMap<>();
        for (String declaration : e.getAttribute("style").split(";")) {
            int colon = declaration.indexOf(':');
            if (colon > 0) {
                style.put(declaration.substring(0, colon).trim(), declaration.substring(colon + 1).trim());
            }
        }
        return style;
    }

    static String pixel(BufferedImage png, Rectangle2D cell, int scale) {
        int rgb = png.getRGB((int) (cell.getCenterX() * scale), (int) (cell.getCenterY() * scale));
        return String.format("#%06X", rgb & 0xFFFFFF);
    }
}
