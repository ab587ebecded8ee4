package io.rstscope.processor.analyze;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code analyze --bootstrap} against an existing cluster: the same assertions whichever real
 * broker supplies the cluster (in-process KRaft here, a Testcontainers broker where Docker runs).
 */
abstract class FirewallRejectOnClusterContract {

  abstract String bootstrap();

  @Test
  void shouldLocateAFirewallRejectOnAnExistingCluster(@TempDir Path tmp) throws Exception {
    List<JsonNode> findings = AnalyzeEndToEndTest.analyze(tmp.resolve("out.jsonl"),
        "--dir", AnalyzeEndToEndTest.scenario("firewall_reject").toString(), "--bootstrap", bootstrap());
    assertEquals(1, findings.size(), "one RST in the capture set: " + findings);
    JsonNode f = findings.get(0);
    assertEquals(f.at("/flow/server").asText(), f.at("/rst/src").asText(), "the firewall spoofs the server");
    assertEquals("middlebox", f.get("emitter").asText());
    assertEquals("segment:P2-P3", f.get("location").asText(), "the reject rule is on R2, between P2 and P3");
    assertTrue(f.get("forged").asBoolean());
    assertEquals("handshake", f.get("phase").asText());
    assertEquals("firewall_reject", f.get("cause").asText());
    assertFalse(f.get("recommendation").asText().isBlank());
  }
}
