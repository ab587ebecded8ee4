package io.rstscope.processor.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.rstscope.avro.Evidence;
import io.rstscope.avro.RstFinding;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The lab's rst_diagnostic scenario (a blocking device whose RSTs carry RST diagnostic payloads)
 * through the real topology: each finding shows what its RST said, at the points that saw it, and
 * Zeek's view of the connection at the point that saw the RST first.
 */
class RstDiagnosticEvidenceTest {
  @Test
  void shouldShowWhatEachRstSaidAsEvidence() {
    assumeTrue(Files.exists(LabReplay.CAPTURES.resolve("rst_diagnostic").resolve("P1.pcap")), "lab captures missing");
    List<RstFinding> findings;
    try (TopologyFixture fx = new TopologyFixture(ProcessorConfig.defaults())) {
      fx.pipe(LabReplay.scenario("rst_diagnostic", List.of("P1", "P2", "P3")));
      findings = fx.findings();
    }
    RstFinding toClient = only(findings, "10.0.3.2:8092");
    RstFinding toServer = only(findings, "10.0.1.2:40051");
    assertEquals("reason code 9 (Not Authorized), PEN 0 (seen at P2, P1)", diagnostic(toClient).getDetail());
    assertEquals("reason \"blocked by policy\" (seen at P3)", diagnostic(toServer).getDetail());
    assertEquals("P2", toClient.getFirstSeenBy(), "the RST toward the client appeared first at P2");
    assertEquals("P2", toClient.getZeek().getPoint());
    assertTrue(toClient.getZeek().getHistory().startsWith("ShAD"), toClient.getZeek().getHistory());
    assertEquals("RSTR", toClient.getZeek().getConnState(), "the responder's address carried the RST");
    assertEquals("RSTO", toServer.getZeek().getConnState(), "the originator's address carried the RST");
  }

  private static RstFinding only(List<RstFinding> findings, String src) {
    List<RstFinding> from = findings.stream().filter(f -> f.getRst().getSrc().equals(src)
        && f.getEvidence().stream().anyMatch(e -> e.getCode().equals("RST_DIAGNOSTIC"))).toList();
    assertEquals(1, from.size(), "one RST with a diagnostic payload from " + src + ": " + findings);
    return from.get(0);
  }

  private static Evidence diagnostic(RstFinding f) {
    return f.getEvidence().stream().filter(e -> e.getCode().equals("RST_DIAGNOSTIC")).findFirst().orElseThrow();
  }
}
