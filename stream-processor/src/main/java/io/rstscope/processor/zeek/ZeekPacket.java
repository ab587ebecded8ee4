package io.rstscope.processor.zeek;

/**
 * What the connection tracker needs of one packet. A run of packets that the agent summarised
 * (a PROGRESS summary) becomes one or two synthetic packets: {@code packets} and
 * {@code payloadBytes} count the whole run, and {@code mayBeRetransmit} is false because its
 * sequence numbers are a range, not one segment's.
 */
public record ZeekPacket(long tsMicros, boolean fromLow, int srcPort, int dstPort, int flags, long seq, long ack,
    int payloadLength, int window, boolean windowKnown, long packets, long payloadBytes, boolean mayBeRetransmit) {

  /** One real packet. */
  public static ZeekPacket of(long tsMicros, boolean fromLow, int srcPort, int dstPort, int flags, long seq, long ack,
      int payloadLength, int window) {
    return new ZeekPacket(tsMicros, fromLow, srcPort, dstPort, flags, seq, ack, payloadLength, window, true, 1,
        payloadLength, true);
  }
}
