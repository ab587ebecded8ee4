package io.rstscope.processor.state;

/** What one point saw of one direction of a flow, kept up to date summary by summary (for queries and baselines). */
public final class DirectionView {
  public long packets;
  public long payloadBytes;
  public long firstMicros;
  public long lastMicros;
  public Long synMicros;
  public Long synAckMicros;
  public Long finMicros;
  public int rsts;
  /** TTL of the sender's non-RST packets at this point: the baseline an RST claiming this sender is held against. */
  public int ttlMin = Integer.MAX_VALUE;
  public int ttlMax = Integer.MIN_VALUE;
  public Integer lastIpId;
  /** IP IDs that grew by 1..1024 from the previous packet, and those that did not: the sender's IP ID trend. */
  public int ipIdSteps;
  public int ipIdJumps;
  /** Next expected sequence number (highest seq + length, SYN and FIN counted), unsigned 32 bit. */
  public Long nextSeq;
  public Long lastAck;
  public Integer windowScale;
  public boolean sackPermitted;
  public boolean timestamps;
  public String lastHint;

  public boolean hasTtlBaseline() {
    return ttlMin <= ttlMax;
  }
}
