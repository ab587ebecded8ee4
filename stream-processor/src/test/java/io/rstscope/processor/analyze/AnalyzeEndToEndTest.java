package io.rstscope.processor.analyze;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rstscope.deploy.testing.KafkaTestCluster;
import io.rstscope.deploy.testing.LabCaptures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code rstscope analyze} end to end, as a user runs it: lab captures from three points, the
 * real agents, a real broker and the real topology, findings as DESIGN.md's JSON lines.
 */
@ExtendWith(KafkaTestCluster.class)
class AnalyzeEndToEndTest {
  static final ObjectMapper JSON = new ObjectMapper();

  static Path scenario(String name) {
    return LabCaptures.scenario(name);
  }

  static List<JsonNode> analyze(Path out, String... extra) throws Exception {
    List<String> args = new ArrayList<>(List.of("analyze", "--format", "jsonl", "--out", out.toString(), "--quiet"));
    args.addAll(List.of(extra));
    AnalyzeCommandTest.Outcome o = AnalyzeCommandTest.run(args.toArray(String[]::new));
    assertEquals(0, o.code(), o.err());
    List<JsonNode> findings = new ArrayList<>();
    for (String line : Files.readAllLines(out)) {
      findings.add(JSON.readTree(line));
    }
    return findings;
  }

  @Test
  void shouldExplainARefusedConnectionWithTheEmbeddedBroker(@TempDir Path tmp) throws Exception {
    Path dir = scenario("port_closed");
    List<JsonNode> findings = analyze(tmp.resolve("out.jsonl"), "--point", "P1=" + dir.resolve("P1.pcap"),
        "--point", "P2=" + dir.resolve("P2.pcap"), "--point", "P3=" + dir.resolve("P3.pcap"), "--path", "P1,P2,P3");
    assertFalse(findings.isEmpty(), "the refused connection's RST must be reported");
    JsonNode f = findings.get(0);
    assertEquals("RA", f.at("/rst/flags").asText());
    assertEquals(f.at("/flow/server").asText(), f.at("/rst/src").asText(), "the RST claims to come from the server");
    assertEquals("server", f.get("emitter").asText());
    assertEquals("server", f.get("location").asText());
    assertFalse(f.get("forged").asBoolean());
    assertEquals("handshake", f.get("phase").asText());
    assertEquals("port_closed", f.get("cause").asText());
    assertEquals(3, f.get("sightings").size(), "seen at P1, P2 and P3");
    assertTrue(f.get("community_id").asText().startsWith("1:"));
    assertTrue(f.get("evidence").size() > 0);
  }
}
