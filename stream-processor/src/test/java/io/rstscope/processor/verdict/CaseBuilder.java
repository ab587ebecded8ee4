package io.rstscope.processor.verdict;

import io.rstscope.schemas.TcpFlags;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds RstCases the way the topology would from a three-point path (client - P1 - R1 - P2 - R2 -
 * P3 - server, the lab's layout): client packets have TTL 64/63/62 at P1/P2/P3, server packets
 * 62/63/64. Times in milliseconds from the flow's start, one clock.
 */
final class CaseBuilder {
  static final String CLIENT = "10.0.1.2:40001";
  static final String SERVER = "10.0.3.2:8081";
  private static final long T0 = 1_764_000_000_000_000L;

  private final List<String> path = new ArrayList<>(List.of("P1", "P2", "P3"));
  private final Map<String, RstCase.PointInfo> points = new LinkedHashMap<>();
  private final List<RstCase.Pkt> packets = new ArrayList<>();
  private final List<RstCase.Sighting> sightings = new ArrayList<>();
  private boolean rstFromClient;
  private long rstSeq;
  private long rstAck;
  private int rstFlags;
  private int otherRsts;

  CaseBuilder() {
    for (String p : path) {
      points.put(p, new RstCase.PointInfo(p, true, true, false, true, 0));
    }
  }

  CaseBuilder onlyPoints(String... names) {
    path.clear();
    points.clear();
    for (String p : names) {
      path.add(p);
      points.put(p, new RstCase.PointInfo(p, true, true, false, true, 0));
    }
    return this;
  }

  /**
   * Only these points report, the packets added so far stay (those at other points then look like another
   * capture's); unlike {@link #onlyPoints} the TTLs keep the three-point layout.
   */
  CaseBuilder onlyPointsKeepingPackets(String... names) {
    List<String> keep = List.of(names);
    points.keySet().retainAll(keep);
    packets.removeIf(p -> !keep.contains(p.point()));
    return this;
  }

  static int ttl(String point, boolean fromClient) {
    int i = List.of("P1", "P2", "P3").indexOf(point);
    return fromClient ? 64 - i : 62 + i;
  }

  /** The same packet at every point of the path, 0.1 ms apart in its direction of travel. */
  CaseBuilder packet(double ms, boolean fromClient, String flags, long seq, long ack, int len) {
    return packetAt(path, ms, fromClient, flags, seq, ack, len, -1, null, null);
  }

  CaseBuilder packetAt(List<String> at, double ms, boolean fromClient, String flags, long seq, long ack, int len,
      int ttlOverride, String hintKind, String hintText) {
    List<String> order = new ArrayList<>(at);
    if (!fromClient) {
      java.util.Collections.reverse(order);
    }
    int flagBits = TcpFlags.parse(flags);
    String rstId = TcpFlags.has(flagBits, TcpFlags.RST) ? "other-" + (otherRsts++) : null;
    for (int i = 0; i < order.size(); i++) {
      String p = order.get(i);
      long ts = T0 + (long) (ms * 1000) + i * 100L;
      int ttl = ttlOverride > 0 ? ttlOverride - (fromClient ? path.indexOf(p) : path.size() - 1 - path.indexOf(p))
          : ttl(p, fromClient);
      long seqEnd = (seq + len + (TcpFlags.has(flagBits, TcpFlags.SYN) ? 1 : 0)
          + (TcpFlags.has(flagBits, TcpFlags.FIN) ? 1 : 0)) & 0xffffffffL;
      packets.add(new RstCase.Pkt(p, ts, ts, fromClient, flagBits, seq, ack, len, ttl, ttl, ttl, 0, 64240,
          false, 0, hintKind, hintText, rstId, packets.size(), seqEnd));
    }
    return this;
  }

  CaseBuilder hint(double ms, String kind, String text, long seq, long ack, int len) {
    return packetAt(path, ms, true, "PA", seq, ack, len, -1, kind, text);
  }

  /** The RST under judgement, seen at the given points with the given TTL at its first one (-1: the sender's own). */
  CaseBuilder rst(double ms, boolean fromClient, String flags, long seq, long ack, int firstTtl, String... at) {
    sightings.clear(); // a builder may be reused for another RST over the same packets
    rstFromClient = fromClient;
    rstSeq = seq;
    rstAck = ack;
    rstFlags = TcpFlags.parse(flags);
    List<String> order = new ArrayList<>(List.of(at));
    order.sort(java.util.Comparator.comparingInt(path::indexOf));
    if (!fromClient) {
      java.util.Collections.reverse(order);
    }
    for (int i = 0; i < order.size(); i++) {
      String p = order.get(i);
      long ts = T0 + (long) (ms * 1000) + i * 100L;
      int ttl = firstTtl < 0 ? ttl(p, fromClient) : firstTtl - i;
      sightings.add(new RstCase.Sighting(p, ts, ts, ttl, 1_000_000 + sightings.size()));
    }
    return this;
  }

  CaseBuilder point(String name, boolean capturing, boolean sawFlow) {
    points.put(name, new RstCase.PointInfo(name, capturing, sawFlow, false, true, 0));
    return this;
  }

  RstCase build() {
    packets.sort(java.util.Comparator.comparingLong(RstCase.Pkt::tsMicros));
    return new RstCase("this-rst", CLIENT, SERVER, "syn", rstFromClient, rstSeq, rstAck, rstFlags, 0,
        sightings, path, points, packets, RstCase.Thresholds.defaults());
  }

  Verdict judge() {
    return VerdictEngine.decide(build());
  }
}
