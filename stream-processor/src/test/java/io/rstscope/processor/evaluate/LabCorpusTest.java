package io.rstscope.processor.evaluate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.rstscope.deploy.testing.LabCaptures;
import io.rstscope.processor.cli.RstscopeMain;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading a folder of lab configurations, and the bad input that stops `lab score` before any broker starts. */
class LabCorpusTest {

  static void copyScenario(String name, Path to) throws Exception {
    Path from = LabCaptures.scenario(name);
    Files.createDirectories(to);
    try (Stream<Path> files = Files.list(from)) {
      for (Path f : files.toList()) {
        Files.copy(f, to.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
      }
    }
  }

  @Test
  void shouldSkipRejectedAndIncompleteConfigurationsWithTheirReason(@TempDir Path dir) throws Exception {
    copyScenario("abort", dir.resolve("0001"));
    copyScenario("firewall_reject", dir.resolve("0002-core-1"));
    copyScenario("port_closed", dir.resolve("0003"));
    Files.createDirectories(dir.resolve("0004"));
    Files.writeString(dir.resolve("INDEX.json"), "{\"seed\": 7, \"configurations\": [{\"id\": \"0001\", \"status\": \"ok\"},"
        + " {\"id\": \"0003\", \"status\": \"rejected\", \"reason\": \"cross-check failed\"}],"
        + " \"rejected\": [{\"id\": \"0009\", \"reason\": \"no RST captured\"}]}");

    LabCorpus corpus = LabCorpus.read(dir);

    assertEquals(List.of("0001", "0002-core-1"), corpus.configurations().stream().map(LabCorpus.Configuration::id).toList());
    assertEquals(Map.of("0003", "rejected by the lab: cross-check failed", "0009", "rejected by the lab: no RST captured",
        "0004", "no truth.json"), corpus.skipped());
    LabCorpus.Configuration first = corpus.configurations().get(0);
    assertEquals(List.of("P1", "P2", "P3"), List.copyOf(first.captures().keySet()));
    // The lab records the kernel's reset reports beside every scenario's captures.
    assertEquals(dir.resolve("0001").resolve("kernel.jsonl"), first.kernelTrace());
    assertEquals(List.of("P1", "P2", "P3"), LabTruth.read(first.dir()).path());
  }

  @Test
  void shouldRefuseBadInputWithStatusTwoBeforeStartingABroker(@TempDir Path dir) throws Exception {
    assertEquals(2, RstscopeMain.run("lab", "score", dir.resolve("nowhere").toString()));
    assertEquals(2, RstscopeMain.run("lab", "score", dir.toString()), "no configuration at all");
    assertEquals(2, RstscopeMain.run("lab", "score", dir.toString(), "--min-cause", "101"));

    copyScenario("abort", dir.resolve("a"));
    Files.writeString(dir.resolve("a/truth.json"), "{\"rsts\": [");
    assertEquals(2, RstscopeMain.run("lab", "score", dir.toString()), "a truncated truth.json");
    assertThrows(java.io.IOException.class, () -> LabTruth.read(dir.resolve("a")));

    Files.writeString(dir.resolve("INDEX.json"), "not json");
    assertThrows(LabCorpus.BadCorpus.class, () -> LabCorpus.read(dir));
  }

  @Test
  void shouldRefuseKernelTracesWhileAnalyzeCannotReadThem(@TempDir Path dir) throws Exception {
    Assumptions.assumeFalse(LabScoreCommand.analyzeReadsKernelTraces(), "analyze reads kernel traces: nothing to refuse");
    copyScenario("abort", dir.resolve("a"));
    assertEquals(2, RstscopeMain.run("lab", "score", dir.toString(), "--kernel-traces"));
  }
}
