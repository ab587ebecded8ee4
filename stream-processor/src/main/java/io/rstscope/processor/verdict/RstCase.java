package io.rstscope.processor.verdict;

import java.util.List;
import java.util.Map;

/**
 * Everything the verdict on one RST may look at, already put in one clock (offsets applied)
 * and in client/server terms. Built by the topology from the flow's state; built by hand in tests.
 *
 * @param client      client endpoint text ("10.0.0.1:40000")
 * @param server      server endpoint text
 * @param rolesFrom   "syn" or "ports"
 * @param fromClient  the RST claims to come from the client
 * @param sightings   every point that saw this RST
 * @param path        points ordered client side first (every known point)
 * @param points      what each known point was doing, by name
 * @param packets     every other summary of the flow (other RSTs included), sorted by corrected time
 * @param kernelEvents what the endpoints' kernels reported about resets of this flow (tcp_send_reset,
 *                    tcp_receive_reset), sorted by time; empty without a kernel probe
 */
public record RstCase(
    String findingId,
    String client,
    String server,
    String rolesFrom,
    boolean fromClient,
    long seq,
    long ack,
    int flags,
    Integer ipId,
    List<Sighting> sightings,
    List<String> path,
    Map<String, PointInfo> points,
    List<Pkt> packets,
    Thresholds thresholds,
    List<KernelEvent> kernelEvents) {

  public RstCase {
    sightings = List.copyOf(sightings);
    path = List.copyOf(path);
    points = Map.copyOf(points);
    packets = List.copyOf(packets);
    kernelEvents = List.copyOf(kernelEvents);
  }

  /** A case without kernel events (no probe on the endpoints). */
  public RstCase(String findingId, String client, String server, String rolesFrom, boolean fromClient, long seq,
      long ack, int flags, Integer ipId, List<Sighting> sightings, List<String> path, Map<String, PointInfo> points,
      List<Pkt> packets, Thresholds thresholds) {
    this(findingId, client, server, rolesFrom, fromClient, seq, ack, flags, ipId, sightings, path, points, packets,
        thresholds, List.of());
  }

  /**
   * One reset event an endpoint's kernel reported.
   *
   * @param event      tcp_send_reset or tcp_receive_reset
   * @param fromClient the reporting host is the client
   * @param reason     the kernel's sk_rst_reason name, e.g. NO_SOCKET, TCP_KEEPALIVE_TIMEOUT
   * @param state      the socket state, e.g. TCP_ESTABLISHED
   */
  public record KernelEvent(long tsMicros, String event, boolean fromClient, String reason, String state) {}

  /**
   * One point's sighting; {@code tsMicros} corrected to the reference clock, {@code rawMicros} the point's own.
   * {@code arrival} orders summaries of one point that carry the same timestamp (microsecond resolution
   * is coarse on a fast link): a point publishes its summaries in capture order.
   */
  public record Sighting(String point, long tsMicros, long rawMicros, int ttl, int arrival) {}

  /**
   * @param capturing the point's watermarks covered the RST's time (it was capturing and has published it all)
   * @param sawFlow   the point saw at least one packet of this flow
   * @param dropping  the point reported kernel/interface or publish drops
   * @param reported  the point sent watermarks at all (false: expected but silent)
   * @param startKnown when the point started capturing is known in this task; false when all it sent here
   *                  was its final watermark (a capture shorter than one heartbeat, no packet of this
   *                  partition): it is then assumed to have captured the whole time
   */
  public record PointInfo(String name, boolean capturing, boolean sawFlow, boolean dropping, boolean reported,
      long offsetMicros, boolean startKnown) {

    public PointInfo(String name, boolean capturing, boolean sawFlow, boolean dropping, boolean reported,
        long offsetMicros) {
      this(name, capturing, sawFlow, dropping, reported, offsetMicros, true);
    }
  }

  /**
   * One summary of the flow. For PROGRESS summaries {@code progress} is true, {@code len} is 0 and
   * {@code progressBytes} the payload they cover. {@code rstId} is the finding id when it is a RST;
   * {@code arrival} as in Sighting. {@code seqEnd} is the sequence number after this segment (seq + length,
   * SYN and FIN counting one); for PROGRESS summaries the highest one of the packets they cover, while
   * {@code seq} is the last covered packet's: a last packet with {@code seq == seqEnd - 1} was a keepalive probe.
   */
  public record Pkt(String point, long tsMicros, long rawMicros, boolean fromClient, int flags, long seq, long ack,
      int len, int ttl, int ttlMin, int ttlMax, Integer ipId, int window, boolean progress, long progressBytes,
      String hintKind, String hintText, String rstId, int arrival, long seqEnd) {

    public long payload() {
      return progress ? progressBytes : len;
    }
  }

  /**
   * @param idleMicros      silence before a RST that makes it a timeout rather than an abort
   * @param raceMicros      a forged RST this close to the server's SYN/ACK raced it (bypass_block)
   * @param quickMicros     a reset this soon after the handshake, without data, is a probe or an overflow
   * @param afterFinMicros  a RST this soon after a FIN is an accelerated close
   * @param burstMicros     other RSTs this close in time count for SPREAD_SEQ_RSTS
   */
  public record Thresholds(long idleMicros, long raceMicros, long quickMicros, long afterFinMicros, long burstMicros) {
    public static Thresholds defaults() {
      return new Thresholds(500_000L, 200_000L, 1_000_000L, 2_000_000L, 1_000_000L);
    }
  }
}
