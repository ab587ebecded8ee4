package io.rstscope.agent.cli;

import static org.junit.jupiter.api.Assertions.*;

import io.rstscope.agent.AgentConfig;
import io.rstscope.agent.AgentException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class AgentCommandTest {
  @TempDir Path dir;

  private AgentCommand parse(Map<String, String> env, String... args) {
    AgentCommand cmd = new AgentCommand(env, System.out, System.err);
    new CommandLine(cmd).parseArgs(args);
    return cmd;
  }

  @Test
  void shouldLayerDefaultsFileEnvironmentAndFlagsInThatOrder() throws Exception {
    Path file = dir.resolve("agent.properties");
    Files.writeString(file, "point=FROMFILE\nsite=dc1\nheartbeat-interval=5s\nmax-flows=5000\nfile=/tmp/x.pcap\n");
    AgentCommand cmd = parse(Map.of("RSTSCOPE_AGENT_SITE", "dc2", "RSTSCOPE_AGENT_MAX_FLOWS", "6000", "PATH", "/bin"),
        "--config", file.toString(), "--max-flows", "7000", "--policy", "full");
    AgentConfig cfg = cmd.settings().toConfig();
    assertEquals("FROMFILE", cfg.point());               // file
    assertEquals("dc2", cfg.site());                     // environment over file
    assertEquals(7000, cfg.maxFlows());                  // flag over environment
    assertEquals(Duration.ofSeconds(5), cfg.heartbeatInterval());
    assertEquals("tcp", cfg.filter());                   // default
    assertEquals(io.rstscope.agent.policy.PublishPolicy.Mode.FULL, cfg.policy());
  }

  @Test
  void shouldFailFastOnUnknownKeys() throws Exception {
    Path file = dir.resolve("bad.properties");
    Files.writeString(file, "point=P1\nhearbeat=2s\n");
    AgentException e = assertThrows(AgentException.class, () -> parse(Map.of(), "--config", file.toString()).settings());
    assertTrue(e.getMessage().contains("hearbeat"), e.getMessage());
    AgentException env = assertThrows(AgentException.class,
        () -> parse(Map.of("RSTSCOPE_AGENT_BOOTSTRAPS", "x"), "--point", "P1").settings());
    assertTrue(env.getMessage().contains("RSTSCOPE_AGENT_BOOTSTRAPS"), env.getMessage());
  }

  @Test
  void shouldExitTwoWithOneLineAndNoStackTraceOnBadInput() {
    for (String[] args : new String[][] {
        {"--point", "P1", "--file", "/does/not/exist.pcap", "--no-publish"},
        {"--point", "P1"},
        {"--point", "P1", "--file", "x.pcap", "--interface", "lo"},
        {"--point", "P1", "--file", "x.pcap", "--heartbeat-interval", "soon"},
        {"--no-such-flag"}}) {
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      int code = AgentMain.execute(args, new PrintStream(err, true));
      String text = err.toString();
      assertEquals(2, code, String.join(" ", args) + " -> " + text);
      assertEquals(1, text.strip().lines().count(), text);
      assertFalse(text.contains("\tat "), text);
    }
  }

  @Test
  void shouldReplayAFileWithoutKafkaAndExitZero() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = AgentMain.execute(new String[] {"--point", "P1", "--file",
        "src/test/resources/lab/tls_block-P1.pcap", "--no-publish", "--no-progress"}, new PrintStream(err, true));
    assertEquals(0, code, err.toString());
  }

  @Test
  @org.junit.jupiter.api.Timeout(30)
  void shouldRefuseANamedPipeAsAFileToReplayInsteadOfBlocking() throws Exception {
    Path fifo = dir.resolve("P1.pcap");
    assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start().waitFor());
    AgentConfig cfg = AgentConfig.builder().point("P1").file(fifo).publish(false).build();
    AgentException e = assertThrows(AgentException.class, () -> {
      try (io.rstscope.agent.CaptureAgent agent = new io.rstscope.agent.CaptureAgent(cfg)) {
        agent.run();
      }
    });
    assertTrue(e.getMessage().contains("a named pipe (FIFO)"), e.getMessage());
  }
}
