package io.rstscope.agent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rstscope.agent.AgentException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsTest {
  @Test
  void shouldLayerFileThenEnvironmentThenFlags(@TempDir Path tmp) throws Exception {
    Path file = tmp.resolve("agent.properties");
    Files.writeString(file, "point=P9\nbootstrap=file:9092\nheartbeat-interval=5s\n");
    Settings s = Settings.layered(file, Map.of("RSTSCOPE_AGENT_BOOTSTRAP", "env:9092", "RSTSCOPE_AGENT_SITE", "env-site",
        "UNRELATED", "x"), Map.of("site", "flag-site"));
    assertEquals("P9", s.get("point"));
    assertEquals("env:9092", s.get("bootstrap"));
    assertEquals("flag-site", s.get("site"));
    assertEquals(Duration.ofSeconds(5), s.duration("heartbeat-interval"));
    assertTrue(s.origin("bootstrap").startsWith("environment"));
    assertEquals("default", s.origin("filter"));
  }

  @Test
  void shouldRefuseUnknownKeysOfItsOwnPrefixOnly() {
    AgentException e = assertThrows(AgentException.class,
        () -> Settings.layered(null, Map.of("RSTSCOPE_AGENT_NO_SUCH", "1"), Map.of()));
    assertTrue(e.getMessage().contains("no-such"), e.getMessage());
    // Another command's prefix and keys: the agent's variables are not its business.
    Settings other = Settings.layered("RSTSCOPE_PROCESSOR_", List.of("http-port", "threads"), null,
        Map.of("RSTSCOPE_AGENT_POINT", "P1", "RSTSCOPE_PROCESSOR_HTTP_PORT", "9000"), Map.of("threads", "3"));
    assertEquals(9000, other.integer("http-port"));
    assertEquals(3, other.integer("threads"));
    assertThrows(AgentException.class, () -> Settings.layered("RSTSCOPE_PROCESSOR_", List.of("threads"), null,
        Map.of("RSTSCOPE_PROCESSOR_THREDS", "2"), Map.of()));
  }
}
