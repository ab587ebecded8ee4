package io.rstscope.processor.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rstscope.avro.RstFinding;
import io.rstscope.processor.analyze.HtmlReport;
import io.rstscope.processor.output.TimeText;
import io.rstscope.processor.web.Ladder;
import io.rstscope.processor.web.LocalLadders;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The HTML report of every lab scenario's findings, looked at in headless Chromium: the browser
 * lays the ladders out, and a script measures every text of every diagram against the diagram's
 * own box (a clipped label is one that reaches outside it). The page also shows every finding's
 * row with its date and zone, linked to its ladder.
 */
class LadderReportInChromiumTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Measures every SVG text once the page is laid out and writes what overflows into the page. */
  private static final String MEASURE = """
      <script>window.addEventListener('load', () => {
        const bad = [];
        let texts = 0;
        for (const svg of document.querySelectorAll('svg.ladder')) {
          const w = svg.viewBox.baseVal.width, h = svg.viewBox.baseVal.height;
          for (const t of svg.querySelectorAll('text')) {
            texts++;
            const b = t.getBBox();
            if (b.x < 0 || b.y < 0 || b.x + b.width > w || b.y + b.height > h) {
              bad.push(svg.dataset.flow + ': "' + t.textContent + '" x ' + b.x.toFixed(1) + '..' + (b.x + b.width).toFixed(1) + ' of ' + w);
            }
          }
        }
        const pre = document.createElement('pre');
        pre.id = 'measured';
        pre.textContent = 'TEXTS ' + texts + ' CLIPPED ' + bad.length + '\\n' + bad.join('\\n');
        document.body.appendChild(pre);
      });</script>""";

  static Path chromium() {
    for (String c : List.of("/usr/bin/chromium", "/usr/bin/chromium-browser")) {
      if (Files.isExecutable(Path.of(c))) return Path.of(c);
    }
    return null;
  }

  @Test
  void shouldShowEveryLadderOfTheLabWithNoLabelCut() throws Exception {
    assumeTrue(chromium() != null, "chromium not installed (CI installs it: deploy/lab/REQUIREMENTS)");
    List<RstFinding> findings = new ArrayList<>();
    Map<String, Ladder> ladders = new LinkedHashMap<>();
    for (String scenario : LabScenarioTest.scenarios().toList()) {
      Path dir = LabReplay.CAPTURES.resolve(scenario);
      JsonNode truth = JSON.readTree(dir.resolve("truth.json").toFile());
      List<String> path = new ArrayList<>();
      truth.get("path").forEach(p -> path.add(p.asText()));
      ProcessorConfig config = ProcessorConfig.defaults();
      try (TopologyFixture fx = new TopologyFixture(config)) {
        fx.pipe(LabReplay.scenario(scenario, path));
        List<RstFinding> these = fx.findings();
        findings.addAll(these);
        ladders.putAll(LocalLadders.read(fx.driver.getKeyValueStore(RstTopology.FLOW_STATE_STORE),
            fx.driver.getKeyValueStore(RstTopology.POINT_PROGRESS_STORE),
            fx.driver.getKeyValueStore(RstTopology.POINT_PAIRS_STORE), these, config));
      }
    }
    assumeTrue(!findings.isEmpty(), "lab captures missing");
    String html = HtmlReport.render(new HtmlReport.Content("lab findings", Instant.parse("2026-12-02T12:00:00Z"),
        TimeText.utc(), Map.of(), Map.of(), findings, ladders, Map.of()));
    Path out = Path.of("target/chromium-report").toAbsolutePath();
    Files.createDirectories(out);
    Path page = out.resolve("report.html");
    Files.writeString(page, html.replace("</body>", MEASURE + "</body>"));

    String dom = runChromium("--dump-dom", page.toUri().toString());
    Matcher m = Pattern.compile("TEXTS (\\d+) CLIPPED (\\d+)").matcher(dom);
    assertTrue(m.find(), "the measuring script ran:\n" + dom.substring(0, Math.min(2000, dom.length())));
    assertTrue(Integer.parseInt(m.group(1)) > 100, "texts measured: " + m.group(1));
    int pre = dom.indexOf("<pre id=\"measured\">");
    assertEquals("0", m.group(2), "labels outside their diagram:\n" + dom.substring(pre, Math.min(dom.length(), pre + 3000)));
    for (RstFinding f : findings) {
      assertTrue(dom.contains("data-finding=\"" + f.getFindingId() + "\""), "row and RST of " + f.getFindingId());
    }
    assertEquals(findings.size(), dom.split("class=\"ladder-link\"", -1).length - 1, "every row links to its ladder");
    assertTrue(Pattern.compile("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}Z").matcher(dom).find(), "dates with zone");
    Path shot = out.resolve("report.png");
    Files.deleteIfExists(shot);
    runChromium("--screenshot=" + shot, "--window-size=1500,2400", page.toUri().toString());
    assertTrue(Files.size(shot) > 10_000, "screenshot kept at " + shot);
  }

  static String runChromium(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(chromium().toString(), "--headless", "--no-sandbox", "--disable-gpu",
        "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--user-data-dir=" + Files.createTempDirectory("chromium-"), "--virtual-time-budget=5000"));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "chromium finished");
    return out;
  }
}
