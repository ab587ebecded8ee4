package io.rstscope.processor.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rstscope.agent.AgentConfig;
import io.rstscope.agent.cli.Settings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The example configurations shipped for real hosts (deploy/sites) must be accepted by the
 * programs they configure: an unknown or misspelt key would stop a service at start.
 */
class SiteConfigsTest {

  static Path sites() {
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.isDirectory(p.resolve("deploy/sites"))) {
        return p.resolve("deploy/sites");
      }
    }
    throw new IllegalStateException("deploy/sites not found");
  }

  static List<Path> files(String glob) throws Exception {
    try (Stream<Path> all = Files.walk(sites())) {
      return all.filter(p -> p.getFileSystem().getPathMatcher("glob:" + glob).matches(p.getFileName())).sorted().toList();
    }
  }

  @Test
  void shouldAcceptEveryShippedAgentConfig(@TempDir Path tmp) throws Exception {
    List<Path> agents = files("agent-*.conf");
    assertFalse(agents.isEmpty());
    // The credentials files exist only on the real hosts; a flag stands in for them.
    Path credentials = Files.writeString(tmp.resolve("client.properties"), "security.protocol=SASL_SSL\n");
    for (Path file : agents) {
      AgentConfig config = Settings.layered(file, Map.of(), Map.of("client-properties", credentials.toString())).toConfig();
      assertEquals("SASL_SSL", config.clientProperties().get("security.protocol"));
      assertTrue(file.getFileName().toString().contains(config.point()), file + " names its point " + config.point());
      assertTrue(config.live(), file + " captures live");
    }
  }

  @Test
  void shouldAcceptEveryShippedProcessorConfig() throws Exception {
    List<Path> processors = files("processor*.conf");
    assertFalse(processors.isEmpty());
    for (Path file : processors) {
      Settings s = Settings.layered(ProcessorCommand.ENV_PREFIX, ProcessorCommand.KEYS, file, Map.of(), Map.of());
      assertEquals("127.0.0.1", s.get("http-address"), file + " keeps the query API on loopback");
      assertTrue(s.get("bootstrap").contains(","), file + " lists several brokers");
    }
  }
}
