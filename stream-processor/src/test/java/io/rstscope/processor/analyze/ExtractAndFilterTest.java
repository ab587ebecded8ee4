package io.rstscope.processor.analyze;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.rstscope.deploy.testing.KafkaTestCluster;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code analyze --extract DIR} read back with tshark: one pcapng per flow with findings, holding
 * that flow's packets from every point, each on the interface named after its point, in time
 * order, each RST with its verdict as the packet comment; the HTML report links each finding to
 * its file. And {@code -f BPF} narrows the analysis at every point.
 */
@ExtendWith(KafkaTestCluster.class)
class ExtractAndFilterTest {

  static String tshark(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("tshark"));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), "tshark " + String.join(" ", args));
    return out;
  }

  static boolean haveTshark() {
    return Stream.of("/usr/bin/tshark", "/usr/local/bin/tshark").anyMatch(p -> Files.isExecutable(Path.of(p)));
  }

  @Test
  void shouldWriteEachFlowsPacketsFromEveryPointForWireshark(KafkaTestCluster.Broker kafka, @TempDir Path tmp) throws Exception {
    assumeTrue(haveTshark(), "tshark not installed (deploy/lab/REQUIREMENTS)");
    Path dir = AnalyzeEndToEndTest.scenario("sample");
    Path packets = tmp.resolve("packets");
    Path report = tmp.resolve("report.html");
    Path jsonl = tmp.resolve("out.jsonl");
    String[] points = {"--point", "P1=" + dir.resolve("P1.pcap"), "--point", "P2=" + dir.resolve("P2.pcap"),
        "--point", "P3=" + dir.resolve("P3.pcap"), "--path", "P1,P2,P3"};
    List<String> args = new ArrayList<>(List.of("analyze", "--bootstrap", kafka.bootstrap(), "--format", "html",
        "--out", report.toString(), "--extract", packets.toString()));
    args.addAll(List.of(points));
    AnalyzeCommandTest.Outcome o = AnalyzeCommandTest.run(args.toArray(String[]::new));
    assertEquals(0, o.code(), o.err());
    assertTrue(o.err().contains("written to " + packets), o.err());
    List<JsonNode> findings = AnalyzeEndToEndTest.analyze(jsonl, Stream.concat(
        Stream.of("--bootstrap", kafka.bootstrap()), Stream.of(points)).toArray(String[]::new));

    Set<String> flows = new HashSet<>();
    for (JsonNode f : findings) {
      flows.add(f.at("/flow/client").asText() + " " + f.at("/flow/server").asText());
    }
    List<Path> files;
    try (Stream<Path> s = Files.list(packets)) {
      files = s.sorted().toList();
    }
    assertEquals(flows.size(), files.size(), "one file per flow with findings: " + files);
    String html = Files.readString(report);
    for (Path file : files) {
      assertTrue(html.contains("href=\"packets/" + file.getFileName() + "\""), "the report links " + file.getFileName());
      String fields = tshark("-r", file.toString(), "-T", "fields", "-E", "separator=|", "-e", "frame.interface_name",
          "-e", "frame.time_epoch", "-e", "tcp.flags.reset", "-e", "frame.comment", "-e", "ip.src", "-e", "tcp.srcport",
          "-e", "ip.dst", "-e", "tcp.dstport");
      List<String[]> rows = fields.lines().map(l -> l.split("\\|", -1)).toList();
      assertFalse(rows.isEmpty(), file + " holds packets");
      double last = 0;
      Set<String> endpoints = new HashSet<>();
      int commented = 0;
      for (String[] r : rows) {
        assertTrue(Set.of("P1", "P2", "P3").contains(r[0]), "interface named after its point: " + r[0]);
        double t = Double.parseDouble(r[1]);
        assertTrue(t >= last, "in time order");
        last = t;
        endpoints.add(r[4] + ":" + r[5]);
        endpoints.add(r[6] + ":" + r[7]);
        if (!r[3].isEmpty()) {
          commented++;
          assertTrue(r[2].equals("1") || r[2].equals("True"), "only RSTs carry a verdict: " + String.join("|", r));
          assertTrue(r[3].startsWith("rstscope: "), r[3]);
        }
      }
      assertEquals(2, endpoints.size(), "one flow per file: " + endpoints);
      long rstsOfFlow = findings.stream().filter(f -> endpoints.contains(f.at("/flow/client").asText())
          && endpoints.contains(f.at("/flow/server").asText())).mapToLong(f -> f.get("sightings").size()).sum();
      assertEquals(rstsOfFlow, commented, "every sighting of every RST of the flow carries its verdict");
      // Every packet of the flow at every point: the originals counted by tshark with the same flow filter.
      String[] ends = endpoints.toArray(String[]::new);
      String flowFilter = "ip.addr==" + ends[0].split(":")[0] + " && ip.addr==" + ends[1].split(":")[0]
          + " && tcp.port==" + ends[0].split(":")[1] + " && tcp.port==" + ends[1].split(":")[1];
      long original = 0;
      for (String p : List.of("P1", "P2", "P3")) {
        original += tshark("-r", dir.resolve(p + ".pcap").toString(), "-Y", flowFilter, "-T", "fields", "-e", "frame.number")
            .lines().count();
      }
      assertEquals(original, rows.size(), "every packet of the flow from every point in " + file.getFileName());
    }
  }

  @Test
  void shouldApplyTheFilterAtEveryPoint(KafkaTestCluster.Broker kafka, @TempDir Path tmp) throws Exception {
    Path dir = AnalyzeEndToEndTest.scenario("sample");
    List<JsonNode> all = AnalyzeEndToEndTest.analyze(tmp.resolve("all.jsonl"), "--bootstrap", kafka.bootstrap(),
        "--point", "P1=" + dir.resolve("P1.pcap"), "--point", "P2=" + dir.resolve("P2.pcap"),
        "--point", "P3=" + dir.resolve("P3.pcap"));
    String port = all.get(0).at("/flow/server").asText().replaceAll(".*:", "");
    List<JsonNode> some = AnalyzeEndToEndTest.analyze(tmp.resolve("some.jsonl"), "--bootstrap", kafka.bootstrap(),
        "-f", "port " + port, "--point", "P1=" + dir.resolve("P1.pcap"), "--point", "P2=" + dir.resolve("P2.pcap"),
        "--point", "P3=" + dir.resolve("P3.pcap"));
    assertFalse(some.isEmpty());
    assertTrue(some.size() < all.size(), "fewer findings: " + some.size() + " of " + all.size());
    for (JsonNode f : some) {
      assertTrue(f.at("/flow/server").asText().endsWith(":" + port), f.toString());
    }
  }

  /** Positional files, one of them gzip-compressed and one read from standard input, a selection and its summary. */
  @Test
  void shouldReadPositionalGzipAndStandardInputAndSummariseASelection(KafkaTestCluster.Broker kafka, @TempDir Path tmp)
      throws Exception {
    Path dir = AnalyzeEndToEndTest.scenario("sample");
    Path gz = tmp.resolve("P2.pcap.gz");
    try (var out = new java.util.zip.GZIPOutputStream(Files.newOutputStream(gz))) {
      out.write(Files.readAllBytes(dir.resolve("P2.pcap")));
    }
    java.io.InputStream stdin = System.in;
    AnalyzeCommandTest.Outcome o;
    Path summary = tmp.resolve("summary.txt");
    try {
      System.setIn(Files.newInputStream(dir.resolve("P3.pcap")));
      o = AnalyzeCommandTest.run("analyze", "--bootstrap", kafka.bootstrap(), dir.resolve("P1.pcap").toString(),
          gz.toString(), "P3=-", "--forged", "--summary", "--out", summary.toString());
    } finally {
      System.setIn(stdin);
    }
    assertEquals(0, o.code(), o.err());
    assertTrue(o.err().contains("summary written to " + summary.toAbsolutePath()), o.err());
    String text = Files.readString(summary);
    // The sample's forged RSTs: three, all located between P2 and P3 (deploy/lab/captures/INDEX.md).
    assertTrue(text.startsWith("3 RST(s), 3 forged"), text);
    assertTrue(text.contains("segment:P2-P3 (forged)      3"), text);
    assertFalse(text.contains("client "), "only forged RSTs counted: " + text);
  }
}
