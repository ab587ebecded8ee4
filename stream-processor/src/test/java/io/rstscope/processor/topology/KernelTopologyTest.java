package io.rstscope.processor.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rstscope.agent.policy.Summaries;
import io.rstscope.avro.Cause;
import io.rstscope.avro.Endpoint;
import io.rstscope.avro.FlowKey;
import io.rstscope.avro.KernelEvent;
import io.rstscope.avro.KernelReset;
import io.rstscope.avro.PacketSummary;
import io.rstscope.avro.PointRole;
import io.rstscope.avro.PointStatus;
import io.rstscope.avro.RstFinding;
import io.rstscope.avro.SummaryKind;
import io.rstscope.schemas.FlowKeys;
import io.rstscope.schemas.KernelTraceLines;
import io.rstscope.schemas.TcpFlags;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Kernel reports through the real topology: they join their flow and the verdict hears them. */
class KernelTopologyTest {
  private static final byte[] CLIENT = {10, 0, 1, 2};
  private static final byte[] SERVER = {10, 0, 3, 2};
  private static final FlowKey FLOW = FlowKeys.of(CLIENT, 40001, SERVER, 8081);
  private static final Instant T0 = Instant.parse("2026-11-25T01:00:00Z");
  private static final ProcessorConfig CONFIG = ProcessorConfig.builder().pathOrder(List.of("P1", "P2")).build();

  /** The packet at both points: P1 next to the client, P2 next to the server (TTL 64 at the sender's side). */
  private static void both(TopologyFixture fx, long ms, boolean fromClient, String flags, long seq, long ack, int len) {
    for (String point : List.of("P1", "P2")) {
      boolean near = point.equals("P1") == fromClient;
      fx.packets.pipeInput(FLOW, PacketSummary.newBuilder().setPoint(point).setKind(SummaryKind.PACKET)
          .setCaptureTime(T0.plusMillis(ms).plusNanos(near ? 0 : 100_000)).setIpVersion(4)
          .setSrcAddress(ByteBuffer.wrap(fromClient ? CLIENT : SERVER))
          .setDstAddress(ByteBuffer.wrap(fromClient ? SERVER : CLIENT))
          .setSrcPort(fromClient ? 40001 : 8081).setDstPort(fromClient ? 8081 : 40001)
          .setTtl(near ? 64 : 63).setIpId(0).setTcpFlags(TcpFlags.parse(flags)).setSeq(seq).setAck(ack)
          .setWindow(64240).setPayloadLength(len).build());
    }
  }

  private static void finish(TopologyFixture fx) {
    for (String point : List.of("P1", "P2")) {
      fx.packets.pipeInput(FlowKeys.of(new byte[4], 0, new byte[4], 0), Summaries.watermark(point, Summaries.END_OF_CAPTURE));
    }
  }

  private static Endpoint ep(byte[] address, int port) {
    return new Endpoint(ByteBuffer.wrap(address), port);
  }

  private static void kernel(TopologyFixture fx, KernelEvent event, long ms, Endpoint src, Endpoint dst, String state,
      String reason) {
    KernelReset k = KernelTraceLines.event("server", event, T0.plusMillis(ms), src, dst, state, reason);
    fx.kernel.pipeInput(k.getFlow(), k);
  }

  /** A heartbeat of the server's probe, covering the whole test (as analyze sends for a recording). */
  private static void serverProbed(TopologyFixture fx) {
    PointStatus s = PointStatus.newBuilder().setPoint("kernel:server").setSource("tracefs").setLive(true)
        .setAgentTime(T0.plusSeconds(3600)).setStartedAt(Instant.EPOCH).setFinished(true)
        .setRole(PointRole.KERNEL_PROBE).setHostAddresses(List.of("10.0.3.2")).build();
    fx.points.pipeInput(s.getPoint(), s);
  }

  private static boolean has(RstFinding f, String code) {
    return f.getEvidence().stream().anyMatch(e -> e.getCode().equals(code));
  }

  @Test
  void shouldTakeTheCauseAndTheSenderFromTheServersKernel() {
    try (TopologyFixture fx = new TopologyFixture(CONFIG)) {
      serverProbed(fx);
      kernel(fx, KernelEvent.SEND_RESET, 1, ep(SERVER, 8081), ep(CLIENT, 40001), "UNKNOWN", "NO_SOCKET");
      both(fx, 0, true, "S", 100, 0, 0);
      both(fx, 1, false, "RA", 0, 101, 0);
      finish(fx);
      RstFinding f = fx.findings().get(0);
      assertEquals(Cause.port_closed, f.getCause());
      assertFalse(f.getForged());
      assertEquals("KERNEL_REASON", f.getEvidence().get(0).getCode());
    }
  }

  @Test
  void shouldCallAResetTheProbedServerDidNotSendForgedThoughItsTtlIsTheServers() {
    // The injected RST+ACK at 12 ms copies the server's TTL; the server's kernel reports only its own RST at 14 ms.
    try (TopologyFixture fx = new TopologyFixture(CONFIG)) {
      serverProbed(fx);
      kernel(fx, KernelEvent.SEND_RESET, 14, ep(SERVER, 8081), ep(CLIENT, 40001), "TCP_ESTABLISHED", "TCP_STATE");
      both(fx, 0, true, "S", 100, 0, 0);
      both(fx, 1, false, "SA", 500, 101, 0);
      both(fx, 2, true, "A", 101, 501, 0);
      both(fx, 10, true, "PA", 101, 501, 50);
      both(fx, 12, false, "RA", 501, 151, 0);
      both(fx, 14, false, "R", 501, 0, 0);
      finish(fx);
      RstFinding f = fx.findings().stream().filter(x -> x.getRst().getFlags().equals("RA")).findFirst().orElseThrow();
      assertTrue(f.getForged(), f.toString());
      assertEquals("segment:P2-server", f.getLocation());
      assertTrue(has(f, "KERNEL_SENT_NONE"));
    }
  }

  @Test
  void shouldKeepAResetThatFitsTheServerWhenItsKernelSaidNothingAtAll() {
    // Silence alone is no proof: a recording can lack an event, and the RST fits the server exactly.
    try (TopologyFixture fx = new TopologyFixture(CONFIG)) {
      serverProbed(fx);
      both(fx, 0, true, "S", 100, 0, 0);
      both(fx, 1, false, "SA", 500, 101, 0);
      both(fx, 2, true, "A", 101, 501, 0);
      both(fx, 10, true, "PA", 101, 501, 50);
      both(fx, 12, false, "RA", 501, 151, 0);
      finish(fx);
      RstFinding f = fx.findings().get(0);
      assertFalse(f.getForged(), f.toString());
      assertEquals("server", f.getLocation());
      assertFalse(has(f, "KERNEL_SENT_NONE"));
    }
  }

  @Test
  void shouldMatchAnOverflowingListenersResetThatNamesNoPeer() {
    // This kernel logs it with the listener's address and 0.0.0.0:0 as destination (INVALID_SYN, TCP_LISTEN).
    try (TopologyFixture fx = new TopologyFixture(CONFIG)) {
      serverProbed(fx);
      kernel(fx, KernelEvent.SEND_RESET, 3, ep(SERVER, 8081), ep(new byte[4], 0), "TCP_LISTEN", "INVALID_SYN");
      both(fx, 0, true, "S", 100, 0, 0);
      both(fx, 1, false, "SA", 500, 101, 0);
      both(fx, 2, true, "A", 101, 501, 0);
      both(fx, 3, false, "R", 501, 0, 0);
      finish(fx);
      RstFinding f = fx.findings().get(0);
      assertEquals(Cause.backlog_overflow, f.getCause());
      assertFalse(f.getForged());
      assertTrue(f.getEvidence().get(0).getDetail().contains("listening socket"), f.getEvidence().get(0).getDetail());
    }
  }

  @Test
  void shouldJudgeAsBeforeWithoutProbes() {
    RstFinding with;
    RstFinding without;
    try (TopologyFixture fx = new TopologyFixture(CONFIG)) {
      both(fx, 0, true, "S", 100, 0, 0);
      both(fx, 1, false, "RA", 0, 101, 0);
      finish(fx);
      without = fx.findings().get(0);
    }
    try (TopologyFixture fx = new TopologyFixture(CONFIG)) {
      // A report of another host's flow changes nothing here.
      kernel(fx, KernelEvent.SEND_RESET, 1, ep(new byte[] {10, 9, 9, 9}, 80), ep(CLIENT, 40001), "UNKNOWN", "NO_SOCKET");
      both(fx, 0, true, "S", 100, 0, 0);
      both(fx, 1, false, "RA", 0, 101, 0);
      finish(fx);
      with = fx.findings().get(0);
    }
    assertEquals(without.getEvidence(), with.getEvidence());
    assertEquals(without.getCause(), with.getCause());
    assertEquals(without.getLocation(), with.getLocation());
  }
}
