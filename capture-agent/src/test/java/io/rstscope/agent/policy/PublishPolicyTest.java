package io.rstscope.agent.policy;

import static org.junit.jupiter.api.Assertions.*;

import io.rstscope.agent.decode.DecodedPacket;
import io.rstscope.avro.FlowKey;
import io.rstscope.avro.PacketSummary;
import io.rstscope.avro.SummaryKind;
import io.rstscope.schemas.FlowKeys;
import io.rstscope.schemas.TcpFlags;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PublishPolicyTest {
  private static final long CLIENT = 0x0A000001L; // 10.0.0.1
  private static final long SERVER = 0x0A000302L; // 10.0.3.2

  private final List<FlowKey> keys = new ArrayList<>();
  private final List<PacketSummary> out = new ArrayList<>();
  private final SummarySink sink = (k, s) -> {
    keys.add(k);
    out.add(s);
  };
  private long now = 1_700_000_000_000_000L;

  private DecodedPacket packet(boolean fromClient, int flags, long seq, long ack, int payload, int ttl) {
    DecodedPacket p = new DecodedPacket();
    p.ipVersion = 4;
    p.srcLo = fromClient ? CLIENT : SERVER;
    p.dstLo = fromClient ? SERVER : CLIENT;
    p.srcPort = fromClient ? 40000 : 443;
    p.dstPort = fromClient ? 443 : 40000;
    p.tcpFlags = flags;
    p.seq = seq;
    p.ack = ack;
    p.payloadLength = payload;
    p.ttl = ttl;
    p.ipId = 7;
    p.captureMicros = now;
    now += 1_000;
    return p;
  }

  private PublishPolicy control() {
    return new PublishPolicy(PublishPolicy.Mode.CONTROL, "P1", PublishPolicy.Settings.defaults(), sink);
  }

  private void handshakeAndData(PublishPolicy policy, int dataPackets) {
    policy.accept(packet(true, TcpFlags.SYN, 100, 0, 0, 64));
    policy.accept(packet(false, TcpFlags.SYN | TcpFlags.ACK, 900, 101, 0, 60));
    policy.accept(packet(true, TcpFlags.ACK, 101, 901, 0, 64));
    for (int i = 0; i < dataPackets; i++) {
      policy.accept(packet(false, TcpFlags.ACK, 901 + 1000L * i, 101, 1000, 60));
      policy.accept(packet(true, TcpFlags.ACK, 101, 1901 + 1000L * i, 0, 64));
    }
  }

  @Test
  void shouldPublishHandshakeAndFirstPacketsThenSummariseTheRest() {
    PublishPolicy policy = control();
    handshakeAndData(policy, 100);
    // 3 handshake packets; first 4 per direction: client SYN, ACK + 2 more, server SYN/ACK + 3 more.
    assertEquals(8, out.size());
    assertTrue(out.stream().allMatch(s -> s.getKind() == SummaryKind.PACKET));
    policy.flushProgress();
    List<PacketSummary> progress = out.stream().filter(s -> s.getKind() == SummaryKind.PROGRESS).toList();
    assertEquals(2, progress.size());
    long covered = progress.stream().mapToLong(s -> s.getProgress().getPackets()).sum();
    assertEquals(203 - 8, covered);
  }

  @Test
  void shouldFlushProgressOfBothDirectionsRightBeforeARst() {
    PublishPolicy policy = control();
    handshakeAndData(policy, 50);
    int before = out.size();
    policy.accept(packet(false, TcpFlags.RST, 50_901, 0, 0, 64));
    List<PacketSummary> tail = out.subList(before, out.size());
    assertEquals(3, tail.size(), "progress client->server, progress server->client, then the RST");
    assertEquals(SummaryKind.PROGRESS, tail.get(0).getKind());
    assertEquals(SummaryKind.PROGRESS, tail.get(1).getKind());
    PacketSummary rst = tail.get(2);
    assertEquals(SummaryKind.PACKET, rst.getKind());
    assertEquals(TcpFlags.RST, rst.getTcpFlags());
    PacketSummary server = tail.get(0).getSrcPort() == 443 ? tail.get(0) : tail.get(1);
    assertEquals(50_901, server.getProgress().getHighestSeqEnd(), "exact sequence state before the RST");
    assertEquals(60, server.getProgress().getTtlMin());
    // All summaries of one flow share one canonical key.
    FlowKey expected = FlowKeys.of(new byte[] {10, 0, 0, 1}, 40000, new byte[] {10, 0, 3, 2}, 443);
    assertTrue(keys.stream().allMatch(expected::equals));
  }

  @Test
  void shouldPublishPacketsAfterARstForABoundedWhile() {
    PublishPolicy policy = control();
    handshakeAndData(policy, 10);
    policy.accept(packet(true, TcpFlags.RST, 101, 0, 0, 61));
    int afterRst = out.size();
    for (int i = 0; i < 40; i++) {
      policy.accept(packet(false, TcpFlags.ACK | TcpFlags.PSH, 20_000 + 100L * i, 101, 100, 60));
    }
    assertEquals(32, out.size() - afterRst, "the first 32 packets after the RST, one by one");
    now += Duration.ofSeconds(3).toNanos() / 1000;
    out.clear();
    handshakeAndData(policy, 0); // a new SYN on the tuple starts over
    assertEquals(3 + 0, out.stream().filter(s -> s.getKind() == SummaryKind.PACKET).count());
  }

  @Test
  void shouldPublishEveryPacketWithAPayloadHint() {
    PublishPolicy policy = control();
    handshakeAndData(policy, 10);
    int before = out.size();
    DecodedPacket hello = packet(true, TcpFlags.ACK | TcpFlags.PSH, 101, 901, 200, 64);
    hello.hintKind = DecodedPacket.HINT_TLS_CLIENT_HELLO;
    hello.data = new byte[0];
    policy.accept(hello);
    assertEquals(SummaryKind.PACKET, out.get(out.size() - 1).getKind());
    assertEquals(io.rstscope.avro.PayloadKind.TLS_CLIENT_HELLO, out.get(out.size() - 1).getPayloadHint().getKind());
    assertTrue(out.size() - before >= 1);
  }

  @Test
  void shouldKeepTheFlowTableBoundedUnderASynFloodAndCountEvictions() {
    int maxFlows = 1024;
    PublishPolicy policy = new PublishPolicy(PublishPolicy.Mode.CONTROL, "P1",
        PublishPolicy.Settings.defaults().withMaxFlows(maxFlows), sink);
    Random random = new Random(1);
    int flood = 100_000;
    for (int i = 0; i < flood; i++) {
      DecodedPacket p = packet(true, TcpFlags.SYN, random.nextInt() & 0xffffffffL, 0, 0, 64);
      p.srcLo = random.nextInt() & 0xffffffffL;
      p.srcPort = 1024 + random.nextInt(60000);
      policy.accept(p);
      assertTrue(policy.flowsTracked() <= maxFlows);
    }
    assertEquals(maxFlows, policy.flowsTracked());
    assertEquals(flood - maxFlows, policy.flowEvictions());
    assertEquals(flood, out.size(), "every SYN is published");
    // A flow that keeps talking survives the flood (approximate LRU), the table still finds it.
    out.clear();
    handshakeAndData(policy, 0);
    assertEquals(3, out.size());
  }

  @Test
  void shouldPublishProgressOfEvictedAndExpiredFlowsInsteadOfLosingIt() {
    PublishPolicy policy = new PublishPolicy(PublishPolicy.Mode.CONTROL, "P1",
        PublishPolicy.Settings.defaults().withFlowIdle(Duration.ofSeconds(10)), sink);
    handshakeAndData(policy, 20);
    out.clear();
    policy.expireIdle(now + 11_000_000L);
    assertEquals(1, policy.flowsExpired());
    assertEquals(0, policy.flowsTracked());
    assertEquals(2, out.size());
    assertTrue(out.stream().allMatch(s -> s.getKind() == SummaryKind.PROGRESS));
  }

  @Test
  void shouldPublishEveryPacketInFullMode() {
    PublishPolicy policy = new PublishPolicy(PublishPolicy.Mode.FULL, "P1", PublishPolicy.Settings.defaults(), sink);
    handshakeAndData(policy, 100);
    assertEquals(203, out.size());
    assertEquals(203, policy.summaries());
  }

  @Test
  void shouldRoundTripTheEndOfCaptureWatermarkToLongMaxMicros() {
    assertEquals(Long.MAX_VALUE, Summaries.micros(Summaries.END_OF_CAPTURE));
    PacketSummary w = Summaries.watermark("P1", Summaries.END_OF_CAPTURE);
    io.rstscope.schemas.AvroSerde<PacketSummary> serde = io.rstscope.schemas.AvroSerde.of(PacketSummary.class);
    PacketSummary back = serde.fromBytes(serde.toBytes(w));
    assertEquals(Long.MAX_VALUE, Summaries.micros(back.getCaptureTime()));
    assertEquals(SummaryKind.WATERMARK, back.getKind());
  }
}
