package io.rstscope.agent.policy;

import io.rstscope.agent.decode.DecodedPacket;
import io.rstscope.avro.FlowKey;
import io.rstscope.avro.PacketSummary;
import io.rstscope.avro.Progress;
import io.rstscope.avro.SummaryKind;
import io.rstscope.avro.TcpOptions;
import io.rstscope.schemas.FlowKeys;
import io.rstscope.schemas.TcpFlags;
import java.time.Duration;

/**
 * Decides which decoded packets become summaries.
 *
 * <p>{@link Mode#CONTROL} (default) publishes what a RST verdict needs and summarises the rest:
 * every SYN, FIN and RST; the first {@code firstPackets} packets of each direction of a flow
 * (TTL, IP ID and option baselines of both senders); every packet of a flow for
 * {@code afterRst} of capture time after a RST on it, at most {@code afterRstPackets} of them
 * (data after a reset shows whose reset it was not); every packet with a payload hint
 * (ClientHello, HTTP request). Everything else is folded into one PROGRESS summary per flow
 * direction, sent when {@link #flushProgress()} is called (every heartbeat), and right before a
 * published packet of that direction. Before a RST or FIN the pending progress of BOTH
 * directions is sent first, so the processor knows the exact sequence state and the last
 * activity just before it.
 *
 * <p>{@link Mode#FULL} publishes every TCP packet.
 *
 * <p>The flow table is bounded by {@code maxFlows}: idle flows expire by capture time
 * ({@link #expireIdle(long)}), and when the table is full the least recently seen of a few
 * sampled flows is evicted, after its pending progress is published. A SYN flood of random
 * tuples therefore costs a bounded table and counted evictions. Not thread-safe: one capture
 * thread owns it.
 */
public final class PublishPolicy {
  public enum Mode { CONTROL, FULL }

  /** Tunables of the control policy. */
  public record Settings(int maxFlows, Duration flowIdle, int firstPackets, Duration afterRst, int afterRstPackets) {
    public static final int DEFAULT_MAX_FLOWS = 131_072;

    public static Settings defaults() {
      return new Settings(DEFAULT_MAX_FLOWS, Duration.ofSeconds(300), 4, Duration.ofSeconds(2), 32);
    }

    public Settings withMaxFlows(int n) {
      return new Settings(n, flowIdle, firstPackets, afterRst, afterRstPackets);
    }

    public Settings withFlowIdle(Duration d) {
      return new Settings(maxFlows, d, firstPackets, afterRst, afterRstPackets);
    }
  }

  private final Mode mode;
  private final String point;
  private final SummarySink sink;
  private final FlowTable table;
  private final int firstPackets;
  private final long afterRstMicros;
  private final int afterRstPackets;
  private final long idleMicros;

  private long summaries;
  private long progressSummaries;
  private long flowEvictions;
  private long flowsExpired;

  public PublishPolicy(Mode mode, String point, Settings settings, SummarySink sink) {
    this.mode = mode;
    this.point = point;
    this.sink = sink;
    this.table = mode == Mode.CONTROL ? new FlowTable(settings.maxFlows()) : null;
    this.firstPackets = settings.firstPackets();
    this.afterRstMicros = settings.afterRst().toNanos() / 1_000;
    this.afterRstPackets = settings.afterRstPackets();
    this.idleMicros = settings.flowIdle().toNanos() / 1_000;
  }

  public Mode mode() {
    return mode;
  }

  /** One decoded TCP packet, in capture order. */
  public void accept(DecodedPacket p) {
    if (mode == Mode.FULL) {
      emitPacket(p);
      return;
    }
    // Canonical order, as FlowKeys.of: address (unsigned), then port.
    int c = Long.compareUnsigned(p.srcHi, p.dstHi);
    if (c == 0) {
      c = Long.compareUnsigned(p.srcLo, p.dstLo);
    }
    if (c == 0) {
      c = Integer.compare(p.srcPort, p.dstPort);
    }
    boolean srcFirst = c <= 0;
    long aHi = srcFirst ? p.srcHi : p.dstHi;
    long aLo = srcFirst ? p.srcLo : p.dstLo;
    long bHi = srcFirst ? p.dstHi : p.srcHi;
    long bLo = srcFirst ? p.dstLo : p.srcLo;
    long meta = (long) p.ipVersion << 32 | (long) (srcFirst ? p.srcPort : p.dstPort) << 16
        | (srcFirst ? p.dstPort : p.srcPort);
    int hash = FlowTable.hash(aHi, aLo, bHi, bLo, meta);
    FlowTable t = table;
    int e = t.find(aHi, aLo, bHi, bLo, meta, hash);
    if (e < 0) {
      if (!t.hasRoom()) {
        evict(t.victim());
        flowEvictions++;
      }
      e = t.insert(aHi, aLo, bHi, bLo, meta, hash);
    }
    long now = p.captureMicros;
    t.lastSeen[e] = now;
    int dir = srcFirst ? 0 : 1;
    int d = 2 * e + dir;
    int flags = p.tcpFlags;
    boolean rst = (flags & TcpFlags.RST) != 0;
    boolean closing = rst || (flags & TcpFlags.FIN) != 0;
    if ((flags & (TcpFlags.SYN | TcpFlags.ACK)) == TcpFlags.SYN && t.rstAt[e] != FlowTable.NONE) {
      // A new connection on the tuple of a reset one: fresh baselines.
      flushBoth(e);
      t.seen[2 * e] = 0;
      t.seen[2 * e + 1] = 0;
      t.rstAt[e] = FlowTable.NONE;
    }
    boolean publish = (flags & (TcpFlags.SYN | TcpFlags.FIN | TcpFlags.RST)) != 0
        || t.seen[d] < firstPackets
        || p.hintKind != DecodedPacket.HINT_NONE;
    if (!publish && t.rstAt[e] != FlowTable.NONE && now - t.rstAt[e] <= afterRstMicros
        && t.rstPackets[e] < afterRstPackets) {
      publish = true;
      t.rstPackets[e]++;
    }
    if (t.seen[d] < Integer.MAX_VALUE) {
      t.seen[d]++;
    }
    if (publish) {
      if (closing) {
        flushBoth(e);
      } else if (t.pPackets[d] > 0) {
        flushDirection(e, dir);
      }
      emitPacket(p);
      if (rst) {
        t.rstAt[e] = now;
        t.rstPackets[e] = 0;
      }
    } else {
      accumulate(t, d, p);
    }
  }

  private static void accumulate(FlowTable t, int d, DecodedPacket p) {
    long seqEnd = (p.seq + p.payloadLength) & 0xffffffffL;
    int ipId = p.ipId == DecodedPacket.NO_VALUE ? -1 : (int) p.ipId;
    if (t.pPackets[d] == 0) {
      t.pFirst[d] = p.captureMicros;
      t.pBytes[d] = 0;
      t.pSeqEnd[d] = seqEnd;
      t.pAck[d] = p.ack;
      t.pTtlMin[d] = p.ttl;
      t.pTtlMax[d] = p.ttl;
      t.pIpIdMin[d] = ipId;
      t.pIpIdMax[d] = ipId;
      t.pAckFirst[d] = FlowTable.NONE;
      t.pDataFirst[d] = FlowTable.NONE;
    } else {
      // Sequence space is modular (RFC 1982 serial arithmetic).
      if ((int) (seqEnd - t.pSeqEnd[d]) > 0) {
        t.pSeqEnd[d] = seqEnd;
      }
      if ((p.tcpFlags & TcpFlags.ACK) != 0 && (int) (p.ack - t.pAck[d]) > 0) {
        t.pAck[d] = p.ack;
      }
      if (p.ttl < t.pTtlMin[d]) {
        t.pTtlMin[d] = p.ttl;
      }
      if (p.ttl > t.pTtlMax[d]) {
        t.pTtlMax[d] = p.ttl;
      }
      if (ipId >= 0) {
        if (t.pIpIdMin[d] < 0 || ipId < t.pIpIdMin[d]) {
          t.pIpIdMin[d] = ipId;
        }
        if (ipId > t.pIpIdMax[d]) {
          t.pIpIdMax[d] = ipId;
        }
      }
    }
    // A run never holds a SYN, FIN or RST (those are published): no payload and ACK is a pure ACK.
    if (p.payloadLength > 0) {
      if (t.pDataFirst[d] == FlowTable.NONE) {
        t.pDataFirst[d] = p.captureMicros;
      }
    } else if ((p.tcpFlags & TcpFlags.ACK) != 0 && t.pAckFirst[d] == FlowTable.NONE) {
      t.pAckFirst[d] = p.captureMicros;
    }
    t.pPackets[d]++;
    t.pBytes[d] += p.payloadLength;
    t.lTime[d] = p.captureMicros;
    t.lSeq[d] = p.seq;
    t.lAck[d] = p.ack;
    t.lTtl[d] = p.ttl;
    t.lIpId[d] = ipId;
    t.lDf[d] = p.dontFragment;
    t.lFlags[d] = p.tcpFlags;
    t.lWindow[d] = p.window;
    t.lPayload[d] = p.payloadLength;
    t.lHasTs[d] = p.hasTimestamps;
    t.lTsVal[d] = p.tsVal;
    t.lTsEcr[d] = p.tsEcr;
  }

  /** Publishes every pending PROGRESS summary (each heartbeat, and at the end of input). */
  public void flushProgress() {
    if (table == null) {
      return;
    }
    for (int e = 0, n = table.highWater(); e < n; e++) {
      if (table.live[e]) {
        flushBoth(e);
      }
    }
  }

  /** Removes flows not seen for flowIdle of capture time, after publishing their progress. */
  public void expireIdle(long nowMicros) {
    if (table == null) {
      return;
    }
    long cutoff = nowMicros - idleMicros;
    for (int e = 0, n = table.highWater(); e < n; e++) {
      if (table.live[e] && table.lastSeen[e] < cutoff) {
        evict(e);
        flowsExpired++;
      }
    }
  }

  private void evict(int e) {
    flushBoth(e);
    table.remove(e);
  }

  private void flushBoth(int e) {
    if (table.pPackets[2 * e] > 0) {
      flushDirection(e, 0);
    }
    if (table.pPackets[2 * e + 1] > 0) {
      flushDirection(e, 1);
    }
  }

  private void flushDirection(int e, int dir) {
    FlowTable t = table;
    int d = 2 * e + dir;
    int k = e * FlowTable.KEY_WORDS;
    long meta = t.keys[k + 4];
    int version = (int) (meta >>> 32);
    int aPort = (int) (meta >>> 16) & 0xffff;
    int bPort = (int) meta & 0xffff;
    byte[] a = DecodedPacket.addressBytes(version, t.keys[k], t.keys[k + 1]);
    byte[] b = DecodedPacket.addressBytes(version, t.keys[k + 2], t.keys[k + 3]);
    byte[] src = dir == 0 ? a : b;
    byte[] dst = dir == 0 ? b : a;
    int srcPort = dir == 0 ? aPort : bPort;
    int dstPort = dir == 0 ? bPort : aPort;
    PacketSummary s = Summaries.header(point, SummaryKind.PROGRESS, t.lTime[d], version,
        src, dst, srcPort, dstPort);
    s.setTtl(t.lTtl[d]);
    s.setIpId(t.lIpId[d] < 0 ? null : t.lIpId[d]);
    s.setDontFragment(t.lDf[d]);
    s.setTcpFlags(t.lFlags[d]);
    s.setSeq(t.lSeq[d]);
    s.setAck(t.lAck[d]);
    s.setWindow(t.lWindow[d]);
    s.setPayloadLength(t.lPayload[d]);
    if (t.lHasTs[d]) {
      s.setOptions(new TcpOptions(null, null, false, 0, t.lTsVal[d], t.lTsEcr[d]));
    }
    s.setProgress(new Progress(t.pPackets[d], t.pBytes[d], Summaries.instant(t.pFirst[d]),
        t.pSeqEnd[d], t.pAck[d], t.pTtlMin[d], t.pTtlMax[d],
        t.pIpIdMin[d] < 0 ? null : t.pIpIdMin[d], t.pIpIdMax[d] < 0 ? null : t.pIpIdMax[d],
        t.pAckFirst[d] == FlowTable.NONE ? null : Summaries.instant(t.pAckFirst[d]),
        t.pDataFirst[d] == FlowTable.NONE ? null : Summaries.instant(t.pDataFirst[d])));
    t.pPackets[d] = 0;
    summaries++;
    progressSummaries++;
    sink.accept(FlowKeys.of(src, srcPort, dst, dstPort), s);
  }

  private void emitPacket(DecodedPacket p) {
    byte[] src = p.srcAddress();
    byte[] dst = p.dstAddress();
    PacketSummary s = Summaries.packet(point, p);
    summaries++;
    sink.accept(FlowKeys.of(src, p.srcPort, dst, p.dstPort), s);
  }

  /** Summaries handed to the sink (packets and progress). */
  public long summaries() {
    return summaries;
  }

  public long progressSummaries() {
    return progressSummaries;
  }

  /** Flows evicted because the table was full. */
  public long flowEvictions() {
    return flowEvictions;
  }

  /** Flows removed after flowIdle without a packet. */
  public long flowsExpired() {
    return flowsExpired;
  }

  public long flowsTracked() {
    return table == null ? 0 : table.size;
  }
}
