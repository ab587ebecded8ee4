package io.rstscope.agent.policy;

import io.rstscope.agent.decode.DecodedPacket;
import io.rstscope.agent.decode.RstPayload;
import io.rstscope.avro.PacketSummary;
import io.rstscope.avro.RstData;
import io.rstscope.avro.RstDataFormat;
import io.rstscope.avro.PayloadHint;
import io.rstscope.avro.PayloadKind;
import io.rstscope.avro.SummaryKind;
import io.rstscope.avro.TcpOptions;
import java.nio.ByteBuffer;
import java.time.Instant;

/** Builds the Avro summaries. Allocation happens here, only for what is published. */
public final class Summaries {
  /** The watermark time that means "this point is done": Long.MAX_VALUE microseconds. */
  public static final Instant END_OF_CAPTURE = instant(Long.MAX_VALUE);

  private Summaries() {}

  public static Instant instant(long micros) {
    return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L);
  }

  public static long micros(Instant instant) {
    return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), 1_000_000L), instant.getNano() / 1_000);
  }

  /** Kind PACKET: everything the decoder found in one packet. */
  public static PacketSummary packet(String point, DecodedPacket p) {
    PacketSummary s = header(point, SummaryKind.PACKET, p.captureMicros, p.ipVersion,
        p.srcAddress(), p.dstAddress(), p.srcPort, p.dstPort);
    s.setTtl(p.ttl);
    s.setIpId(p.ipId == DecodedPacket.NO_VALUE ? null : (int) p.ipId);
    s.setDontFragment(p.dontFragment);
    s.setTcpFlags(p.tcpFlags);
    s.setSeq(p.seq);
    s.setAck(p.ack);
    s.setWindow(p.window);
    s.setPayloadLength(p.payloadLength);
    if (p.hasOptions) {
      s.setOptions(new TcpOptions(
          p.mss == DecodedPacket.NO_VALUE ? null : p.mss,
          p.windowScale == DecodedPacket.NO_VALUE ? null : p.windowScale,
          p.sackPermitted, p.sackBlocks,
          p.hasTimestamps ? p.tsVal : null,
          p.hasTimestamps ? p.tsEcr : null));
    }
    if (p.hintKind == DecodedPacket.HINT_TLS_CLIENT_HELLO) {
      s.setPayloadHint(new PayloadHint(PayloadKind.TLS_CLIENT_HELLO, p.sni(), null, null, null));
    } else if (p.hintKind == DecodedPacket.HINT_HTTP_REQUEST) {
      s.setPayloadHint(new PayloadHint(PayloadKind.HTTP_REQUEST, null, p.httpMethod(), p.httpHost(), p.httpTarget()));
    }
    if (p.rstFormat != RstPayload.NONE) {
      s.setRstData(rstData(p));
    }
    return s;
  }

  static RstData rstData(DecodedPacket p) {
    return switch (p.rstFormat) {
      case RstPayload.COMPACT -> new RstData(RstDataFormat.COMPACT, p.rstReasonCode, p.rstPen, null);
      case RstPayload.DESCRIPTION -> new RstData(RstDataFormat.DESCRIPTION, null, null, RstPayload.description(p));
      case RstPayload.MALFORMED -> new RstData(RstDataFormat.MALFORMED, null, null,
          RstPayload.printable(p.data, p.rstTextOffset, p.rstTextLength));
      default -> new RstData(RstDataFormat.DATA, null, null, RstPayload.printable(p.data, p.rstTextOffset, p.rstTextLength));
    };
  }

  /** Kind WATERMARK of no particular session (an older agent's): only point and captureTime mean something. */
  public static PacketSummary watermark(String point, Instant captureTime) {
    return watermark(point, "", captureTime);
  }

  /** Kind WATERMARK: point, the agent's capture session and captureTime mean something. */
  public static PacketSummary watermark(String point, String session, Instant captureTime) {
    PacketSummary s = new PacketSummary();
    s.setPoint(point);
    s.setSession(session);
    s.setKind(SummaryKind.WATERMARK);
    s.setCaptureTime(captureTime);
    s.setIpVersion(0);
    s.setSrcAddress(ByteBuffer.allocate(0));
    s.setDstAddress(ByteBuffer.allocate(0));
    s.setSrcPort(0);
    s.setDstPort(0);
    s.setTtl(0);
    s.setIpId(null);
    s.setDontFragment(false);
    s.setTcpFlags(0);
    s.setSeq(0L);
    s.setAck(0L);
    s.setWindow(0);
    s.setPayloadLength(0);
    return s;
  }

  static PacketSummary header(String point, SummaryKind kind, long micros, int ipVersion,
      byte[] src, byte[] dst, int srcPort, int dstPort) {
    PacketSummary s = new PacketSummary();
    s.setPoint(point);
    s.setSession("");
    s.setKind(kind);
    s.setCaptureTime(instant(micros));
    s.setIpVersion(ipVersion);
    s.setSrcAddress(ByteBuffer.wrap(src));
    s.setDstAddress(ByteBuffer.wrap(dst));
    s.setSrcPort(srcPort);
    s.setDstPort(dstPort);
    return s;
  }
}
