package io.rstscope.processor.verdict;

import static io.rstscope.schemas.TcpFlags.ACK;
import static io.rstscope.schemas.TcpFlags.FIN;
import static io.rstscope.schemas.TcpFlags.RST;
import static io.rstscope.schemas.TcpFlags.SYN;
import static io.rstscope.schemas.TcpFlags.URG;
import static io.rstscope.schemas.TcpFlags.has;

import io.rstscope.avro.Phase;
import io.rstscope.processor.state.SeqMath;
import io.rstscope.processor.verdict.RstCase.Pkt;
import io.rstscope.processor.verdict.RstCase.PointInfo;
import io.rstscope.processor.verdict.RstCase.Sighting;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What the packets say about one RST, computed once, before any rule runs. The location and cause rules are
 * conditions over these facts only. Packet references are null when no such packet was seen. "Before" and
 * "after" compare times at the same point when the point saw the RST (exact, whatever the clocks), else
 * corrected times.
 *
 * @param rstCase           the case the facts come from (names, path, thresholds, the RST itself)
 * @param fromClient        the RST claims to come from the client
 * @param rstMicros         the RST's first sighting, reference clock
 * @param withAck           the RST carries ACK
 * @param packetPhase       what the connection had done before the RST: handshake, data (payload), teardown
 *                          (a FIN), unknown (nothing seen)
 * @param travel            the known points in the RST's direction of travel, the claimed sender's side first
 * @param nearest           the first point in {@code travel} that saw the RST
 * @param upstream          the point just before {@code nearest} in travel order (null: none, the RST was seen
 *                          at the point nearest its claimed sender)
 * @param upstreamMissed    packets of the claimed sender seen at {@code nearest} before the RST that
 *                          {@code upstream}, although capturing, did not see (its own capture losses)
 * @param ttls              the TTL comparison at every point that saw the RST, in travel order
 * @param ttl               the comparisons summed up
 * @param syn               first sighting of the newest client SYN before the RST (the connection's start)
 * @param synIllegalFlags   that SYN carried FIN or URG
 * @param tupleReused       the 4-tuple had a connection that ended (FIN or RST) before that SYN
 * @param synAck            first server SYN/ACK before the RST
 * @param synAckClosest     the server SYN/ACK closest in time to the RST, before or after it
 * @param synRepeated       the client's SYN sent again after the server's SYN/ACK had passed the same point: the
 *                          SYN/ACK never reached the client
 * @param handshakeAck      the client's first ACK after the SYN/ACK, before the RST
 * @param ackToSyn          a bare ACK from the server answering the SYN without a SYN/ACK (a TIME_WAIT socket)
 * @param clientBytes       payload bytes the client sent before the RST (the most any point saw)
 * @param serverBytes       payload bytes the server sent before the RST
 * @param senderFin         the claimed sender's first FIN before the RST
 * @param otherFin          the other side's first FIN before the RST
 * @param otherDataAfterFin payload from the other side after the claimed sender's FIN, the last before the RST
 * @param last              the last packet of the connection before the RST
 * @param silenceMicros     time from {@code last} to the RST (0 when none)
 * @param trigger           the last packet of the RST's receiver before the RST at {@code nearest}: what it answers
 * @param triggerPassed     whether {@code trigger} was seen at {@code upstream} (it went on past where the RST
 *                          was made); null when unknown (no upstream point, or it was not capturing)
 * @param keepaliveProbes   keepalive probes (seq = next - 1, at most one byte) from the claimed sender before the
 *                          RST, at the point nearest it
 * @param keepalivesAnswered the other side sent anything after the first probe, at that point
 * @param hint              the client's last payload with a recognised hint (ClientHello, HTTP request) before the RST
 * @param earlierRst        the first other RST of this connection before this one
 * @param answeredAfterEarlierRst the other side's last packet after {@code earlierRst} and before this RST
 * @param dataAfter         the claimed sender's packets after its RST at points that saw the RST, same connection
 *                          (the client's SYN sent again counts: it was still trying to connect)
 * @param spreadBurst       other RSTs in the claimed sender's name close in time with other sequence numbers
 * @param seq               the RST's sequence number against what the claimed sender used
 * @param senderNextSeq     the claimed sender's next sequence number before the RST, null when unknown
 * @param seqDelta          RST seq minus {@code senderNextSeq} (0 when unknown)
 * @param answersSegment    the RST's seq is the ack of a segment the other side sent before (the form of a
 *                          stack answering a segment it has no connection for)
 * @param kernelEvents      the endpoints' kernels' own reports (empty without a probe)
 */
public record Facts(
    RstCase rstCase,
    boolean fromClient,
    long rstMicros,
    boolean withAck,
    Phase packetPhase,
    List<String> travel,
    String nearest,
    PointInfo upstream,
    int upstreamMissed,
    List<PointTtl> ttls,
    TtlSummary ttl,
    Pkt syn,
    boolean synIllegalFlags,
    boolean tupleReused,
    Pkt synAck,
    Pkt synAckClosest,
    Pkt synRepeated,
    Pkt handshakeAck,
    Pkt ackToSyn,
    long clientBytes,
    long serverBytes,
    Pkt senderFin,
    Pkt otherFin,
    Pkt otherDataAfterFin,
    Pkt last,
    long silenceMicros,
    Pkt trigger,
    Boolean triggerPassed,
    int keepaliveProbes,
    boolean keepalivesAnswered,
    Pkt hint,
    Pkt earlierRst,
    Pkt answeredAfterEarlierRst,
    List<Pkt> dataAfter,
    List<Pkt> spreadBurst,
    SeqRelation seq,
    Long senderNextSeq,
    long seqDelta,
    boolean answersSegment,
    List<RstCase.KernelEvent> kernelEvents) {

  /** The RST's TTL at one point against the claimed sender's own packets there. */
  public enum TtlComparison {
    /** Within the range of the sender's packets just before the RST. */
    MATCH,
    /** Outside the range of every packet of the sender at that point. */
    DIFFERS,
    /** Outside the packets just before, inside older ones: the route changed; no conclusion. */
    ROUTE_CHANGE,
    /** The sender's only packets there are SYNs (raw-socket tools craft their TTL); no conclusion. */
    ONLY_SYNS,
    /** No packet of the sender there. */
    NO_BASELINE
  }

  /** The comparisons over every point that saw the RST. */
  public enum TtlSummary {
    /** Equal to the sender's at every point where it could be compared, and at least one. */
    MATCH,
    /** Different at some point. */
    DIFFERS,
    /** Only route changes or crafted SYNs to compare with. */
    INCONCLUSIVE,
    /** Nothing to compare with. */
    NO_BASELINE
  }

  /** How the RST's sequence number relates to the claimed sender's. */
  public enum SeqRelation {
    /** The sender's next sequence number, or within its peer's window. */
    IN_WINDOW,
    /** Farther from it than any window (with the largest window scale), and no answer's form. */
    OUT_OF_WINDOW,
    /** Nothing to compare with (no sender packet before it, or a RST+ACK with seq 0 answering a SYN). */
    NO_REFERENCE
  }

  /**
   * @param recentMin  lowest TTL of the sender's last packets before the RST at this point (-1: none)
   * @param recentMax  highest of them
   * @param allMin     lowest TTL of all the sender's packets at this point (-1: none)
   * @param allMax     highest of them
   * @param otherTtl   TTL of the other side's last packet at this point (-1: none)
   */
  public record PointTtl(String point, int rstTtl, TtlComparison comparison, int recentMin, int recentMax,
      int allMin, int allMax, int otherTtl) {

    String range() {
      return recentMin == recentMax ? Integer.toString(recentMin) : recentMin + "-" + recentMax;
    }
  }

  /** Clock-correction slack when asking whether a packet reached a later point. */
  static final long PASS_TOLERANCE_MICROS = 10_000;

  /** How many of the sender's packets just before the RST make its TTL baseline at a point. */
  static final int RECENT_PACKETS = 3;

  public String sender() {
    return fromClient ? "client" : "server";
  }

  public String other() {
    return fromClient ? "server" : "client";
  }

  public RstCase.Thresholds thresholds() {
    return rstCase.thresholds();
  }

  /** The comparison at a point, or null when that point did not see the RST. */
  public PointTtl ttlAt(String point) {
    for (PointTtl t : ttls) {
      if (t.point().equals(point)) {
        return t;
      }
    }
    return null;
  }

  /** Microseconds from a packet to the RST (positive when the packet came first). */
  public long before(Pkt p) {
    return rstMicros - p.tsMicros();
  }

  public static Facts of(RstCase c) {
    if (c.sightings().isEmpty()) {
      throw new IllegalArgumentException("a RST case needs at least one sighting: " + c.findingId());
    }
    return new Finder(c).facts();
  }

  static boolean isRst(Pkt p) {
    return has(p.flags(), RST);
  }

  static boolean isSyn(Pkt p) {
    return has(p.flags(), SYN) && !has(p.flags(), ACK) && !has(p.flags(), RST);
  }

  static boolean isSynAck(Pkt p) {
    return has(p.flags(), SYN) && has(p.flags(), ACK) && !has(p.flags(), RST);
  }

  /** Computes the facts in one pass over the case's packets per fact group. */
  private static final class Finder {
    private final RstCase c;
    private final Map<String, Sighting> sightingAt = new HashMap<>();
    private final long rstTime;

    Finder(RstCase c) {
      this.c = c;
      long first = Long.MAX_VALUE;
      for (Sighting s : c.sightings()) {
        sightingAt.put(s.point(), s);
        first = Math.min(first, s.tsMicros());
      }
      this.rstTime = first;
    }

    private boolean before(Pkt p) {
      Sighting s = sightingAt.get(p.point());
      if (s == null) {
        return p.tsMicros() < rstTime;
      }
      return p.rawMicros() < s.rawMicros() || p.rawMicros() == s.rawMicros() && p.arrival() < s.arrival();
    }

    private boolean after(Pkt p) {
      Sighting s = sightingAt.get(p.point());
      if (s == null) {
        return p.tsMicros() > rstTime;
      }
      return p.rawMicros() > s.rawMicros() || p.rawMicros() == s.rawMicros() && p.arrival() > s.arrival();
    }

    private boolean fromSender(Pkt p) {
      return p.fromClient() == c.fromClient();
    }

    Facts facts() {
      // The connection: from the first sighting of the newest client SYN before the RST.
      Pkt newestSyn = null;
      for (Pkt p : c.packets()) {
        if (isSyn(p) && p.fromClient() && before(p) && (newestSyn == null || p.tsMicros() > newestSyn.tsMicros())) {
          newestSyn = p;
        }
      }
      Pkt syn = null;
      if (newestSyn != null) {
        for (Pkt p : c.packets()) {
          if (isSyn(p) && p.fromClient() && p.seq() == newestSyn.seq() && (syn == null || p.tsMicros() < syn.tsMicros())) {
            syn = p;
          }
        }
      }
      long connStart = syn == null ? Long.MIN_VALUE : syn.tsMicros();
      // The connection ends at the next client SYN after the RST (a new connection on the same tuple).
      long connEnd = Long.MAX_VALUE;
      for (Pkt p : c.packets()) {
        if (isSyn(p) && p.fromClient() && after(p) && (newestSyn == null || p.seq() != newestSyn.seq())) {
          connEnd = Math.min(connEnd, p.tsMicros());
        }
      }

      boolean tupleReused = false;
      boolean anyBefore = false;
      Pkt synAck = null;
      Pkt synAckClosest = null;
      Pkt senderFin = null;
      Pkt otherFin = null;
      Pkt last = null;
      Pkt hint = null;
      Pkt earlierRst = null;
      Map<String, long[]> bytesAt = new HashMap<>();
      for (Pkt p : c.packets()) {
        if (p.tsMicros() < connStart) {
          tupleReused |= has(p.flags(), FIN) || isRst(p);
          continue;
        }
        if (isSynAck(p) && !p.fromClient() && p.tsMicros() < connEnd && (synAckClosest == null
            || Math.abs(p.tsMicros() - rstTime) < Math.abs(synAckClosest.tsMicros() - rstTime))) {
          synAckClosest = p;
        }
        if (!before(p)) {
          continue;
        }
        anyBefore = true;
        if (isRst(p)) {
          // The first RST of the connection is what ended it; later ones are its consequences.
          if (!c.findingId().equals(p.rstId()) && (earlierRst == null || p.tsMicros() < earlierRst.tsMicros())) {
            earlierRst = p;
          }
          continue;
        }
        if (isSynAck(p) && !p.fromClient() && (synAck == null || p.tsMicros() < synAck.tsMicros())) {
          synAck = p;
        }
        if (p.fromClient() && p.payload() > 0 && p.hintKind() != null && (hint == null || p.tsMicros() >= hint.tsMicros())) {
          hint = p;
        }
        if (has(p.flags(), FIN) && !has(p.flags(), SYN)) {
          if (fromSender(p) && (senderFin == null || p.tsMicros() < senderFin.tsMicros())) {
            senderFin = p;
          } else if (!fromSender(p) && (otherFin == null || p.tsMicros() < otherFin.tsMicros())) {
            otherFin = p;
          }
        }
        if (last == null || p.tsMicros() > last.tsMicros()) {
          last = p;
        }
        long[] bytes = bytesAt.computeIfAbsent(p.point(), k -> new long[2]);
        bytes[p.fromClient() ? 0 : 1] += p.payload();
      }
      long clientBytes = 0;
      long serverBytes = 0;
      for (long[] b : bytesAt.values()) {
        clientBytes = Math.max(clientBytes, b[0]);
        serverBytes = Math.max(serverBytes, b[1]);
      }

      Pkt handshakeAck = null;
      Pkt ackToSyn = null;
      Pkt otherDataAfterFin = null;
      Pkt answeredAfterEarlierRst = null;
      for (Pkt p : c.packets()) {
        if (p.tsMicros() < connStart || !before(p) || isRst(p)) {
          continue;
        }
        boolean pureAck = has(p.flags(), ACK) && !has(p.flags(), SYN);
        if (p.fromClient() && pureAck && synAck != null && p.tsMicros() >= synAck.tsMicros()
            && (handshakeAck == null || p.tsMicros() < handshakeAck.tsMicros())) {
          handshakeAck = p;
        }
        if (!p.fromClient() && pureAck && synAck == null && syn != null && p.payload() == 0
            && p.tsMicros() >= syn.tsMicros()) {
          ackToSyn = p;
        }
        if (!fromSender(p) && senderFin != null && p.payload() > 0 && p.tsMicros() > senderFin.tsMicros()
            && (otherDataAfterFin == null || p.tsMicros() > otherDataAfterFin.tsMicros())) {
          otherDataAfterFin = p;
        }
        if (earlierRst != null && !fromSender(p) && p.tsMicros() > earlierRst.tsMicros()
            && (answeredAfterEarlierRst == null || p.tsMicros() > answeredAfterEarlierRst.tsMicros())) {
          answeredAfterEarlierRst = p;
        }
      }

      List<Pkt> dataAfter = new ArrayList<>();
      List<Pkt> burst = new ArrayList<>();
      for (Pkt p : c.packets()) {
        if (!fromSender(p)) {
          continue;
        }
        boolean sameSyn = syn != null && isSyn(p) && p.seq() == syn.seq();
        if (!isRst(p) && (!has(p.flags(), SYN) || sameSyn) && sightingAt.containsKey(p.point()) && after(p)
            && p.tsMicros() < connEnd) {
          dataAfter.add(p);
        }
        if (isRst(p) && !c.findingId().equals(p.rstId()) && p.seq() != c.seq()
            && Math.abs(p.tsMicros() - rstTime) <= c.thresholds().burstMicros()
            && burst.stream().noneMatch(b -> Objects.equals(b.rstId(), p.rstId()))) {
          burst.add(p);
        }
      }

      Pkt synRepeated = null;
      if (syn != null) {
        Map<String, Long> synAckAt = new HashMap<>();
        for (Pkt p : c.packets()) {
          if (isSynAck(p) && !p.fromClient() && p.tsMicros() >= connStart) {
            synAckAt.merge(p.point(), p.rawMicros(), Math::min);
          }
        }
        for (Pkt p : c.packets()) {
          Long at = synAckAt.get(p.point());
          if (isSyn(p) && p.fromClient() && p.seq() == syn.seq() && at != null && p.rawMicros() > at
              && (synRepeated == null || p.tsMicros() < synRepeated.tsMicros())) {
            synRepeated = p;
          }
        }
      }

      Phase phase;
      if (!anyBefore) {
        phase = syn != null ? Phase.handshake : Phase.unknown;
      } else if (senderFin != null || otherFin != null) {
        phase = Phase.teardown;
      } else if (clientBytes + serverBytes > 0) {
        phase = Phase.data;
      } else {
        phase = Phase.handshake;
      }

      List<String> travel = travel();
      String nearest = travel.stream().filter(sightingAt::containsKey).findFirst().orElseThrow();
      int at = travel.indexOf(nearest);
      PointInfo upstream = at > 0 ? c.points().get(travel.get(at - 1)) : null;
      Pkt trigger = trigger(nearest, connStart);
      Boolean triggerPassed = null;
      if (trigger != null && upstream != null && upstream.capturing()) {
        triggerPassed = passed(trigger, upstream.name());
      }
      int upstreamMissed = 0;
      if (upstream != null && upstream.capturing() && upstream.sawFlow()) {
        // Only SYNs and FINs: every point publishes those one by one, while other packets may be folded into
        // progress summaries differently at each point.
        for (Pkt p : c.packets()) {
          if (p.point().equals(nearest) && fromSender(p) && !p.progress() && before(p) && p.tsMicros() >= connStart
              && (p.flags() & (SYN | FIN)) != 0 && !seenAt(p, upstream.name())) {
            upstreamMissed++;
          }
        }
      }

      List<PointTtl> ttls = new ArrayList<>();
      for (String p : travel) {
        Sighting s = sightingAt.get(p);
        if (s != null) {
          ttls.add(compareTtl(p, s.ttl()));
        }
      }

      Long next = null;
      int window = 65535;
      for (Pkt p : c.packets()) {
        if (fromSender(p) && !isRst(p) && before(p) && !p.progress() && p.tsMicros() >= connStart
            && (next == null || SeqMath.after(p.seqEnd(), next))) {
          next = p.seqEnd();
        }
        if (!fromSender(p) && before(p) && !isRst(p)) {
          window = p.window();
        }
      }
      boolean answers = false;
      for (Pkt p : c.packets()) {
        if (!fromSender(p) && before(p) && !isRst(p) && has(p.flags(), ACK) && p.ack() == c.seq()) {
          answers = true;
          break;
        }
      }
      SeqRelation seq;
      long delta = 0;
      if (next == null || !has(c.flags(), ACK) && c.seq() == 0) {
        seq = SeqRelation.NO_REFERENCE;
      } else {
        delta = SeqMath.diff(next, c.seq());
        // The receiver's window scale is not kept per packet: assume a generous 7 (Linux's usual); only a RST
        // outside that window, and farther than 2^20, is out of it.
        long scaled = (long) window << 7;
        seq = Math.abs(delta) > Math.max(scaled, 1L << 20) && !answers ? SeqRelation.OUT_OF_WINDOW : SeqRelation.IN_WINDOW;
      }

      int[] probes = keepalives(nearest, connStart);

      return new Facts(c, c.fromClient(), rstTime, has(c.flags(), ACK), phase, travel, nearest, upstream,
          upstreamMissed, List.copyOf(ttls), summarize(ttls), syn, syn != null && (syn.flags() & (FIN | URG)) != 0,
          tupleReused, synAck, synAckClosest, synRepeated, handshakeAck, ackToSyn, clientBytes, serverBytes, senderFin, otherFin,
          otherDataAfterFin, last, last == null ? 0 : rstTime - last.tsMicros(), trigger, triggerPassed, probes[0],
          probes[1] > 0, hint, earlierRst, answeredAfterEarlierRst, List.copyOf(dataAfter), List.copyOf(burst), seq,
          next, delta, answers, c.kernelEvents());
    }

    /** Known points in the RST's direction of travel, the claimed sender's side first. */
    private List<String> travel() {
      List<String> travel = new ArrayList<>();
      for (String p : c.path()) {
        if (c.points().containsKey(p) || sightingAt.containsKey(p)) {
          travel.add(p);
        }
      }
      for (Sighting s : c.sightings()) {
        if (!travel.contains(s.point())) {
          travel.add(s.point());
        }
      }
      if (!c.fromClient()) {
        Collections.reverse(travel);
      }
      return List.copyOf(travel);
    }

    /**
     * The receiver's last packet before the RST where the RST was first seen: what the RST answers. A PROGRESS
     * summary counts (its time, flags and numbers are its last packet's): the agent folds ordinary segments
     * into one and publishes it right before a RST.
     */
    private Pkt trigger(String nearest, long connStart) {
      Pkt trigger = null;
      for (Pkt p : c.packets()) {
        if (!fromSender(p) && p.point().equals(nearest) && !isRst(p) && before(p)
            && p.tsMicros() >= connStart && (trigger == null || p.tsMicros() >= trigger.tsMicros())) {
          trigger = p;
        }
      }
      return trigger;
    }

    /**
     * The packet went on to the point: seen there itself, or (folded into a progress summary there) the same side
     * reached at least its sequence and acknowledgment numbers there no earlier than it was sent.
     */
    private boolean passed(Pkt packet, String point) {
      if (seenAt(packet, point)) {
        return true;
      }
      for (Pkt p : c.packets()) {
        if (p.point().equals(point) && p.fromClient() == packet.fromClient() && !isRst(p)
            && p.tsMicros() >= packet.tsMicros() - PASS_TOLERANCE_MICROS
            && !SeqMath.after(packet.seqEnd(), p.seqEnd())
            && (!has(packet.flags(), ACK) || !SeqMath.after(packet.ack(), p.ack()))) {
          return true;
        }
      }
      return false;
    }

    private boolean seenAt(Pkt packet, String point) {
      for (Pkt p : c.packets()) {
        if (p.point().equals(point) && !p.progress() && p.fromClient() == packet.fromClient()
            && p.flags() == packet.flags() && p.seq() == packet.seq() && p.ack() == packet.ack()
            && p.len() == packet.len() && Objects.equals(p.ipId(), packet.ipId())) {
          return true;
        }
      }
      return false;
    }

    private PointTtl compareTtl(String point, int rstTtl) {
      List<Pkt> mine = new ArrayList<>();
      int otherTtl = -1;
      long otherTs = Long.MIN_VALUE;
      for (Pkt p : c.packets()) {
        if (!p.point().equals(point) || isRst(p)) {
          continue;
        }
        if (fromSender(p)) {
          mine.add(p);
        } else if (p.tsMicros() > otherTs) {
          otherTs = p.tsMicros();
          otherTtl = p.ttl();
        }
      }
      if (mine.isEmpty()) {
        return new PointTtl(point, rstTtl, TtlComparison.NO_BASELINE, -1, -1, -1, -1, otherTtl);
      }
      int allMin = Integer.MAX_VALUE;
      int allMax = Integer.MIN_VALUE;
      boolean onlySyns = true;
      for (Pkt p : mine) {
        allMin = Math.min(allMin, lowTtl(p));
        allMax = Math.max(allMax, highTtl(p));
        onlySyns &= isSyn(p);
      }
      // The sender's packets just before the RST (a route change shifts every later packet); none before: all.
      List<Pkt> recent = new ArrayList<>();
      for (Pkt p : mine) {
        if (before(p)) {
          recent.add(p);
        }
      }
      if (recent.isEmpty()) {
        recent = mine;
      }
      recent = recent.subList(Math.max(0, recent.size() - RECENT_PACKETS), recent.size());
      int min = Integer.MAX_VALUE;
      int max = Integer.MIN_VALUE;
      for (Pkt p : recent) {
        min = Math.min(min, lowTtl(p));
        max = Math.max(max, highTtl(p));
      }
      TtlComparison cmp;
      if (rstTtl >= min && rstTtl <= max) {
        cmp = TtlComparison.MATCH;
      } else if (onlySyns) {
        cmp = TtlComparison.ONLY_SYNS;
      } else if (rstTtl >= allMin && rstTtl <= allMax) {
        cmp = TtlComparison.ROUTE_CHANGE;
      } else {
        cmp = TtlComparison.DIFFERS;
      }
      return new PointTtl(point, rstTtl, cmp, min, max, allMin, allMax, otherTtl);
    }

    private static int lowTtl(Pkt p) {
      return p.progress() ? p.ttlMin() : p.ttl();
    }

    private static int highTtl(Pkt p) {
      return p.progress() ? p.ttlMax() : p.ttl();
    }

    private static TtlSummary summarize(List<PointTtl> ttls) {
      boolean match = false;
      boolean inconclusive = false;
      for (PointTtl t : ttls) {
        switch (t.comparison()) {
          case DIFFERS -> {
            return TtlSummary.DIFFERS;
          }
          case MATCH -> match = true;
          case ROUTE_CHANGE, ONLY_SYNS -> inconclusive = true;
          case NO_BASELINE -> { }
        }
      }
      return match ? TtlSummary.MATCH : inconclusive ? TtlSummary.INCONCLUSIVE : TtlSummary.NO_BASELINE;
    }

    /**
     * Keepalive probes of the claimed sender before the RST at a point: a segment of at most one byte whose
     * sequence number is one below the highest the sender had reached (for a PROGRESS summary: its last packet).
     * Returns {probes, packets of the other side after the first probe}.
     */
    private int[] keepalives(String point, long connStart) {
      List<Pkt> here = new ArrayList<>();
      for (Pkt p : c.packets()) {
        if (p.point().equals(point) && before(p) && p.tsMicros() >= connStart && !isRst(p)) {
          here.add(p);
        }
      }
      Long highest = null;
      int probes = 0;
      int answers = 0;
      for (Pkt p : here) {
        if (!fromSender(p)) {
          if (probes > 0) {
            answers++;
          }
          continue;
        }
        // A PROGRESS summary's last packet is compared with what the sender reached including that summary.
        Long reached = p.progress() && (highest == null || SeqMath.after(p.seqEnd(), highest)) ? Long.valueOf(p.seqEnd())
            : highest;
        boolean small = p.progress() || p.len() <= 1;
        boolean control = (p.flags() & (SYN | FIN | RST)) != 0;
        if (!control && small && reached != null && has(p.flags(), ACK) && ((p.seq() + 1) & 0xffffffffL) == reached) {
          probes++;
        }
        if (highest == null || SeqMath.after(p.seqEnd(), highest)) {
          highest = p.seqEnd();
        }
      }
      return new int[] {probes, answers};
    }
  }
}
