package io.rstscope.processor.analyze;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rstscope.deploy.testing.KafkaTestCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** {@code analyze --format html}: one self-contained file with a ladder diagram per flow that has findings. */
@ExtendWith(KafkaTestCluster.class)
class HtmlReportEndToEndTest {

  @Test
  void shouldDrawTheForgedRstOfAnInjectionInASelfContainedReport(KafkaTestCluster.Broker kafka, @TempDir Path tmp) throws Exception {
    Path out = tmp.resolve("report.html");
    AnalyzeCommandTest.Outcome o = AnalyzeCommandTest.run("analyze", "--dir",
        AnalyzeEndToEndTest.scenario("bypass_block").toString(), "--bootstrap", kafka.bootstrap(),
        "--format", "html", "--out", out.toString(), "--quiet");
    assertEquals(0, o.code(), o.err());
    String html = Files.readString(out);
    assertTrue(html.startsWith("<!doctype html>"), "a whole HTML document");
    assertEquals(1, html.split("<svg", -1).length - 1, "one ladder: the scenario has one flow with findings");
    assertTrue(html.contains("segment:P2-P3"), "the located segment is named");
    assertTrue(html.contains("bypass_block") && html.contains("no_socket"), "both RSTs' causes are shown");
    assertTrue(html.toLowerCase().contains("forged"), "the forged RST is marked");
    assertFalse(html.contains("src=\"http") || html.contains("href=\"http"), "nothing loaded from elsewhere: self-contained");
  }
}
