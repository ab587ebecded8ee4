package io.rstscope.processor.evaluate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rstscope.deploy.testing.KafkaTestCluster;
import io.rstscope.processor.cli.RstscopeMain;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code lab score} end to end: two lab fixtures copied into a corpus (one more listed as rejected),
 * each analysed twice through the real agents, topology and broker, scored against the truth.
 */
@ExtendWith(KafkaTestCluster.class)
class LabScoreIntegrationTest {

  @Test
  void shouldScoreEveryConfigurationTwiceAndLeaveNoTopicBehind(KafkaTestCluster.Broker kafka, @TempDir Path dir) throws Exception {
    LabCorpusTest.copyScenario("content_block", dir.resolve("c1"));
    LabCorpusTest.copyScenario("firewall_reject", dir.resolve("c2"));
    LabCorpusTest.copyScenario("abort", dir.resolve("c3"));
    Files.writeString(dir.resolve("INDEX.json"), "{\"rejected\": [{\"id\": \"c3\", \"reason\": \"verification failed\"}]}");
    Set<String> topicsBefore = topics(kafka);

    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream stdout = System.out;
    int status;
    try {
      System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
      status = RstscopeMain.run("lab", "score", dir.toString(), "--bootstrap", kafka.bootstrap(), "--max-false-forged", "0");
    } finally {
      System.setOut(stdout);
    }
    String text = captured.toString(StandardCharsets.UTF_8);
    System.out.println(text);
    List<String> lines = text.lines().toList();

    assertEquals(0, status, text);
    assertTrue(lines.get(0).equals("skipped c3: rejected by the lab: verification failed"), text);
    assertTrue(lines.get(lines.size() - 1).matches(
        "score: 7 RSTs, location \\d+\\.\\d%, forged \\d+\\.\\d%, cause \\d+\\.\\d%, false-forged 0"), text);
    assertTrue(text.contains("with --path           7"), "content_block's 6 RSTs and firewall_reject's 1, judged with --path: " + text);
    assertTrue(text.contains("path inferred         7"), text);
    assertTrue(Files.isRegularFile(dir.resolve(LabScoreCommand.DETAILS_FILE)));
    Set<String> left = new HashSet<>(topics(kafka));
    left.removeAll(topicsBefore);
    assertEquals(Set.of(), left, "every analyze run deletes its topics");
  }

  private static Set<String> topics(KafkaTestCluster.Broker kafka) throws Exception {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrap()))) {
      return new HashSet<>(admin.listTopics().names().get(30, TimeUnit.SECONDS));
    }
  }
}
