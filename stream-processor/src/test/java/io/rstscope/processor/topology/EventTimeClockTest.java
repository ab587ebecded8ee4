package io.rstscope.processor.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rstscope.agent.policy.Summaries;
import io.rstscope.avro.FlowKey;
import io.rstscope.avro.PacketSummary;
import io.rstscope.avro.PointStatus;
import io.rstscope.avro.RstFinding;
import io.rstscope.avro.SummaryKind;
import io.rstscope.schemas.FlowKeys;
import io.rstscope.schemas.TcpFlags;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The time model through the real topology: sessions that end and come back, missing points, paused waits. */
class EventTimeClockTest {
  private static final byte[] CLIENT = {10, 0, 1, 2};
  private static final byte[] SERVER = {10, 0, 3, 2};
  private static final Instant T0 = Instant.parse("2026-11-25T01:00:00Z");
  private static final FlowKey WM_KEY = FlowKeys.of(new byte[4], 0, new byte[4], 0);
  private static final ProcessorConfig CONFIG = ProcessorConfig.builder().pathOrder(List.of("P1", "P2")).build();

  private static FlowKey flow(int port) {
    return FlowKeys.of(CLIENT, port, SERVER, 8081);
  }

  private static PacketSummary packet(String point, long ms, int port, boolean fromClient, String flags, long seq,
      long ack, int ttl) {
    return PacketSummary.newBuilder().setPoint(point).setKind(SummaryKind.PACKET)
        .setCaptureTime(T0.plusMillis(ms)).setIpVersion(4)
        .setSrcAddress(ByteBuffer.wrap(fromClient ? CLIENT : SERVER))
        .setDstAddress(ByteBuffer.wrap(fromClient ? SERVER : CLIENT))
        .setSrcPort(fromClient ? port : 8081).setDstPort(fromClient ? 8081 : port)
        .setTtl(ttl).setIpId(0).setTcpFlags(TcpFlags.parse(flags)).setSeq(seq).setAck(ack).setWindow(64240)
        .setPayloadLength(0).build();
  }

  private static void watermark(TopologyFixture fx, String point, String session, long ms) {
    fx.packets.pipeInput(WM_KEY, Summaries.watermark(point, session,
        ms == Long.MAX_VALUE ? Summaries.END_OF_CAPTURE : T0.plusMillis(ms)));
  }

  /** A session of a point from startMs to endMs: its start watermark, where it ended, and its end. */
  private static void session(TopologyFixture fx, String point, String session, long startMs, long endMs) {
    watermark(fx, point, session, startMs);
    watermark(fx, point, session, endMs);
    watermark(fx, point, session, Long.MAX_VALUE);
  }

  /** A port-closed exchange seen at P1 (SYN, RST+ACK) at ms. */
  private static void closedPortAtP1(TopologyFixture fx, int port, long ms) {
    fx.packets.pipeInput(flow(port), packet("P1", ms, port, true, "S", 100, 0, 64));
    fx.packets.pipeInput(flow(port), packet("P1", ms + 1, port, false, "RA", 0, 101, 63));
  }

  private static void closedPortAtP2(TopologyFixture fx, int port, long ms) {
    fx.packets.pipeInput(flow(port), packet("P2", ms, port, true, "S", 100, 0, 63));
    fx.packets.pipeInput(flow(port), packet("P2", ms + 1, port, false, "RA", 0, 101, 64));
  }

  @Test
  void shouldWaitAgainForAPointWhoseEarlierSessionEndedWhenItComesBack() {
    try (TopologyFixture fx = new TopologyFixture(CONFIG)) {
      // First replay of both points, 0-10 s: one RST, decided with both sightings.
      watermark(fx, "P1", "a1", 0);
      watermark(fx, "P2", "a2", 0);
      closedPortAtP1(fx, 40001, 1_000);
      closedPortAtP2(fx, 40001, 1_000);
      session(fx, "P1", "a1", 0, 10_000);
      session(fx, "P2", "a2", 0, 10_000);
      assertEquals(2, fx.findings().get(0).getSightings().size());

      // Second replay, 60-70 s: P1 first, alone. P2 ended at 10 s: its RST must wait for P2 to come back.
      watermark(fx, "P1", "b1", 60_000);
      closedPortAtP1(fx, 40002, 61_000);
      session(fx, "P1", "b1", 60_000, 70_000);
      fx.driver.advanceWallClockTime(Duration.ofSeconds(5));
      assertTrue(fx.findings().isEmpty(), "decided before P2's second session");

      watermark(fx, "P2", "b2", 60_000);
      closedPortAtP2(fx, 40002, 61_000);
      session(fx, "P2", "b2", 60_000, 70_000);
      List<RstFinding> out = fx.findings();
      assertEquals(1, out.size());
      assertEquals(2, out.get(0).getSightings().size(), "both points' sightings: " + out.get(0));
      assertFalse(out.get(0).getEvidence().stream().anyMatch(e -> e.getCode().equals("VERDICT_TIMEOUT")));
    }
  }

  @Test
  void shouldTakeAPointThatEndedAndDidNotComeBackAsNotCapturingAfterItsEnd() {
    try (TopologyFixture fx = new TopologyFixture(CONFIG)) {
      session(fx, "P2", "a2", 0, 10_000);
      watermark(fx, "P1", "a1", 0);
      closedPortAtP1(fx, 40003, 60_000);
      session(fx, "P1", "a1", 0, 70_000);
      fx.driver.advanceWallClockTime(Duration.ofSeconds(10));
      assertTrue(fx.findings().isEmpty(), "P2 may still come back");
      fx.driver.advanceWallClockTime(Duration.ofSeconds(25));
      List<RstFinding> out = fx.findings();
      assertEquals(1, out.size());
      // P2 did not capture at 60 s: its not seeing the RST says nothing; the server's own reply stands.
      assertEquals("server", out.get(0).getEmitter().name(), out.get(0).toString());
      assertFalse(out.get(0).getEvidence().stream().anyMatch(e -> e.getCode().equals("NOT_SEEN_AT")),
          out.get(0).getEvidence().toString());
    }
  }

  @Test
  void shouldStopWaitingForAPointThatWentSilentWithoutEndingItsSession() {
    try (TopologyFixture fx = new TopologyFixture(CONFIG)) {
      watermark(fx, "P1", "a1", 0);
      watermark(fx, "P2", "a2", 0); // P2's agent is then killed: no end, nothing more
      closedPortAtP1(fx, 40004, 1_000);
      watermark(fx, "P1", "a1", 10_000);
      for (int s = 0; s < 20; s++) {
        fx.driver.advanceWallClockTime(Duration.ofSeconds(1));
        watermark(fx, "P1", "a1", 10_000 + s * 1_000L); // P1 keeps reporting
      }
      assertTrue(fx.findings().isEmpty(), "P2 not yet missing");
      for (int s = 20; s < 32; s++) {
        fx.driver.advanceWallClockTime(Duration.ofSeconds(1));
        watermark(fx, "P1", "a1", 10_000 + s * 1_000L);
      }
      List<RstFinding> out = fx.findings();
      assertEquals(1, out.size(), "decided once P2 is missing");
    }
  }

  @Test
  void shouldNotCountTimeWhileTheClusterIsUnreachable() {
    PointHealthBoard board = new PointHealthBoard();
    ProcessorConfig config = CONFIG.toBuilder().expectedPoints(java.util.Set.of("P3")).build();
    try (TopologyFixture fx = new TopologyFixture(config, board)) {
      watermark(fx, "P1", "a1", 0);
      watermark(fx, "P2", "a2", 0);
      closedPortAtP1(fx, 40005, 1_000);
      board.clusterReachable(false, "test");
      fx.driver.advanceWallClockTime(Duration.ofSeconds(120));
      fx.driver.advanceWallClockTime(Duration.ofSeconds(1));
      board.clusterReachable(true, null);
      fx.driver.advanceWallClockTime(Duration.ofSeconds(1));
      assertTrue(fx.findings().isEmpty(), "an outage is not the points' silence");
      for (int s = 0; s < 31; s++) {
        fx.driver.advanceWallClockTime(Duration.ofSeconds(1));
      }
      List<RstFinding> out = fx.findings();
      assertEquals(1, out.size());
      assertTrue(out.get(0).getEvidence().stream().anyMatch(e -> e.getCode().equals("VERDICT_TIMEOUT")
          && e.getDetail().contains("P3 never reported")), out.get(0).getEvidence().toString());
      assertEquals(1, board.fallbackVerdicts());
    }
  }

  @Test
  void shouldSayEvidenceIsIncompleteWhereAPointDroppedSummariesInTheWindow() {
    try (TopologyFixture fx = new TopologyFixture(CONFIG)) {
      var points = fx.driver.createInputTopic(fx.topics.points.name(), fx.topics.points.keySerde().serializer(),
          fx.topics.points.valueSerde().serializer());
      PointStatus status = PointStatus.newBuilder().setPoint("P2").setSource("eth1").setLive(true)
          .setAgentTime(T0).setStartedAt(T0).setAnomalies(Map.of()).setSession("a2").setDropped(17)
          .setDroppedFrom(T0.plusMillis(900)).setDroppedUntil(T0.plusMillis(1_500)).build();
      points.pipeInput("P2", status);
      watermark(fx, "P1", "a1", 0);
      watermark(fx, "P2", "a2", 0);
      closedPortAtP1(fx, 40006, 1_000);
      closedPortAtP1(fx, 40007, 20_000);
      session(fx, "P1", "a1", 0, 30_000);
      session(fx, "P2", "a2", 0, 30_000);
      List<RstFinding> out = fx.findings();
      assertEquals(2, out.size());
      RstFinding inRange = out.stream().filter(f -> f.getFlow().getClient().endsWith(":40006")).findFirst().orElseThrow();
      RstFinding outside = out.stream().filter(f -> f.getFlow().getClient().endsWith(":40007")).findFirst().orElseThrow();
      assertTrue(inRange.getEvidence().stream().anyMatch(e -> e.getCode().equals("EVIDENCE_INCOMPLETE")
          && e.getDetail().startsWith("P2 dropped 17 summaries between")), inRange.getEvidence().toString());
      assertFalse(outside.getEvidence().stream().anyMatch(e -> e.getCode().equals("EVIDENCE_INCOMPLETE")));
    }
  }
}
