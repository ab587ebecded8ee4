package io.rstscope.processor.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rstscope.avro.RstFinding;
import io.rstscope.processor.output.FindingJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every lab scenario, replayed through the agent's own decoder and publish policy and the real
 * topology: each RST of truth.json must get one finding with the truth's emitter, location,
 * forged, phase and cause, and every finding must be a RST of the truth.
 */
class LabScenarioTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  static Stream<String> scenarios() throws IOException {
    if (!Files.isDirectory(LabReplay.CAPTURES)) {
      return Stream.of();
    }
    try (Stream<Path> dirs = Files.list(LabReplay.CAPTURES)) {
      return dirs.filter(d -> Files.exists(d.resolve("truth.json")) && Files.exists(d.resolve("P1.pcap")))
          .map(d -> d.getFileName().toString()).sorted().toList().stream();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("scenarios")
  void shouldMatchTheLabTruth(String scenario) throws IOException {
    check(scenario, Mode.AS_CAPTURED);
  }

  /** Points delivered one after the other, server side first, with the path configured. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("scenarios")
  void shouldMatchTheLabTruthWhateverTheArrivalOrder(String scenario) throws IOException {
    check(scenario, Mode.POINTS_ONE_AFTER_THE_OTHER);
  }

  /** The path given the wrong way round: the TTLs overrule it, with one notice, and the verdicts stay right. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("scenarios")
  void shouldNoticeAReversedPathAndStillMatchTheLabTruth(String scenario) throws IOException {
    List<String> notices = check(scenario, Mode.PATH_REVERSED);
    if (!notices.isEmpty()) {
      assertEquals(List.of("path P3,P2,P1 contradicts the TTLs seen (inferred P1,P2,P3); using the inferred order"),
          notices);
    }
  }

  @org.junit.jupiter.api.Test
  void shouldNoticeThatAReversedPathContradictsTheFirewallRejectsTtls() throws IOException {
    List<String> notices = check("firewall_reject", Mode.PATH_REVERSED);
    assertEquals(1, notices.size(), "said once, on one line");
  }

  private enum Mode { AS_CAPTURED, POINTS_ONE_AFTER_THE_OTHER, PATH_REVERSED }

  private static List<String> reversed(List<String> points) {
    List<String> out = new ArrayList<>(points);
    java.util.Collections.reverse(out);
    return out;
  }

  private List<String> check(String scenario, Mode mode) throws IOException {
    Path dir = LabReplay.CAPTURES.resolve(scenario);
    JsonNode truth = JSON.readTree(dir.resolve("truth.json").toFile());
    List<String> points = new ArrayList<>();
    truth.get("path").forEach(p -> points.add(p.asText()));
    assumeTrue(points.stream().allMatch(p -> Files.exists(dir.resolve(p + ".pcap"))), "captures missing");

    List<RstFinding> findings;
    List<String> notices = new java.util.concurrent.CopyOnWriteArrayList<>();
    ProcessorConfig config = switch (mode) {
      case AS_CAPTURED -> ProcessorConfig.defaults();
      case POINTS_ONE_AFTER_THE_OTHER -> ProcessorConfig.builder().pathOrder(points).build();
      case PATH_REVERSED -> ProcessorConfig.builder().pathOrder(reversed(points)).notices(notices::add).build();
    };
    try (TopologyFixture fx = new TopologyFixture(config)) {
      fx.pipe(mode == Mode.POINTS_ONE_AFTER_THE_OTHER ? LabReplay.sequential(scenario, reversed(points))
          : LabReplay.scenario(scenario, points));
      findings = new ArrayList<>(fx.findings());
      assertEquals(0, fx.pending(), "every RST decided once the final watermarks are in");
    }
    findings.sort(Comparator.comparing(RstFinding::getRstTime));
    StringBuilder report = new StringBuilder("scenario " + scenario + "\n");
    List<String> wrong = new ArrayList<>();
    List<RstFinding> unmatched = new ArrayList<>(findings);
    for (JsonNode r : truth.get("rsts")) {
      JsonNode rst = r.get("rst");
      JsonNode exp = r.get("expected");
      RstFinding f = unmatched.stream().filter(x -> x.getRst().getSrc().equals(rst.get("src").asText())
          && x.getRst().getDst().equals(rst.get("dst").asText()) && x.getRst().getSeq() == rst.get("seq").asLong()
          && x.getRst().getFlags().equals(rst.get("flags").asText())).findFirst().orElse(null);
      if (f == null) {
        wrong.add("no finding for " + rst);
        continue;
      }
      unmatched.remove(f);
      String got = f.getEmitter() + " " + f.getLocation() + " forged=" + f.getForged() + " " + f.getPhase() + " "
          + f.getCause();
      String want = exp.get("emitter").asText() + " " + exp.get("location").asText() + " forged="
          + exp.get("forged").asBoolean() + " " + exp.get("phase").asText() + " " + exp.get("cause").asText();
      report.append(got.equals(want) ? "  ok    " : "  WRONG ").append(rst.get("flags").asText()).append(' ')
          .append(rst.get("src").asText()).append(" want ").append(want).append(" got ").append(got).append('\n')
          .append("        ").append(FindingJson.contractJson(f)).append('\n');
      if (!got.equals(want)) {
        wrong.add(rst.get("src").asText() + " seq " + rst.get("seq").asText() + ": want " + want + ", got " + got);
      }
    }
    for (RstFinding f : unmatched) {
      wrong.add("finding not in the truth: " + FindingJson.contractJson(f));
    }
    System.out.println(report);
    assertTrue(wrong.isEmpty(), scenario + ":\n  " + String.join("\n  ", wrong) + "\n" + report);
    return notices;
  }
}
