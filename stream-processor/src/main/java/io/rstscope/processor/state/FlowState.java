package io.rstscope.processor.state;

import io.rstscope.schemas.TcpFlags;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything known about one flow across all points (store {@code flow-state}, keyed by the
 * canonical FlowKey). Bounded: at most {@link #MAX_SEGMENTS} summaries are kept; the first
 * {@link #KEEP_FIRST} (the handshake) are never dropped, later ones are dropped oldest first,
 * which keeps the handshake and what happened around the newest RSTs.
 */
public final class FlowState {
  public static final int MAX_SEGMENTS = 512;
  public static final int KEEP_FIRST = 32;
  private static final int MAX_DECIDED = 256;
  /** Kernel notes kept per flow; beyond, the oldest go (a flow with this many resets is a scan or a loop). */
  public static final int MAX_KERNEL_NOTES = 64;

  /** True when the low endpoint of the key is the client; null until known. */
  public Boolean clientIsLow;
  /** "syn" when roles come from a SYN or SYN/ACK, "ports" when from port heuristics. */
  public String rolesFrom;
  public Map<String, PointView> views = new LinkedHashMap<>();
  public List<Segment> segments = new ArrayList<>();
  public int droppedSegments;
  /** Newest capture time of any summary of this flow (point's clock). */
  public long lastActivityMicros;
  /** Finding ids of RSTs of this flow already decided, oldest first. */
  public List<String> decided = new ArrayList<>();
  /** Sightings that arrived after their RST was decided (counted, not re-judged). */
  public long lateSightings;
  /** Identical RSTs seen so far, per "point|identity", to tell repeated RSTs apart. */
  public Map<String, Integer> rstOccurrences = new LinkedHashMap<>();
  /** What the endpoints' kernels reported about this flow's resets, in arrival order. */
  public List<KernelNote> kernel = new ArrayList<>();

  public void addKernel(KernelNote note) {
    kernel.add(note);
    if (kernel.size() > MAX_KERNEL_NOTES) {
      kernel.remove(0);
    }
    lastActivityMicros = Math.max(lastActivityMicros, note.tsMicros);
  }

  /** Numbers a RST summary among identical ones from the same point: 0 for the first. */
  public int nextRstOccurrence(Segment s) {
    return rstOccurrences.merge(s.point + "|" + s.rstIdentity(), 1, Integer::sum) - 1;
  }

  public void add(Segment s) {
    PointView view = views.computeIfAbsent(s.point, p -> new PointView());
    update(view.dir(s.fromLow), s);
    learnRoles(s);
    segments.add(s);
    if (segments.size() > MAX_SEGMENTS) {
      segments.remove(KEEP_FIRST);
      droppedSegments++;
    }
    lastActivityMicros = Math.max(lastActivityMicros, s.tsMicros);
  }

  public boolean isDecided(String findingId) {
    return decided.contains(findingId);
  }

  public void markDecided(String findingId) {
    decided.add(findingId);
    if (decided.size() > MAX_DECIDED) {
      decided.remove(0);
    }
  }

  private void learnRoles(Segment s) {
    boolean syn = TcpFlags.has(s.flags, TcpFlags.SYN);
    boolean ack = TcpFlags.has(s.flags, TcpFlags.ACK);
    if (syn && !TcpFlags.has(s.flags, TcpFlags.RST) && !s.progress) {
      // SYN: the sender is the client; SYN/ACK: the receiver is.
      clientIsLow = ack != s.fromLow;
      rolesFrom = "syn";
    }
  }

  private static void update(DirectionView d, Segment s) {
    long count = s.progress ? Math.max(1, s.progressPackets) : 1;
    long bytes = s.progress ? s.progressBytes : s.len;
    if (d.packets == 0) {
      d.firstMicros = s.progress && s.progressFirstMicros > 0 ? s.progressFirstMicros : s.tsMicros;
    }
    d.packets += count;
    d.payloadBytes += bytes;
    d.lastMicros = Math.max(d.lastMicros, s.tsMicros);
    boolean rst = TcpFlags.has(s.flags, TcpFlags.RST);
    boolean syn = TcpFlags.has(s.flags, TcpFlags.SYN);
    if (rst) {
      d.rsts++;
    } else {
      d.ttlMin = Math.min(d.ttlMin, s.progress ? s.ttlMin : s.ttl);
      d.ttlMax = Math.max(d.ttlMax, s.progress ? s.ttlMax : s.ttl);
      if (s.ipId != null) {
        if (d.lastIpId != null) {
          int step = (s.ipId - d.lastIpId) & 0xffff;
          if (step >= 1 && step <= 1024) {
            d.ipIdSteps++;
          } else {
            d.ipIdJumps++;
          }
        }
        d.lastIpId = s.ipId;
      }
      long end = s.progress ? s.progressSeqEnd
          : (s.seq + s.len + (syn ? 1 : 0) + (TcpFlags.has(s.flags, TcpFlags.FIN) ? 1 : 0)) & 0xffffffffL;
      if (d.nextSeq == null || SeqMath.after(end, d.nextSeq)) {
        d.nextSeq = end;
      }
      if (TcpFlags.has(s.flags, TcpFlags.ACK) && (d.lastAck == null || SeqMath.after(s.ack, d.lastAck))) {
        d.lastAck = s.ack;
      }
    }
    if (syn && !rst) {
      if (TcpFlags.has(s.flags, TcpFlags.ACK)) {
        d.synAckMicros = d.synAckMicros == null ? s.tsMicros : d.synAckMicros;
      } else {
        d.synMicros = d.synMicros == null ? s.tsMicros : d.synMicros;
      }
      d.windowScale = s.windowScale;
      d.sackPermitted = s.sackPermitted;
      d.timestamps = s.tsVal != null;
    }
    if (TcpFlags.has(s.flags, TcpFlags.FIN) && d.finMicros == null) {
      d.finMicros = s.tsMicros;
    }
    if (s.hintKind != null) {
      d.lastHint = s.hintKind + (s.hintText == null ? "" : " " + s.hintText);
    }
  }
}
