package io.rstscope.processor.state;

/**
 * One summary of a flow as kept in the flow's state: a PACKET or a PROGRESS record from one
 * point, reduced to what verdicts need. Direction is relative to the flow key ({@code fromLow}),
 * not to client/server roles, because roles may only be learned later (a late SYN).
 */
public final class Segment {
  /** No such time. */
  public static final long NONE = Long.MIN_VALUE;

  public String point;
  /** Capture time at the point, point's clock, microseconds since the epoch. */
  public long tsMicros;
  public boolean fromLow;
  public int flags;
  public long seq;
  public long ack;
  public int len;
  public int ttl;
  public Integer ipId;
  public int window;
  public boolean progress;
  public long progressPackets;
  public long progressBytes;
  public long progressFirstMicros;
  public long progressSeqEnd;
  /** The run's first pure ACK and first packet with payload, capture time; {@link #NONE} when none or unknown. */
  public long progressFirstAckMicros = NONE;
  public long progressFirstDataMicros = NONE;
  public int ttlMin;
  public int ttlMax;
  /** TLS_CLIENT_HELLO, HTTP_REQUEST or OTHER when the agent recognised the payload. */
  public String hintKind;
  /** SNI, or "METHOD host target" for HTTP. */
  public String hintText;
  public Integer windowScale;
  public boolean sackPermitted;
  public Long tsVal;
  /** For a RST with payload: the agent's RstDataFormat name (COMPACT, DESCRIPTION, MALFORMED, DATA); null otherwise. */
  public String rstDataFormat;
  /** For a RST with payload: what it says, for a human (see RstDiagnostics); null otherwise. */
  public String rstData;
  /** For a RST: identical RSTs this point saw before it in this flow (see FindingIds). */
  public int rstOccurrence;

  /** Identity of a RST packet without its occurrence number. */
  public String rstIdentity() {
    return (fromLow ? "L" : "H") + "|" + seq + "|" + ack + "|" + flags + "|" + ipId;
  }

  /** Same packet identity as seen at another point (DESIGN: direction, seq, ack, flags, IP ID, length). */
  public boolean samePacketAs(Segment o) {
    return !progress && !o.progress && fromLow == o.fromLow && seq == o.seq && ack == o.ack && flags == o.flags
        && len == o.len && java.util.Objects.equals(ipId, o.ipId);
  }
}
