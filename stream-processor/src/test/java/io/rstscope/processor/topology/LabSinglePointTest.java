package io.rstscope.processor.topology;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rstscope.avro.Cause;
import io.rstscope.avro.RstFinding;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The lab again, but as if only one point had been capturing: the single-point tells (TTL,
 * flags, sequence numbers, timing) must still find who emitted each RST and why. Location is
 * coarser by nature (one point cannot say which segment beyond it), so it is not compared.
 */
class LabSinglePointTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * A firewall answering a SYN for the server sends a kernel RST like the server's own, and the
   * flow holds no other server packet to compare TTLs with: from one point it is port_closed.
   * Only a second point (FLOW_NOT_SEEN_AT) or the server's TTL from its other flows could tell.
   */
  /**
   * What one point cannot tell apart (docs/verdict-rules.md): a firewall's reject from the server's own refusal;
   * and a device that resets both ends at the client's data without a recognised request in it, which reads as a
   * block or as a lost state entry alike (only the RST's diagnostic text says which).
   */
  private static boolean knownLimit(JsonNode expected, RstFinding got) {
    String cause = expected.get("cause").asText();
    return cause.equals("firewall_reject")
        || cause.equals("content_block") && got != null && got.getForged() && got.getCause() == Cause.state_lost;
  }

  @Test
  void shouldJudgeEveryRstFromOnePointAlone() throws IOException {
    List<String> wrong = new ArrayList<>();
    StringBuilder report = new StringBuilder();
    int total = 0;
    for (String scenario : LabScenarioTest.scenarios().toList()) {
      Path dir = LabReplay.CAPTURES.resolve(scenario);
      JsonNode truth = JSON.readTree(dir.resolve("truth.json").toFile());
      for (String point : List.of("P1", "P2", "P3")) {
        List<RstFinding> findings;
        try (TopologyFixture fx = new TopologyFixture(ProcessorConfig.defaults())) {
          fx.pipe(LabReplay.scenario(scenario, List.of(point)));
          findings = new ArrayList<>(fx.findings());
        }
        for (JsonNode r : truth.get("rsts")) {
          boolean seenHere = false;
          for (JsonNode s : r.get("sightings")) {
            seenHere |= s.get("point").asText().equals(point);
          }
          if (!seenHere) {
            continue;
          }
          JsonNode rst = r.get("rst");
          JsonNode exp = r.get("expected");
          RstFinding f = findings.stream().filter(x -> x.getRst().getSrc().equals(rst.get("src").asText())
              && x.getRst().getSeq() == rst.get("seq").asLong()).findFirst().orElse(null);
          findings.remove(f);
          total++;
          String want = exp.get("emitter").asText() + " forged=" + exp.get("forged").asBoolean() + " "
              + exp.get("cause").asText();
          String got = f == null ? "none" : f.getEmitter() + " forged=" + f.getForged() + " " + f.getCause();
          String id = point + " " + scenario + " " + rst.get("src").asText().replaceAll(".*:", "");
          boolean limit = knownLimit(exp, f);
          report.append(want.equals(got) ? "ok    " : limit ? "limit " : "WRONG ").append(id).append(": want ")
              .append(want).append(", got ").append(got).append(f == null ? "" : " " + f.getLocation()).append('\n');
          if (!want.equals(got) && !limit) {
            wrong.add(id + ": want " + want + ", got " + got);
          }
        }
      }
    }
    System.out.println(report);
    assertTrue(wrong.isEmpty(), wrong.size() + " of " + total + " wrong:\n" + String.join("\n", wrong));
  }
}
