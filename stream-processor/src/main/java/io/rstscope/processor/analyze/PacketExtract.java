package io.rstscope.processor.analyze;

import io.rstscope.agent.capture.FrameHandler;
import io.rstscope.agent.capture.PcapSource;
import io.rstscope.agent.capture.PcapngWriter;
import io.rstscope.agent.decode.Anomaly;
import io.rstscope.agent.decode.DecodedPacket;
import io.rstscope.agent.decode.PacketDecoder;
import io.rstscope.avro.RstFinding;
import io.rstscope.schemas.Endpoints;
import io.rstscope.schemas.FlowKeys;
import io.rstscope.schemas.TcpFlags;
import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * {@code analyze --extract DIR}: per flow with a finding, one pcapng with that flow's packets from
 * every point, one interface per point (named after it), in corrected time order (timestamps are
 * corrected to the first point's clock; an interface whose clock was shifted says by how much),
 * each RST carrying its finding's verdict as the packet's comment. Wireshark then shows where each
 * copy was taken instead of taking copies at two points for retransmissions.
 *
 * <p>The agents' summaries carry no packets, so the captures are read once more. Memory stays
 * bounded whatever their size: each point's matching packets go to a spool file as they are read,
 * and only their offsets stay in memory; each flow's file is then merged from the spools, one
 * packet per point at a time.
 */
final class PacketExtract {
  private PacketExtract() {}

  /** Where one spooled packet is, and which finding it is the RST of (-1: none). */
  private record Spooled(long offset, long correctedMicros, int finding) {}

  /**
   * @param points point -> capture file, in path order
   * @param filter the BPF filter the analysis used
   * @param offsetsMicros point -> its clock minus the reference clock
   * @return flow key text -> the file written
   */
  static Map<String, Path> write(Path dir, Map<String, Path> points, String filter, List<RstFinding> findings,
      Map<String, Long> offsetsMicros) throws IOException {
    Files.createDirectories(dir);
    Map<String, Integer> flowIndex = new LinkedHashMap<>();
    Map<String, Integer> rstIndex = new HashMap<>();
    for (int i = 0; i < findings.size(); i++) {
      RstFinding f = findings.get(i);
      flowIndex.putIfAbsent(HtmlReport.flowKey(f), flowIndex.size());
      rstIndex.put(rstKey(f.getRst().getSrc(), f.getRst().getSeq(), f.getRst().getFlags()), i);
    }
    List<String> flows = new ArrayList<>(flowIndex.keySet());
    List<String> pointNames = new ArrayList<>(points.keySet());
    // spooled.get(flow).get(point): that flow's packets at that point, in the capture's order.
    List<List<List<Spooled>>> spooled = new ArrayList<>();
    for (int i = 0; i < flows.size(); i++) {
      List<List<Spooled>> perPoint = new ArrayList<>();
      pointNames.forEach(p -> perPoint.add(new ArrayList<>()));
      spooled.add(perPoint);
    }
    Path spoolDir = Files.createTempDirectory("rstscope-extract-");
    Map<String, Integer> linkTypes = new HashMap<>();
    try {
      List<Path> spools = new ArrayList<>();
      for (int pi = 0; pi < pointNames.size(); pi++) {
        String point = pointNames.get(pi);
        Path spool = spoolDir.resolve(pi + ".spool");
        spools.add(spool);
        linkTypes.put(point, spool(points.get(point), filter, spool, flowIndex, rstIndex, spooled, pi,
            offsetsMicros.getOrDefault(point, 0L)));
      }
      Map<String, Path> written = new LinkedHashMap<>();
      List<RandomAccessFile> readers = new ArrayList<>();
      try {
        for (Path s : spools) {
          readers.add(new RandomAccessFile(s.toFile(), "r"));
        }
        for (int fi = 0; fi < flows.size(); fi++) {
          Path file = dir.resolve(fileName(flows.get(fi)));
          merge(file, pointNames, linkTypes, offsetsMicros, spooled.get(fi), readers, findings);
          written.put(flows.get(fi), file);
        }
      } finally {
        for (RandomAccessFile r : readers) {
          r.close();
        }
      }
      return written;
    } finally {
      try (var paths = Files.walk(spoolDir)) {
        paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  /** Reads one capture, keeps the packets of the wanted flows in the spool; returns the link type. */
  private static int spool(Path capture, String filter, Path spool, Map<String, Integer> flowIndex,
      Map<String, Integer> rstIndex, List<List<List<Spooled>>> spooled, int pointIndex, long offsetMicros)
      throws IOException {
    try (PcapSource source = PcapSource.openFile(capture, filter);
        DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(spool), 1 << 16))) {
      PacketDecoder decoder = new PacketDecoder(source.linkType());
      DecodedPacket p = new DecodedPacket();
      long[] position = {0};
      FrameHandler handler = (frame, caplen, len, micros) -> {
        if (decoder.decode(frame, caplen, micros, p) != Anomaly.NONE) {
          return;
        }
        String flow = FlowKeys.text(FlowKeys.of(p.srcAddress(), p.srcPort, p.dstAddress(), p.dstPort));
        Integer fi = flowIndex.get(flow);
        if (fi == null) {
          return;
        }
        int finding = -1;
        if (TcpFlags.has(p.tcpFlags, TcpFlags.RST)) {
          finding = rstIndex.getOrDefault(
              rstKey(Endpoints.endpoint(p.srcAddress(), p.srcPort), p.seq, TcpFlags.letters(p.tcpFlags)), -1);
        }
        try {
          out.writeLong(micros);
          out.writeInt(caplen);
          out.writeInt(len);
          out.write(frame, 0, caplen);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
        spooled.get(fi).get(pointIndex).add(new Spooled(position[0], micros - offsetMicros, finding));
        position[0] += 16 + caplen;
      };
      try {
        source.loop(handler);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while reading " + capture, e);
      } catch (UncheckedIOException e) {
        throw e.getCause();
      }
      return source.linkType();
    }
  }

  private static void merge(Path file, List<String> pointNames, Map<String, Integer> linkTypes,
      Map<String, Long> offsetsMicros, List<List<Spooled>> perPoint, List<RandomAccessFile> readers,
      List<RstFinding> findings) throws IOException {
    try (PcapngWriter w = new PcapngWriter(new BufferedOutputStream(Files.newOutputStream(file), 1 << 16))) {
      for (String point : pointNames) {
        long offset = offsetsMicros.getOrDefault(point, 0L);
        w.addInterface(linkTypes.get(point), point, "rstscope observation point " + point
            + (offset == 0 ? "" : String.format(Locale.ROOT, "; timestamps corrected by %+.6f s to the first point's clock",
                -offset / 1e6)));
      }
      // k-way merge by corrected time, one head per point; ties keep path order.
      PriorityQueue<int[]> heads = new PriorityQueue<>((a, b) -> {
        int c = Long.compare(perPoint.get(a[0]).get(a[1]).correctedMicros(), perPoint.get(b[0]).get(b[1]).correctedMicros());
        return c != 0 ? c : Integer.compare(a[0], b[0]);
      });
      for (int pi = 0; pi < perPoint.size(); pi++) {
        if (!perPoint.get(pi).isEmpty()) {
          heads.add(new int[] {pi, 0});
        }
      }
      byte[] buf = new byte[65_536];
      while (!heads.isEmpty()) {
        int[] h = heads.poll();
        Spooled s = perPoint.get(h[0]).get(h[1]);
        RandomAccessFile r = readers.get(h[0]);
        r.seek(s.offset());
        r.readLong();
        int caplen = r.readInt();
        int len = r.readInt();
        if (caplen > buf.length) {
          buf = new byte[caplen];
        }
        r.readFully(buf, 0, caplen);
        w.packet(h[0], s.correctedMicros(), buf, caplen, len, s.finding() < 0 ? null : comment(findings.get(s.finding())));
        if (h[1] + 1 < perPoint.get(h[0]).size()) {
          heads.add(new int[] {h[0], h[1] + 1});
        }
      }
    }
  }

  /** The verdict as Wireshark shows it in the packet's comment. */
  static String comment(RstFinding f) {
    return String.format(Locale.ROOT, "rstscope: %s%s, emitter %s at %s, %s phase, confidence %.2f. %s",
        f.getForged() ? "FORGED RST, " : "", f.getCause(), f.getEmitter(), f.getLocation(), f.getPhase(),
        f.getConfidence(), f.getRecommendation());
  }

  private static String rstKey(String src, long seq, String flags) {
    return src + "|" + seq + "|" + flags;
  }

  /** "10.0.1.2_40002-10.0.3.2_8080.pcapng": the flow key with only file-name-safe characters. */
  static String fileName(String flowKey) {
    return flowKey.replaceAll("[^A-Za-z0-9.-]+", "_").replaceAll("^_|_$", "") + ".pcapng";
  }
}
