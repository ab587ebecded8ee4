package io.rstscope.processor.analyze;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.rstscope.deploy.testing.KafkaTestCluster;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A capture cut short (as {@code head -c} leaves it) is analysed up to the cut: exit 0, one line
 * on standard error saying how many packets were read and where the cut is, and every finding whose
 * RST came after the cut marked as such.
 */
@ExtendWith(KafkaTestCluster.class)
class TruncatedCaptureTest {

  /** Byte offsets of each record of a little-endian microsecond pcap (the lab's). */
  static List<Long> recordOffsets(byte[] pcap) {
    List<Long> out = new ArrayList<>();
    ByteBuffer b = ByteBuffer.wrap(pcap).order(ByteOrder.LITTLE_ENDIAN);
    int pos = 24;
    while (pos + 16 <= pcap.length) {
      out.add((long) pos);
      pos += 16 + b.getInt(pos + 8);
    }
    return out;
  }

  @Test
  void shouldAnalyseEverythingBeforeTheCutAndSayWhere(KafkaTestCluster.Broker kafka, @TempDir Path tmp) throws Exception {
    Path dir = AnalyzeEndToEndTest.scenario("sample");
    byte[] p3 = Files.readAllBytes(dir.resolve("P3.pcap"));
    List<Long> records = recordOffsets(p3);
    int keep = records.size() / 2;
    long cutAt = records.get(keep) + 20; // inside the record after the first half
    Path cut = Files.write(tmp.resolve("P3-cut.pcap"), Arrays.copyOf(p3, (int) cutAt));
    Path out = tmp.resolve("out.jsonl");

    AnalyzeCommandTest.Outcome o = AnalyzeCommandTest.run("analyze", "--bootstrap", kafka.bootstrap(), "--format", "jsonl",
        "--out", out.toString(), "--quiet", "--point", "P1=" + dir.resolve("P1.pcap"), "--point",
        "P2=" + dir.resolve("P2.pcap"), "--point", "P3=" + cut, "--path", "P1,P2,P3");

    assertEquals(0, o.code(), o.err());
    assertFalse(o.err().contains("\tat "), "no stack trace: " + o.err());
    List<String> lines = o.err().strip().lines().toList();
    assertEquals(1, lines.size(), "one line for the one cut file: " + o.err());
    Matcher m = Pattern.compile("rstscope: P3: capture truncated after (\\d+) packets \\(cut inside a record at byte ([\\d,]+) of ([\\d,]+)\\); last packet (\\S+)")
        .matcher(lines.get(0));
    assertTrue(m.find(), lines.get(0));
    assertEquals(keep, Integer.parseInt(m.group(1)), "the complete records before the cut");
    assertEquals(records.get(keep), Long.parseLong(m.group(2).replace(",", "")), "the cut record's offset");
    assertEquals(cutAt, Long.parseLong(m.group(3).replace(",", "")));
    Instant lastPacket = Instant.parse(m.group(4));

    List<JsonNode> findings = new ArrayList<>();
    for (String line : Files.readAllLines(out)) {
      findings.add(AnalyzeEndToEndTest.JSON.readTree(line));
    }
    assertFalse(findings.isEmpty(), "the RSTs are still explained");
    int marked = 0;
    for (JsonNode f : findings) {
      boolean cutMarked = false;
      for (JsonNode e : f.get("evidence")) {
        cutMarked |= e.get("code").asText().equals(CaptureCuts.CODE);
      }
      // The lab's points share one clock: the RST's corrected time is its earliest sighting.
      boolean after = false;
      for (JsonNode s : f.get("sightings")) {
        after |= Instant.parse(s.get("ts").asText()).isAfter(lastPacket);
      }
      assertEquals(after, cutMarked, "marked exactly when the RST came after the cut: " + f);
      marked += cutMarked ? 1 : 0;
    }
    assertTrue(marked > 0, "the RSTs after the cut are marked");
  }
}
