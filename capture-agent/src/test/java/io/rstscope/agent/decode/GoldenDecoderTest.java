package io.rstscope.agent.decode;

import static org.junit.jupiter.api.Assertions.*;

import io.rstscope.agent.capture.PcapSource;
import io.rstscope.schemas.Endpoints;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Decodes real captures nobody on this project made (Zeek and Suricata test suites, see
 * third-party/README.md) and the lab's, and compares every TCP field with what TShark 4.0.17
 * extracted from the same files (golden/*.tsv, generated once and checked in).
 */
class GoldenDecoderTest {
  private static final Path RESOURCES = Path.of("src/test/resources");

  static Stream<String> captures() throws IOException {
    try (Stream<Path> files = Files.list(RESOURCES.resolve("golden"))) {
      return files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".tsv"))
          .map(n -> n.substring(0, n.length() - 4)).sorted().toList().stream();
    }
  }

  private static Path pcap(String name) {
    Path thirdParty = RESOURCES.resolve("third-party").resolve(name + ".pcap");
    return Files.exists(thirdParty) ? thirdParty : RESOURCES.resolve("lab").resolve(name + ".pcap");
  }

  @ParameterizedTest
  @MethodSource("captures")
  void shouldAgreeWithTshark(String name) throws Exception {
    List<String[]> expected = new ArrayList<>();
    for (String line : Files.readAllLines(RESOURCES.resolve("golden").resolve(name + ".tsv"))) {
      expected.add(line.split("\t", -1));
    }
    List<String> problems = new ArrayList<>();
    int[] frame = {0};
    int[] tcpFrames = {0};
    try (PcapSource source = PcapSource.openFile(pcap(name), "")) {
      PacketDecoder decoder = new PacketDecoder(source.linkType());
      DecodedPacket p = new DecodedPacket();
      source.loop((bytes, micros) -> {
        String[] e = expected.get(frame[0]++);
        Anomaly a = decoder.decode(bytes, bytes.length, micros, p);
        boolean tcp = !e[5].isEmpty();
        if (!tcp) {
          if (a == Anomaly.NONE) {
            problems.add("frame " + e[0] + ": tshark sees no TCP, we decoded one");
          }
          return;
        }
        tcpFrames[0]++;
        if (a != Anomaly.NONE) {
          problems.add("frame " + e[0] + ": " + a.label());
          return;
        }
        String src = e[1].isEmpty() ? e[2] : e[1];
        String dst = e[3].isEmpty() ? e[4] : e[3];
        check(problems, e[0], "src", src, Endpoints.address(p.srcAddress()));
        check(problems, e[0], "dst", dst, Endpoints.address(p.dstAddress()));
        check(problems, e[0], "sport", e[5], String.valueOf(p.srcPort));
        check(problems, e[0], "dport", e[6], String.valueOf(p.dstPort));
        check(problems, e[0], "flags", String.valueOf(Integer.decode(e[7]) & 0x1ff), String.valueOf(p.tcpFlags));
        check(problems, e[0], "ttl", e[8].isEmpty() ? e[9] : e[8], String.valueOf(p.ttl));
        if (!e[10].isEmpty()) {
          check(problems, e[0], "ip.id", String.valueOf(Integer.decode(e[10])), String.valueOf(p.ipId));
        }
        check(problems, e[0], "seq", e[11], String.valueOf(p.seq));
        check(problems, e[0], "ack", e[12], String.valueOf(p.ack));
        check(problems, e[0], "window", e[13], String.valueOf(p.window));
        check(problems, e[0], "len", e[14], String.valueOf(p.payloadLength));
        check(problems, e[0], "mss", e[15], p.mss < 0 ? "" : String.valueOf(p.mss));
        check(problems, e[0], "wscale", e[16], p.windowScale < 0 ? "" : String.valueOf(p.windowScale));
        check(problems, e[0], "tsval", e[17], p.hasTimestamps ? String.valueOf(p.tsVal) : "");
        check(problems, e[0], "tsecr", e[18], p.hasTimestamps ? String.valueOf(p.tsEcr) : "");
        if (e.length > 19 && !e[19].isEmpty()) {
          check(problems, e[0], "sni", e[19], p.sni());
        }
      });
    }
    assertEquals(expected.size(), frame[0], "frames read");
    assertTrue(tcpFrames[0] > 0, "the capture has TCP");
    assertTrue(problems.isEmpty(), name + ": " + String.join("; ", problems));
  }

  private static void check(List<String> problems, String frame, String field, String expected, String actual) {
    if (!expected.equals(actual)) {
      problems.add("frame " + frame + " " + field + ": tshark " + expected + ", we " + actual);
    }
  }
}
