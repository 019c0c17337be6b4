package ai.dgnet.tests;

import ai.dgnet.models.Arch;
import ai.dgnet.models.DgModel;
import ai.dgnet.models.ModelConfig;
import ai.dgnet.models.Prediction;
import ai.dgnet.models.Result;
import ai.dgnet.models.Session;
import ai.dgnet.models.image.ImagePreprocessor;
import ai.dgnet.runtime.Shape;
import ai.dgnet.runtime.cpu.CpuDevice;
import ai.dgnet.runtime.dg.Mode;
import ai.dgnet.server.InferenceServer;
import ai.dgnet.server.ServerConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.IOException;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The server's page in a real headless browser: pick an image, see its top 5 and its connectivity picture, both
 * equal to the model run directly on the same image.
 */
class WebPageTest {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final List<String> LABELS = List.of("airplane", "automobile", "bird", "cat", "deer", "dog",
            "frog", "horse", "ship", "truck");
    /** Low enough that the image keeps edges in every stage, so the picture has something to show. */
    private static final float THRESHOLD = 0.2f;
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    static Path dir;
    private static DgModel model;
    private static CpuDevice device;
    private static InferenceServer server;
    private static WebDriver browser;

    @BeforeAll
    static void start() throws IOException, InterruptedException {
        assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "the web page test needs a headless browser: apt-get install chromium chromium-driver");
        ModelConfig config = new ModelConfig(Arch.RESNET20, Mode.DYNAMIC, THRESHOLD, LABELS.size(), 3, LABELS,
                new ModelConfig.Preprocess(36, 32, new float[] {0.5f, 0.4f, 0.3f}, new float[] {0.25f, 0.2f, 0.3f}));
        model = DgModel.random(config, 3);
        device = CpuDevice.create(1);
        server = InferenceServer.start(ServerConfig.defaults().withPort(0), Map.of("cifar", model), device);
        assertTrue(server.awaitReady(WAIT), "the server was not ready in time");
        ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM.toFile());
        // Without the background-networking switches Chromium keeps dialling Google's services, which a closed
        // network refuses; a fresh profile keeps runs independent.
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + Files.createDirectory(dir.resolve("profile")));
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (server != null) {
            server.close();
        }
        if (device != null) {
            device.close();
        }
        if (model != null) {
            model.close();
        }
    }

    @Test
    void pickingAnImageShowsItsTopFiveAndConnectivity() throws Exception {
        Path image = Path.of(WebPageTest.class.getResource("/images/rgb_97x61.png").toURI());
        Result expected = runDirectly(image);

        browser.get(server.uri().toString());
        WebDriverWait wait = new WebDriverWait(browser, WAIT);
        wait.until(b -> !b.findElements(By.cssSelector("#model option[value='cifar']")).isEmpty());
        browser.findElement(By.id("file")).sendKeys(image.toString());
        wait.until(b -> b.findElement(By.id("status")).getText().endsWith("done")
                || b.findElement(By.id("status")).getAttribute("class").equals("error"));
        assertEquals("rgb_97x61.png: done", browser.findElement(By.id("status")).getText());

        assertEquals(topFive(expected), shownPredictions());

        int kept = 0;
        for (int s = 0; s < expected.stages(); s++) {
            float[][] a = expected.adjacency(s, 0);
            for (int i = 0; i < expected.nodes(s); i++) {
                for (int j = i + 1; j <= expected.nodes(s); j++) {
                    kept += a[i][j] != 0 ? 1 : 0;
                }
            }
        }
        assertTrue(kept > 0, "the image keeps edges at threshold " + THRESHOLD);
        assertEquals(kept, browser.findElements(By.cssSelector("#graph svg g.edge.kept")).size(),
                "the picture in the page draws the edges the model kept");
    }

    @Test
    void aFileThatIsNoImageShowsTheServersError() throws IOException {
        Path text = Files.writeString(dir.resolve("notes.png"), "not an image", StandardCharsets.UTF_8);
        browser.get(server.uri().toString());
        WebDriverWait wait = new WebDriverWait(browser, WAIT);
        wait.until(b -> !b.findElements(By.cssSelector("#model option[value='cifar']")).isEmpty());
        browser.findElement(By.id("file")).sendKeys(text.toString());
        wait.until(b -> b.findElement(By.id("status")).getAttribute("class").equals("error"));
        String status = browser.findElement(By.id("status")).getText();
        assertTrue(status.contains("not a JPEG or PNG image"), status);
    }

    /**
     * The answer to an earlier image that arrives after the answer to a later one is dropped: the page shows the image
     * picked last. The page's first classify request is held in the browser (its fetch wrapped) until the second
     * one's answer is shown, then let through; the page has handled it once its answer, and the body if the page
     * read it, have been delivered and the tasks queued meanwhile have run.
     */
    @Test
    void aLateAnswerToAnEarlierImageDoesNotReplaceTheLatestOne() throws Exception {
        Path first = Path.of(WebPageTest.class.getResource("/images/photo_64x48.jpg").toURI());
        Path latest = Path.of(WebPageTest.class.getResource("/images/rgb_97x61.png").toURI());
        Result expected = runDirectly(latest);

        browser.get(server.uri().toString());
        WebDriverWait wait = new WebDriverWait(browser, WAIT);
        wait.until(b -> !b.findElements(By.cssSelector("#model option[value='cifar']")).isEmpty());
        JavascriptExecutor page = (JavascriptExecutor) browser;
        page.executeScript("""
                const fetchNow = window.fetch;
                let held = false;
                window.lateHandled = false;
                window.fetch = function (url, init) {
                  const answer = fetchNow.call(this, url, init);
                  if (held || !String(url).includes("/classify")) {
                    return answer;
                  }
                  held = true;
                  return new Promise(resolve => window.releaseHeld = resolve).then(() => answer).then(response => {
                    const json = response.json.bind(response);
                    let reading = null;
                    response.json = () => (reading = json());
                    setTimeout(async () => {
                      if (reading) {
                        await reading.catch(() => null);
                        await new Promise(resolve => setTimeout(resolve));
                      }
                      window.lateHandled = true;
                    });
                    return response;
                  });
                };
                """);
        browser.findElement(By.id("file")).sendKeys(first.toString());
        wait.until(b -> page.executeScript("return typeof window.releaseHeld === 'function'").equals(Boolean.TRUE));
        browser.findElement(By.id("file")).sendKeys(latest.toString());
        wait.until(b -> b.findElement(By.id("status")).getText().equals("rgb_97x61.png: done"));
        assertEquals(topFive(expected), shownPredictions());
        Object graph = page.executeScript("return document.getElementById('graph').innerHTML");

        page.executeScript("window.releaseHeld()");
        wait.until(b -> page.executeScript("return window.lateHandled").equals(Boolean.TRUE));
        assertEquals("rgb_97x61.png: done", browser.findElement(By.id("status")).getText());
        assertEquals(topFive(expected), shownPredictions());
        assertEquals(graph, page.executeScript("return document.getElementById('graph').innerHTML"),
                "the picture of the latest image");
        assertTrue(browser.findElement(By.id("classify")).isEnabled(), "the latest request is done");
    }

    /**
     * The page lists the models again whenever the pointer comes to the list: a model of the server's model
     * repository, shown unavailable and not to be picked when the page opened, is picked and classifies once loaded.
     */
    @Test
    void aModelLoadedAfterThePageOpenedIsListedWhenThePointerComesToTheList() throws Exception {
        Path repository = Files.createDirectory(dir.resolve("repository"));
        model.save(repository.resolve("late.safetensors"));
        Path image = Path.of(WebPageTest.class.getResource("/images/rgb_97x61.png").toURI());
        ServerConfig quick = ServerConfig.defaults().withPort(0).withBatching(1, Duration.ZERO).withWarmupRuns(1)
                .withJitWarmup(Duration.ZERO);
        try (InferenceServer late = InferenceServer.startOwning(quick, Map.of(), repository, device);
             HttpClient client = HttpClient.newHttpClient()) {
            assertTrue(late.awaitReady(WAIT), "the server was not ready in time");
            browser.get(late.uri().toString());
            WebDriverWait wait = new WebDriverWait(browser, WAIT);
            By option = By.cssSelector("#model option[value='late']");
            wait.until(b -> !b.findElements(option).isEmpty());
            assertEquals("late (unavailable)", browser.findElement(option).getText());
            assertFalse(browser.findElement(option).isEnabled());

            HttpResponse<String> load = client.send(HttpRequest.newBuilder(late.uri().resolve(
                    "v2/repository/models/late/load")).POST(HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, load.statusCode(), load.body());
            new Actions(browser).moveToElement(browser.findElement(By.id("model"))).perform();
            wait.until(b -> b.findElement(option).isEnabled());
            assertEquals("late", browser.findElement(option).getText());
            browser.findElement(By.id("file")).sendKeys(image.toString());
            wait.until(b -> b.findElement(By.id("status")).getText().endsWith("done")
                    || b.findElement(By.id("status")).getAttribute("class").equals("error"));
            assertEquals("rgb_97x61.png: done", browser.findElement(By.id("status")).getText());
            assertEquals(topFive(runDirectly(image)), shownPredictions());
        }
    }

    /** The predictions table as the page shows it: label and percentage per row. */
    private static List<String> shownPredictions() {
        List<String> shown = new ArrayList<>();
        for (WebElement row : browser.findElements(By.cssSelector("#predictions tr.prediction"))) {
            shown.add(row.findElement(By.className("label")).getText() + " "
                    + row.findElement(By.className("prob")).getText());
        }
        return shown;
    }

    /** The rows the page should show for {@code result}, formatted as it formats them. */
    private static List<String> topFive(Result result) {
        List<String> wanted = new ArrayList<>();
        for (Prediction p : Prediction.top(result.logits()[0], 5, LABELS)) {
            wanted.add(p.label() + " " + String.format(Locale.ROOT, "%.1f%%", 100.0 * p.probability()));
        }
        return wanted;
    }

    /** The model on the same file, preprocessed and run here without the server or the browser. */
    private static Result runDirectly(Path image) throws IOException {
        ImagePreprocessor pre = ImagePreprocessor.of(model.config());
        try (Session session = model.session(device)) {
            return session.run(pre.read(image), Shape.of(1, pre.channels(), pre.height(), pre.width()));
        }
    }
}
