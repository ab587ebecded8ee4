package io.rstscope.processor.analyze;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rstscope.deploy.testing.KafkaTestCluster;
import io.rstscope.deploy.testing.LabCaptures;
import io.rstscope.deploy.testing.LocalClusterProcess;
import io.rstscope.processor.cli.RstscopeMain;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code analyze --dir} over good captures and one that libpcap refuses, as a user runs it (its own JVM, the
 * launcher's log settings): the agents of the good files are stopped, not interrupted, so what the user sees is
 * the one-line reason and nothing else, every time (the race it pins showed a stack trace in some runs only).
 */
@ExtendWith(KafkaTestCluster.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class AnalyzeBadFileAmongGoodTest {
  private static final int RUNS = 4;

  @Test
  void shouldPrintOnlyTheOneLineReasonEveryTime(KafkaTestCluster.Broker kafka, @TempDir Path dir) throws Exception {
    for (String p : List.of("P1", "P2", "P3")) {
      Files.copy(LabCaptures.scenario("sample").resolve(p + ".pcap"), dir.resolve(p + ".pcap"));
    }
    // A pcap header of a version libpcap does not read (9.4): it passes the magic check, the agent refuses it.
    byte[] header = {(byte) 0xd4, (byte) 0xc3, (byte) 0xb2, (byte) 0xa1, 9, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        (byte) 0x80, 1, 0, 0, 1, 0, 0, 0};
    Files.write(dir.resolve("P4.pcap"), header);
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    for (int run = 1; run <= RUNS; run++) {
      List<String> cmd = new ArrayList<>(List.of(java, "-XX:TieredStopAtLevel=1",
          "-Dlogback.configurationFile=" + LocalClusterProcess.binDir().getParent().resolve("config/logback-cli.xml"),
          "-Drstscope.log.dir=" + dir, "-Drstscope.console.level=ERROR",
          "-cp", System.getProperty("java.class.path"), RstscopeMain.class.getName(),
          "analyze", "--quiet", "--dir", dir.toString(), "--bootstrap", kafka.bootstrap()));
      Path err = dir.resolve("stderr-" + run + ".txt");
      Process p = new ProcessBuilder(cmd).redirectError(err.toFile()).redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .start();
      assertTrue(p.waitFor(60, TimeUnit.SECONDS), "analyze did not end");
      String text = Files.readString(err);
      assertEquals(2, p.exitValue(), text);
      assertEquals(1, text.strip().lines().count(), "run " + run + ": exactly one line:\n" + text);
      assertTrue(text.startsWith("rstscope: ") && text.contains("P4"), text);
      assertFalse(text.contains("Exception"), "run " + run + ": " + text);
    }
  }
}
