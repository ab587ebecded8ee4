package io.rstscope.processor.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rstscope.avro.RstFinding;
import io.rstscope.avro.Sighting;
import io.rstscope.processor.query.FlowKeyText;
import io.rstscope.processor.web.Ladder;
import io.rstscope.processor.web.LadderSvg;
import io.rstscope.processor.web.LocalLadders;
import io.rstscope.schemas.FlowKeys;
import io.rstscope.schemas.Location;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The ladder of every finding of every lab scenario, checked from the SVG's structure: every point
 * of the path has its lifeline in path order, drawn as having seen the flow exactly when a packet
 * of the flow is drawn there; the RST starts where its finding locates it; each sighting is drawn
 * on its point's lifeline; the arrow runs from the origin through every sighting and ends on a
 * lifeline.
 */
class LabLaddersTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  static Stream<String> scenarios() throws Exception {
    return LabScenarioTest.scenarios();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("scenarios")
  void shouldDrawEachRstFromWhereItsFindingLocatesIt(String scenario) throws Exception {
    Path dir = LabReplay.CAPTURES.resolve(scenario);
    JsonNode truth = JSON.readTree(dir.resolve("truth.json").toFile());
    List<String> path = new ArrayList<>();
    truth.get("path").forEach(p -> path.add(p.asText()));
    assumeTrue(path.stream().allMatch(p -> Files.exists(dir.resolve(p + ".pcap"))), "captures missing");
    // The path is not configured: the ladder must find every point from the run itself.
    ProcessorConfig config = ProcessorConfig.defaults();
    List<RstFinding> findings;
    Map<String, Ladder> ladders;
    try (TopologyFixture fx = new TopologyFixture(config)) {
      fx.pipe(LabReplay.scenario(scenario, path));
      findings = fx.findings();
      ladders = LocalLadders.read(fx.driver.getKeyValueStore(RstTopology.FLOW_STATE_STORE),
          fx.driver.getKeyValueStore(RstTopology.POINT_PROGRESS_STORE),
          fx.driver.getKeyValueStore(RstTopology.POINT_PAIRS_STORE), findings, config);
    }
    Path out = Path.of("target/ladders", scenario);
    Files.createDirectories(out);
    for (RstFinding f : findings) {
      String flow = FlowKeys.text(FlowKeyText.of(f.getFlow().getClient(), f.getFlow().getServer()));
      Ladder ladder = ladders.get(flow);
      assertNotNull(ladder, "a ladder for " + flow);
      String svg = LadderSvg.render(ladder);
      Files.writeString(out.resolve(f.getFindingId() + ".svg"), svg);
      check(scenario + " " + f.getFindingId(), parse(svg), f, path);
    }
  }

  private static void check(String what, Document svg, RstFinding f, List<String> path) {
    Map<String, Double> lifelineX = new HashMap<>();
    Map<String, String> coverage = new HashMap<>();
    List<String> pointsByX = new ArrayList<>();
    for (Element g : byClass(svg.getDocumentElement(), "g", "lifeline")) {
      Element line = (Element) g.getElementsByTagName("line").item(0);
      lifelineX.put(g.getAttribute("data-name"), Double.parseDouble(line.getAttribute("x1")));
      if (List.of(g.getAttribute("class").split(" ")).contains("point")) {
        pointsByX.add(g.getAttribute("data-name"));
        coverage.put(g.getAttribute("data-name"), g.getAttribute("data-coverage"));
      }
    }
    pointsByX.sort((a, b) -> Double.compare(lifelineX.get(a), lifelineX.get(b)));
    assertEquals(path, pointsByX, what + ": every point of the path has its lifeline, in path order");
    for (String p : path) {
      boolean drawnThere = !byClass(svg.getDocumentElement(), "circle", "seen").stream()
          .filter(c -> c.getAttribute("data-point").equals(p)).toList().isEmpty();
      assertEquals(drawnThere, coverage.get(p).equals("SAW_FLOW"),
          what + ": " + p + " is drawn as having seen the flow exactly when a packet is drawn there");
    }

    List<Element> rows = byClass(svg.getDocumentElement(), "g", "rst").stream()
        .filter(g -> g.getAttribute("data-finding").equals(f.getFindingId())).toList();
    assertEquals(1, rows.size(), what + ": the RST is drawn once");
    Element row = rows.get(0);
    assertEquals(f.getLocation(), row.getAttribute("data-location"), what);
    Element originCircle = byClass(row, "circle", "origin").get(0);
    double origin = Double.parseDouble(originCircle.getAttribute("cx"));
    boolean towardsClient = f.getRst().getSrc().equals(f.getFlow().getServer());
    String location = f.getLocation();
    if (location.equals("client") || location.equals("server")) {
      assertEquals(lifelineX.get(location), origin, 0.01, what + ": starts at the " + location);
    } else if (Location.parse(location, path).orElseThrow() instanceof Location.Segment seg) {
      double a = lifelineX.getOrDefault(seg.from(), Double.NaN);
      double b = lifelineX.getOrDefault(seg.to(), Double.NaN);
      assertFalse(Double.isNaN(a), what + ": both ends of " + location + " are lifelines");
      assertEquals((a + b) / 2, origin, 0.01, what + ": starts in the middle of " + location);
      Element shade = byClass(svg.getDocumentElement(), "rect", "located-segment").stream()
          .filter(r -> r.getAttribute("data-location").equals(location)).findFirst().orElseThrow();
      double sx = Double.parseDouble(shade.getAttribute("x"));
      assertEquals(Math.min(a, b), sx, 0.01, what + ": the shaded segment starts at " + location + "'s first end");
      assertEquals(Math.abs(a - b), Double.parseDouble(shade.getAttribute("width")), 0.01, what + ": and spans it");
    } else {
      assertTrue(originCircle.getAttribute("class").contains("unknown"), what + ": an unknown origin is drawn open");
    }

    Map<String, Double> seenX = new HashMap<>();
    for (Element c : byClass(row, "circle", "seen")) {
      seenX.put(c.getAttribute("data-point"), Double.parseDouble(c.getAttribute("cx")));
    }
    for (Sighting s : f.getSightings()) {
      assertTrue(seenX.containsKey(s.getPoint()), what + ": sighting at " + s.getPoint() + " drawn");
      assertEquals(lifelineX.get(s.getPoint()), seenX.get(s.getPoint()), 0.01, what + ": on " + s.getPoint() + "'s lifeline");
      double towards = towardsClient ? origin - seenX.get(s.getPoint()) : seenX.get(s.getPoint()) - origin;
      assertTrue(towards >= 0, what + ": the sighting at " + s.getPoint() + " lies on the way from the origin");
    }
    assertEquals(f.getSightings().size(), seenX.size(), what + ": no other sighting drawn");

    Element line = byClass(row, "line", "path").get(0);
    assertEquals(origin, Double.parseDouble(line.getAttribute("x1")), 0.01, what + ": the arrow leaves the origin");
    List<Element> beyond = byClass(row, "line", "beyond");
    double end = Double.parseDouble((beyond.isEmpty() ? line : beyond.get(0)).getAttribute("x2"));
    assertTrue(lifelineX.containsValue(end), what + ": the arrow ends on a lifeline");
    for (double x : seenX.values()) {
      assertTrue(towardsClient ? end <= x : end >= x, what + ": the arrow reaches every sighting");
    }
  }

  private static Document parse(String svg) throws Exception {
    DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
    return factory.newDocumentBuilder().parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
  }

  private static List<Element> byClass(Element root, String tag, String cls) {
    List<Element> out = new ArrayList<>();
    NodeList all = root.getElementsByTagName(tag);
    for (int i = 0; i < all.getLength(); i++) {
      Element e = (Element) all.item(i);
      if (List.of(e.getAttribute("class").split(" ")).contains(cls)) {
        out.add(e);
      }
    }
    return out;
  }
}
