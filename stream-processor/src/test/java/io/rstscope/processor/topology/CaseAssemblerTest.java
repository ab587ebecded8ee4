package io.rstscope.processor.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rstscope.avro.FlowKey;
import io.rstscope.processor.output.FindingIds;
import io.rstscope.processor.state.FlowState;
import io.rstscope.processor.state.PathModel;
import io.rstscope.processor.state.PendingRst;
import io.rstscope.processor.state.PointPair;
import io.rstscope.processor.state.PointProgress;
import io.rstscope.processor.state.Segment;
import io.rstscope.processor.verdict.RstCase;
import io.rstscope.schemas.FlowKeys;
import io.rstscope.schemas.TcpFlags;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Case assembly from a flow's state alone: clocks, roles, sightings and what each point was doing. */
class CaseAssemblerTest {
  private static final long T0 = 1_764_000_000_000_000L;
  // Low endpoint is the server (10.0.0.1 < 10.0.1.2 by address), high the client.
  private static final FlowKey KEY = FlowKeys.of(new byte[] {10, 0, 1, 2}, 40000, new byte[] {10, 0, 0, 1}, 443);
  private final CaseAssembler assembler = new CaseAssembler(500_000, RstCase.Thresholds.defaults());

  private static Segment seg(String point, long tsMicros, boolean fromLow, String flags, long seq, long ack, int ttl) {
    Segment s = new Segment();
    s.point = point;
    s.tsMicros = tsMicros;
    s.fromLow = fromLow;
    s.flags = TcpFlags.parse(flags);
    s.seq = seq;
    s.ack = ack;
    s.ttl = ttl;
    s.ttlMin = ttl;
    s.ttlMax = ttl;
    s.ipId = 0;
    return s;
  }

  private static PointProgress progress(String point, long first, long watermark) {
    PointProgress p = new PointProgress(point);
    p.firstMicros = first;
    p.watermarkMicros = watermark;
    return p;
  }

  /** A SYN from the client at P1 and P2 (P2's clock 1.5 s ahead), then a RST from the server seen at P1 only. */
  private static FlowState flow() {
    FlowState f = new FlowState();
    f.add(seg("P1", T0, false, "S", 100, 0, 64));
    f.add(seg("P2", T0 + 1_500_000 + 100, false, "S", 100, 0, 63));
    Segment rst = seg("P1", T0 + 2_000, true, "RA", 0, 101, 60);
    rst.rstOccurrence = f.nextRstOccurrence(rst);
    f.add(rst);
    return f;
  }

  private static PendingRst pending() {
    PendingRst p = new PendingRst();
    p.findingId = FindingIds.of(FlowKeys.text(KEY), true, 0, 101, TcpFlags.parse("RA"), 0, 0);
    p.fromLow = true;
    p.seq = 0;
    p.ack = 101;
    p.flags = TcpFlags.parse("RA");
    p.ipId = 0;
    p.sightings.add(new PendingRst.RstSighting("P1", T0 + 2_000, 60));
    return p;
  }

  private static PathModel model() {
    PointPair pair = new PointPair();
    pair.a = "P1";
    pair.b = "P2";
    pair.aFirstVotes = 1;
    pair.addDelta(1_500_100);
    return PathModel.of(List.of(), List.of("P1", "P2"), List.of(pair));
  }

  @Test
  void shouldPutEveryPacketInTheReferenceClockAndInClientServerTerms() {
    RstCase c = assembler.assemble(pending(), KEY, flow(), model(), List.of("P1", "P2"),
        Map.of("P1", progress("P1", T0, T0 + 10_000_000), "P2", progress("P2", T0 + 1_500_000, Long.MAX_VALUE))::get,
        p -> false);
    assertEquals("10.0.1.2:40000", c.client(), "the SYN's sender is the client");
    assertEquals("10.0.0.1:443", c.server());
    assertEquals("syn", c.rolesFrom());
    assertFalse(c.fromClient(), "the RST comes from the server's address");
    assertEquals(List.of("P1", "P2"), c.path());
    assertEquals(2, c.packets().size(), "the RST itself is a sighting, not a packet");
    RstCase.Pkt atP2 = c.packets().stream().filter(p -> p.point().equals("P2")).findFirst().orElseThrow();
    assertEquals(T0 + 1_500_100, atP2.rawMicros());
    assertEquals(T0, atP2.tsMicros(), "P2's offset is taken off");
    assertTrue(atP2.fromClient());
    assertEquals(1, c.sightings().size());
    assertEquals(2, c.sightings().get(0).arrival(), "the RST's place among P1's summaries");
  }

  @Test
  void shouldSayWhichPointsWereCapturingAndSawTheFlow() {
    RstCase c = assembler.assemble(pending(), KEY, flow(), model(), List.of("P1", "P2", "P3"),
        Map.of("P1", progress("P1", T0, T0 + 10_000_000), "P2", progress("P2", T0 + 1_600_000, T0 + 1_501_000))::get,
        Set.of("P1")::contains);
    RstCase.PointInfo p1 = c.points().get("P1");
    assertTrue(p1.capturing());
    assertTrue(p1.sawFlow());
    assertTrue(p1.dropping());
    RstCase.PointInfo p2 = c.points().get("P2");
    assertFalse(p2.capturing(), "P2's watermark stops before the RST's time in P2's clock");
    assertEquals(1_500_100, p2.offsetMicros());
    RstCase.PointInfo p3 = c.points().get("P3");
    assertFalse(p3.reported());
    assertFalse(p3.capturing());
    assertFalse(p3.sawFlow());
  }

  @Test
  void shouldAssumeAPointThatOnlySentItsFinalWatermarkCapturedThroughout() {
    PointProgress onlyFinal = progress("P2", Long.MAX_VALUE, Long.MAX_VALUE);
    RstCase c = assembler.assemble(pending(), KEY, flow(), model(), List.of("P1", "P2"),
        Map.of("P1", progress("P1", T0, T0 + 10_000_000), "P2", onlyFinal)::get, p -> false);
    assertTrue(c.points().get("P2").capturing());
    assertFalse(c.points().get("P2").startKnown());
  }

  @Test
  void shouldTakeRolesFromPortsWithoutASyn() {
    FlowState f = new FlowState();
    f.add(seg("P1", T0, true, "PA", 1, 1, 64));
    assertFalse(CaseAssembler.clientIsLow(f, KEY), "443 is the lower port: the low endpoint serves");
    PendingRst p = pending();
    RstCase c = assembler.assemble(p, KEY, f, model(), List.of("P1"), Map.of("P1", progress("P1", T0, T0 + 10_000_000))::get,
        x -> false);
    assertEquals("ports", c.rolesFrom());
    assertFalse(c.fromClient());
  }
}
