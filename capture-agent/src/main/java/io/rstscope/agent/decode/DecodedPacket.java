package io.rstscope.agent.decode;

import java.nio.charset.StandardCharsets;

/**
 * One decoded TCP segment: a mutable struct that the decoder fills in place, reused for every
 * packet so that the hot path allocates nothing. Valid until the next {@code decode} call;
 * the hint offsets point into {@link #data}, the capture buffer of the current packet.
 *
 * <p>Addresses are kept as two longs each (IPv4 in the low 32 bits of {@code lo}, {@code hi}
 * zero) so that flow lookups compare numbers instead of byte arrays.
 */
public final class DecodedPacket {
  public static final int NO_VALUE = -1;

  public static final int HINT_NONE = 0;
  public static final int HINT_TLS_CLIENT_HELLO = 1;
  public static final int HINT_HTTP_REQUEST = 2;

  /** Capture buffer of the current packet (not copied). */
  public byte[] data;
  public int capturedLength;
  public long captureMicros;

  public int ipVersion;
  public long srcHi;
  public long srcLo;
  public long dstHi;
  public long dstLo;
  public int ttl;
  /** IPv4 identification, IPv6 fragment identification (low 32 bits as int), or {@link #NO_VALUE}. */
  public long ipId;
  public boolean dontFragment;
  /** True for the first fragment of a fragmented datagram (the only one that carries TCP). */
  public boolean firstFragment;

  public int srcPort;
  public int dstPort;
  /** FIN 0x01 ... CWR 0x80, NS 0x100 (io.rstscope.schemas.TcpFlags). */
  public int tcpFlags;
  public long seq;
  public long ack;
  public int window;
  public int payloadLength;
  public int payloadOffset;
  /** Payload bytes actually present in {@link #data}. */
  public int payloadCaptured;

  public boolean hasOptions;
  public int mss;
  public int windowScale;
  public boolean sackPermitted;
  public int sackBlocks;
  public boolean hasTimestamps;
  public long tsVal;
  public long tsEcr;

  public int hintKind;
  public int sniOffset;
  public int sniLength;
  public int httpMethodOffset;
  public int httpMethodLength;
  public int httpTargetOffset;
  public int httpTargetLength;
  public int httpHostOffset;
  public int httpHostLength;

  /** For a RST with payload: one of RstPayload's formats (NONE without payload). */
  public int rstFormat;
  public int rstReasonCode;
  public long rstPen;
  /** DESCRIPTION: the reason's bytes; DATA and MALFORMED: the first bytes shown. */
  public int rstTextOffset;
  public int rstTextLength;

  /** A note on a decoded packet ({@link Anomaly#dropsPacket()} false), or NONE. */
  public Anomaly note;

  void reset(byte[] data, int capturedLength, long captureMicros) {
    this.data = data;
    this.capturedLength = capturedLength;
    this.captureMicros = captureMicros;
    ipVersion = 0;
    srcHi = srcLo = dstHi = dstLo = 0;
    ttl = 0;
    ipId = NO_VALUE;
    dontFragment = false;
    firstFragment = false;
    srcPort = dstPort = 0;
    tcpFlags = 0;
    seq = ack = 0;
    window = 0;
    payloadLength = payloadOffset = payloadCaptured = 0;
    hasOptions = false;
    mss = NO_VALUE;
    windowScale = NO_VALUE;
    sackPermitted = false;
    sackBlocks = 0;
    hasTimestamps = false;
    tsVal = tsEcr = 0;
    hintKind = HINT_NONE;
    sniOffset = sniLength = 0;
    httpMethodOffset = httpMethodLength = 0;
    httpTargetOffset = httpTargetLength = 0;
    httpHostOffset = httpHostLength = 0;
    rstFormat = RstPayload.NONE;
    rstReasonCode = 0;
    rstPen = 0;
    rstTextOffset = rstTextLength = 0;
    note = Anomaly.NONE;
  }

  public byte[] srcAddress() {
    return address(srcHi, srcLo);
  }

  public byte[] dstAddress() {
    return address(dstHi, dstLo);
  }

  /** Network-order bytes of an address held as two longs; 4 bytes for IPv4. */
  public byte[] address(long hi, long lo) {
    return addressBytes(ipVersion, hi, lo);
  }

  public static byte[] addressBytes(int ipVersion, long hi, long lo) {
    if (ipVersion == 4) {
      return new byte[] {(byte) (lo >>> 24), (byte) (lo >>> 16), (byte) (lo >>> 8), (byte) lo};
    }
    byte[] out = new byte[16];
    for (int i = 0; i < 8; i++) {
      out[i] = (byte) (hi >>> (56 - 8 * i));
      out[8 + i] = (byte) (lo >>> (56 - 8 * i));
    }
    return out;
  }

  public String sni() {
    return text(sniOffset, sniLength);
  }

  public String httpMethod() {
    return text(httpMethodOffset, httpMethodLength);
  }

  public String httpTarget() {
    return text(httpTargetOffset, Math.min(httpTargetLength, 256));
  }

  public String httpHost() {
    return text(httpHostOffset, httpHostLength);
  }

  private String text(int offset, int length) {
    return length <= 0 ? null : new String(data, offset, length, StandardCharsets.ISO_8859_1);
  }
}
