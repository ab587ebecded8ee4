package io.rstscope.processor.verdict;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rstscope.avro.Cause;
import io.rstscope.avro.Emitter;
import io.rstscope.processor.verdict.KernelView.Probe;
import io.rstscope.processor.verdict.KernelView.Report;
import io.rstscope.schemas.Location;
import java.util.List;
import org.junit.jupiter.api.Test;

class KernelVerdictTest {
  private static final long CISN = 1000;
  private static final long SISN = 5000;
  private static final long TOLERANCE = 2_500_000L;

  private static CaseBuilder handshake() {
    return new CaseBuilder()
        .packet(0, true, "S", CISN, 0, 0)
        .packet(1, false, "SA", SISN, CISN + 1, 0)
        .packet(2, true, "A", CISN + 1, SISN + 1, 0);
  }

  private static long rstTime(RstCase c) {
    return c.sightings().stream().mapToLong(RstCase.Sighting::tsMicros).min().orElseThrow();
  }

  /** The server's kernel sent a RST {@code afterMicros} after the RST's first sighting (its clock may differ). */
  private static Report serverSent(RstCase c, long afterMicros, String reason, String state) {
    return new Report(rstTime(c) + afterMicros, true, false, false, "server", reason, state);
  }

  private static Verdict judge(RstCase c, KernelView k) {
    return KernelVerdict.apply(c, VerdictEngine.decide(c), k);
  }

  private static String code(Verdict v, int i) {
    return v.evidence().get(i).code().name();
  }

  @Test
  void shouldLeaveTheVerdictExactlyAsItWasWithoutAnyProbe() {
    RstCase c = handshake().packet(10, true, "PA", CISN + 1, SISN + 1, 100)
        .rst(20, false, "RA", SISN + 1, CISN + 101, -1, "P1", "P2", "P3").build();
    Verdict packets = VerdictEngine.decide(c);
    assertSame(packets, KernelVerdict.apply(c, packets, KernelView.none()));
  }

  @Test
  void shouldTakeTheCauseFromTheServersReasonForAClosedPort() {
    RstCase c = new CaseBuilder().packet(0, true, "S", CISN, 0, 0)
        .rst(0.3, false, "RA", 0, CISN + 1, -1, "P1", "P2", "P3").build();
    Verdict v = judge(c, new KernelView(List.of(serverSent(c, 150, "NO_SOCKET", "UNKNOWN")), Probe.NONE,
        Probe.COMPLETE, TOLERANCE));
    assertEquals(Cause.port_closed, v.cause());
    assertEquals(Emitter.server, v.emitter());
    assertFalse(v.forged());
    assertEquals("KERNEL_REASON", code(v, 0));
    assertTrue(v.evidence().get(0).detail().contains("NO_SOCKET"), v.evidence().get(0).detail());
  }

  @Test
  void shouldCallAKeepaliveTimeoutAnIdleTimeoutOnTheKernelsWord() {
    RstCase c = handshake().packet(3, true, "PA", CISN + 1, SISN + 1, 6).packet(4, false, "A", SISN + 1, CISN + 7, 0)
        .rst(900, false, "RA", SISN + 1, CISN + 7, -1, "P1", "P2", "P3").build();
    Verdict v = judge(c, new KernelView(List.of(serverSent(c, -40_000, "TCP_KEEPALIVE_TIMEOUT", "TCP_ESTABLISHED")),
        Probe.NONE, Probe.COMPLETE, TOLERANCE));
    assertEquals(Cause.idle_timeout, v.cause());
    assertTrue(v.evidence().get(0).detail().contains("TCP_KEEPALIVE_TIMEOUT"));
    assertTrue(v.evidence().get(0).detail().contains("-40.0 ms"), "clocks may differ: " + v.evidence().get(0).detail());
  }

  @Test
  void shouldNotCallARstThatFitsTheServerForgedOnTheKernelsSilenceAlone() {
    // The RST has the server's TTL at every point and the server's kernel reported nothing at all for this
    // direction: a recording may lack the event (a filtered one did lose a listener's resets), so no proof.
    RstCase c = handshake().packet(10, true, "PA", CISN + 1, SISN + 1, 100)
        .rst(20, false, "RA", SISN + 1, CISN + 101, -1, "P1", "P2", "P3").build();
    Verdict packets = VerdictEngine.decide(c);
    assertTrue(packets.evidence().stream().anyMatch(e -> e.code() == EvidenceCode.TTL_MATCH), packets.toString());
    Verdict v = KernelVerdict.apply(c, packets, new KernelView(List.of(), Probe.NONE, Probe.COMPLETE, TOLERANCE));
    assertFalse(v.forged());
    assertEquals(packets.emitter(), v.emitter());
    assertEquals(packets.cause(), v.cause());
    assertTrue(v.evidence().stream().noneMatch(e -> e.code() == EvidenceCode.KERNEL_SENT_NONE));
  }

  @Test
  void shouldCallARstWithTheServersOwnTtlForgedWhenTheServersKernelReportedAnotherOne() {
    // The injector copies the server's TTL and sits between P3 and the server: the packets see the server's RST;
    // the server's kernel, watching this flow, reported one RST of this direction 1.48 s later (inside the
    // tolerance), which pairs with the server's own RST at 1.5 s: this one is not the kernel's.
    RstCase c = handshake().packet(10, true, "PA", CISN + 1, SISN + 1, 100)
        .packet(1500, false, "R", SISN + 1, 0, 0)
        .rst(20, false, "RA", SISN + 1, CISN + 101, -1, "P1", "P2", "P3").build();
    Verdict packets = VerdictEngine.decide(c);
    assertFalse(packets.forged(), "the packets alone are fooled");
    Verdict v = KernelVerdict.apply(c, packets, new KernelView(List.of(serverSent(c, 1_480_000, "NO_SOCKET",
        "UNKNOWN")), Probe.NONE, Probe.COMPLETE, TOLERANCE));
    assertTrue(v.forged());
    assertEquals(Emitter.middlebox, v.emitter());
    assertEquals(Location.segment("P3", "server"), v.location());
    assertEquals("KERNEL_SENT_NONE", code(v, 0));
  }

  @Test
  void shouldNotCallItForgedWhenTheProbeLostEventsOrDidNotCoverTheServer() {
    RstCase c = handshake().rst(20, false, "RA", SISN + 1, CISN + 1, -1, "P1", "P2", "P3").build();
    Verdict packets = VerdictEngine.decide(c);
    for (Probe probe : List.of(Probe.LOSSY, Probe.NONE)) {
      Verdict v = KernelVerdict.apply(c, packets, new KernelView(List.of(), Probe.COMPLETE, probe, TOLERANCE));
      assertEquals(packets.forged(), v.forged(), probe.name());
      assertEquals(packets.cause(), v.cause(), probe.name());
    }
  }

  @Test
  void shouldNotCreditAnInjectedRstWithTheRealOneThatFollowsIt() {
    // The injected RST at 20 ms, the server's own (after the forged one reached the client) at 25 ms.
    RstCase c = handshake().packet(10, true, "PA", CISN + 1, SISN + 1, 100)
        .packet(25, false, "R", SISN + 1, 0, 0)
        .rst(20, false, "RA", SISN + 1, CISN + 101, -1, "P1", "P2", "P3").build();
    long real = rstTime(c) + 5_000;
    Verdict v = judge(c, new KernelView(List.of(new Report(real + 200, true, false, false, "server", "NO_SOCKET",
        "UNKNOWN")), Probe.NONE, Probe.COMPLETE, TOLERANCE));
    assertTrue(v.forged(), "the server's one report belongs to the RST 5 ms later");
    assertEquals("KERNEL_SENT_NONE", code(v, 0));
  }

  @Test
  void shouldOverruleAPacketVerdictOfForgedWhenTheKernelSentIt() {
    // Seen only at P3 and P2, not at P1 where the flow was seen: the packets say a device between P1 and P2.
    RstCase c = handshake().packet(10, true, "PA", CISN + 1, SISN + 1, 100)
        .rst(20, false, "RA", SISN + 1, CISN + 101, -1, "P2", "P3").build();
    Verdict v = judge(c, new KernelView(List.of(serverSent(c, 100, "TCP_ABORT_ON_CLOSE", "TCP_CLOSE")),
        Probe.NONE, Probe.COMPLETE, TOLERANCE));
    assertFalse(v.forged());
    assertEquals(Location.SERVER, v.location());
    assertEquals(Cause.abort, v.cause());
  }

  @Test
  void shouldMatchAListeningSocketsResetByPort() {
    RstCase c = handshake().packet(10, true, "A", CISN + 1, SISN + 77, 0)
        .rst(11, false, "R", SISN + 77, 0, -1, "P1", "P2", "P3").build();
    Verdict v = judge(c, new KernelView(List.of(new Report(rstTime(c), true, false, true, "server", "TCP_FLAGS",
        "TCP_LISTEN")), Probe.NONE, Probe.COMPLETE, TOLERANCE));
    assertEquals(Cause.no_socket, v.cause());
    assertTrue(v.evidence().get(0).detail().contains("listening socket"));
  }

  @Test
  void shouldSayWhichRstTheReceiverAccepted() {
    RstCase c = handshake().rst(20, false, "RA", SISN + 1, CISN + 1, -1, "P1", "P2", "P3").build();
    Report accepted = new Report(rstTime(c) + 300, false, true, false, "client", null, "UNKNOWN");
    Verdict v = judge(c, new KernelView(List.of(serverSent(c, 0, "TCP_STATE", "TCP_CLOSE"), accepted),
        Probe.COMPLETE, Probe.COMPLETE, TOLERANCE));
    assertTrue(v.evidence().stream().anyMatch(e -> e.code() == EvidenceCode.KERNEL_ACCEPTED));
    assertEquals(Cause.abort, v.cause());
  }

  @Test
  void shouldIgnoreReportsOutsideTheTolerance() {
    RstCase c = handshake().rst(20, false, "RA", SISN + 1, CISN + 1, -1, "P1", "P2", "P3").build();
    assertNull(KernelVerdict.paired(c, new KernelView(List.of(serverSent(c, TOLERANCE + 1, "TCP_STATE", "TCP_CLOSE")),
        Probe.NONE, Probe.NONE, TOLERANCE), true));
  }
}
