package io.rstscope.processor.zeek;

import io.rstscope.processor.state.FlowState;
import io.rstscope.processor.state.Segment;
import io.rstscope.schemas.TcpFlags;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Zeek's view of a flow from one point's summaries: the flow's packets cut into connections (a new
 * one after a SYN that reuses the tuple, after an unanswered SYN's attempt delay, after a closed
 * connection's linger time, or after the inactivity timeout), each with its conn_state and history.
 *
 * <p>The agent publishes every SYN, FIN and RST, the first packets of each direction, and folds the
 * rest into PROGRESS summaries. Those runs hold no SYN, FIN or RST, so S, H, F, R, I and Q letters
 * and every state change are exact; a run adds D when it carried payload and A when it was only
 * ACKs, at the capture times the agent gives for the run's first payload and first pure ACK (an
 * older agent gave neither: then D only, at the run's start). What a run hides: a retransmission
 * inside it (T), a zero window (W), and content gaps (G).
 */
public final class ZeekFlows {
  private ZeekFlows() {}

  /** Connections of one point, in time order. */
  public static List<ZeekConnection> atPoint(FlowState flow, String point, int lowPort, int highPort) {
    List<ZeekPacket> packets = new ArrayList<>();
    for (Segment s : flow.segments) {
      if (s.point.equals(point)) {
        packets.addAll(packetsOf(s, lowPort, highPort));
      }
    }
    packets.sort(Comparator.comparingLong(ZeekPacket::tsMicros));
    return connections(packets);
  }

  /** Connections of every point that saw the flow, point by point in the order they were first seen. */
  public static Map<String, List<ZeekConnection>> byPoint(FlowState flow, int lowPort, int highPort) {
    Map<String, List<ZeekConnection>> out = new LinkedHashMap<>();
    for (String point : flow.views.keySet()) {
      out.put(point, atPoint(flow, point, lowPort, highPort));
    }
    return out;
  }

  /** The connection of {@code point} that was live at {@code tsMicros} (the last one started by then), or null. */
  public static ZeekConnection at(List<ZeekConnection> connections, long tsMicros) {
    ZeekConnection found = null;
    for (ZeekConnection c : connections) {
      if (c.startMicros() <= tsMicros) {
        found = c;
      }
    }
    return found == null && !connections.isEmpty() ? connections.get(0) : found;
  }

  /** Cuts packets (one point, time order) into connections. */
  public static List<ZeekConnection> connections(List<ZeekPacket> packets) {
    List<ZeekConnection> out = new ArrayList<>();
    ZeekConnection current = null;
    for (ZeekPacket p : packets) {
      if (current != null && (current.over(p.tsMicros()) || current.reusedBy(p))) {
        current = null;
      }
      if (current == null) {
        current = new ZeekConnection(p);
        out.add(current);
      }
      current.accept(p);
    }
    return out;
  }

  static List<ZeekPacket> packetsOf(Segment s, int lowPort, int highPort) {
    int src = s.fromLow ? lowPort : highPort;
    int dst = s.fromLow ? highPort : lowPort;
    if (!s.progress) {
      return List.of(ZeekPacket.of(s.tsMicros, s.fromLow, src, dst, s.flags, s.seq, s.ack, s.len, s.window));
    }
    long first = s.progressFirstMicros > 0 ? s.progressFirstMicros : s.tsMicros;
    long packets = Math.max(1, s.progressPackets);
    int flags = s.flags & ~(TcpFlags.SYN | TcpFlags.FIN | TcpFlags.RST);
    List<ZeekPacket> out = new ArrayList<>(3);
    boolean timesKnown = s.progressFirstAckMicros != Segment.NONE || s.progressFirstDataMicros != Segment.NONE;
    if (timesKnown) {
      // The agent said when the run's first payload and first pure ACK came: both letters, in their order.
      int len = (int) Math.min(Integer.MAX_VALUE, Math.max(1, s.progressBytes));
      if (s.progressFirstDataMicros != Segment.NONE) {
        out.add(new ZeekPacket(s.progressFirstDataMicros, s.fromLow, src, dst, flags | TcpFlags.ACK,
            s.progressSeqEnd - len, s.ack, len, 1, false, packets, s.progressBytes, false));
      }
      if (s.progressFirstAckMicros != Segment.NONE) {
        out.add(new ZeekPacket(s.progressFirstAckMicros, s.fromLow, src, dst, flags | TcpFlags.ACK, s.progressSeqEnd,
            s.ack, 0, 1, false, out.isEmpty() ? packets : 0, 0, false));
      }
      out.sort(Comparator.comparingLong(ZeekPacket::tsMicros));
    } else if (s.progressBytes > 0) {
      // An older agent: the run's payload, ending at its highest sequence number.
      int len = (int) Math.min(Integer.MAX_VALUE, s.progressBytes);
      out.add(new ZeekPacket(first, s.fromLow, src, dst, flags | TcpFlags.ACK, s.progressSeqEnd - len, s.ack, len,
          1, false, packets, s.progressBytes, false));
    } else {
      out.add(new ZeekPacket(first, s.fromLow, src, dst, flags | TcpFlags.ACK, s.progressSeqEnd, s.ack, 0,
          s.window, false, packets, 0, false));
    }
    return out;
  }
}
