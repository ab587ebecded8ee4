package io.rstscope.processor.verdict;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rstscope.avro.Cause;
import io.rstscope.avro.Emitter;
import io.rstscope.avro.Phase;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The cause rules that the fixed lab scenarios do not exercise, one case each, built like the lab's path. */
class CauseRulesTest {
  private static final long CISN = 1000;
  private static final long SISN = 5000;

  private static CaseBuilder handshake() {
    return new CaseBuilder()
        .packet(0, true, "S", CISN, 0, 0)
        .packet(1, false, "SA", SISN, CISN + 1, 0)
        .packet(2, true, "A", CISN + 1, SISN + 1, 0);
  }

  private static boolean has(Verdict v, EvidenceCode code) {
    return v.evidence().stream().anyMatch(e -> e.code() == code);
  }

  @Test
  void shouldSeeAnAcceptQueueOverflowAnsweringTheClientsFirstData() {
    Verdict v = handshake().packet(2.5, true, "PA", CISN + 1, SISN + 1, 100)
        .rst(3, false, "R", SISN + 1, 0, -1, "P1", "P2", "P3").judge();
    assertEquals(Cause.backlog_overflow, v.cause());
    assertEquals(Phase.handshake, v.phase(), "the connection never got past the listener's queue");
    assertEquals(Emitter.server, v.emitter());
    assertEquals(EvidenceCode.RST_AFTER_HANDSHAKE, v.evidence().get(1).code());
  }

  @Test
  void shouldCallAQueuedConnectionResetAfterASilenceANeverAcceptedAbort() {
    Verdict v = handshake().packet(3, true, "PA", CISN + 1, SISN + 1, 100)
        .rst(2003, false, "RA", SISN + 1, CISN + 101, -1, "P1", "P2", "P3").judge();
    assertEquals(Cause.abort, v.cause());
    assertEquals(Phase.data, v.phase());
    assertTrue(has(v, EvidenceCode.NEVER_ACCEPTED));
    assertTrue(v.confidence() < 0.7, "a program's own timeout is the competing explanation");
  }

  @Test
  void shouldCallAResetAfterUnansweredKeepaliveProbesAnIdleTimeout() {
    CaseBuilder b = handshake().packet(3, true, "PA", CISN + 1, SISN + 1, 10)
        .packet(4, false, "PA", SISN + 1, CISN + 11, 10).packet(5, true, "A", CISN + 11, SISN + 11, 0);
    // The client's answers die on the way: the server's probes (seq = next - 1) reach every point, nothing comes back.
    b.packet(1005, false, "A", SISN + 10, CISN + 11, 0).packet(2005, false, "A", SISN + 10, CISN + 11, 0);
    Verdict v = b.rst(3005, false, "RA", SISN + 11, CISN + 11, -1, "P1", "P2", "P3").judge();
    assertEquals(Cause.idle_timeout, v.cause());
    assertEquals(EvidenceCode.KEEPALIVE_TIMEOUT, v.evidence().get(1).code());
    assertTrue(v.evidence().get(1).detail().startsWith("2 keepalive probe(s)"), v.evidence().get(1).detail());
    assertFalse(v.forged());
  }

  @Test
  void shouldCallAResetAnsweringDataAfterTheServersFinDataAfterClose() {
    Verdict v = handshake().packet(3, true, "PA", CISN + 1, SISN + 1, 10)
        .packet(4, false, "PA", SISN + 1, CISN + 11, 20).packet(10, false, "FA", SISN + 21, CISN + 11, 0)
        .packet(11, true, "A", CISN + 11, SISN + 22, 0)
        .packet(400, true, "PA", CISN + 11, SISN + 22, 30)
        .rst(400.5, false, "RA", SISN + 22, CISN + 11, -1, "P1", "P2", "P3").judge();
    assertEquals(Cause.data_after_close, v.cause());
    assertEquals(Phase.data, v.phase());
    assertEquals(Emitter.server, v.emitter());
  }

  @Test
  void shouldCallADeviceRejectingTheClientsDataAfterItLostTheFlowStateLost() {
    CaseBuilder b = handshake().packet(3, true, "PA", CISN + 1, SISN + 1, 10)
        .packet(4, false, "PA", SISN + 1, CISN + 11, 10).packet(5, true, "A", CISN + 11, SISN + 11, 0);
    // After a silence the client's next segment dies between P1 and P2, and a RST in the server's name comes back.
    b.packetAt(List.of("P1"), 2000, true, "PA", CISN + 11, SISN + 11, 20, -1, null, null);
    Verdict v = b.rst(2000.2, false, "R", SISN + 11, 0, 255, "P1").judge();
    assertEquals(Emitter.middlebox, v.emitter());
    assertEquals("segment:P1-P2", v.location().text());
    assertTrue(v.forged());
    assertEquals(Cause.state_lost, v.cause());
    assertEquals(Phase.data, v.phase());
    assertTrue(has(v, EvidenceCode.TRIGGER_STOPPED));
    assertTrue(v.recommendation().contains("between P1 and P2"), v.recommendation());
  }

  @Test
  void shouldCallARouterRejectingTheServersSynAckAFirewallRejectNotABypass() {
    Verdict v = new CaseBuilder().packet(0, true, "S", CISN, 0, 0)
        .packetAt(List.of("P2", "P3"), 1, false, "SA", SISN, CISN + 1, 0, -1, null, null)
        .rst(1.2, true, "R", CISN + 1, 0, 255, "P2", "P3").judge();
    assertEquals("segment:P1-P2", v.location().text());
    assertTrue(v.forged());
    assertEquals(Cause.firewall_reject, v.cause());
    assertTrue(has(v, EvidenceCode.TRIGGER_STOPPED));
    assertTrue(v.recommendation().contains("client's name"), v.recommendation());
  }

  @Test
  void shouldSeeARejectedSynAckFromTheServerSideAloneByTheClientsRepeatedSyn() {
    // Every point is on the server's side of the router that rejects the SYN/ACK: the client, which never got
    // it, sends its SYN again, which it would not do had it reset the connection itself.
    Verdict v = new CaseBuilder().onlyPoints("P2", "P3").packet(0, true, "S", CISN, 0, 0)
        .packet(1, false, "SA", SISN, CISN + 1, 0)
        .packet(1000, true, "S", CISN, 0, 0)
        .rst(1.2, true, "R", CISN + 1, 0, 255, "P2", "P3").judge();
    assertTrue(v.forged());
    assertEquals("segment:client-P2", v.location().text());
    assertEquals(Cause.firewall_reject, v.cause());
  }

  @Test
  void shouldNeverCallTheClientsOwnAnswerToATimeWaitChallengeForged() {
    // A SYN crafted with TTL 64 on a host whose kernel uses 128: the server's TIME_WAIT socket answers with a
    // bare ACK, and the client's kernel resets it with its own TTL, which is not the SYN's.
    Verdict v = new CaseBuilder().packetAt(List.of("P1", "P2", "P3"), 0, true, "S", CISN, 0, 0, 64, null, null)
        .packet(0.5, false, "A", SISN + 77, CISN - 999_999, 0)
        .rst(0.7, true, "R", CISN - 999_999, 0, 128, "P1", "P2", "P3").judge();
    assertFalse(v.forged());
    assertEquals(Emitter.client, v.emitter());
    assertEquals(Cause.time_wait_collision, v.cause());
    assertTrue(has(v, EvidenceCode.CRAFTED_SYN_TTL));
  }

  @Test
  void shouldCallAnEndpointsResetRightAfterItsPeersFinAnAcceleratedCloseWithALowConfidence() {
    Verdict v = handshake().packet(3, true, "PA", CISN + 1, SISN + 1, 10).packet(4, false, "PA", SISN + 1, CISN + 11, 10)
        .packet(20, true, "FA", CISN + 11, SISN + 11, 0)
        .rst(21, false, "RA", SISN + 11, CISN + 12, -1, "P1", "P2", "P3").judge();
    assertEquals(Cause.accelerated_close, v.cause());
    assertFalse(v.forged());
    assertTrue(v.confidence() <= 0.6);
  }

  @Test
  void shouldCallAnInjectionMidFlowThatLetTheTriggerPassContentBlockWithALowConfidence() {
    CaseBuilder b = handshake().packet(3, true, "PA", CISN + 1, SISN + 1, 10).packet(4, false, "PA", SISN + 1, CISN + 11, 10);
    Verdict v = b.rst(4.5, false, "R", SISN + 11, 0, 128, "P1", "P2").judge();
    assertEquals("segment:P2-P3", v.location().text());
    assertEquals(Cause.content_block, v.cause());
    assertTrue(has(v, EvidenceCode.TRIGGER_PASSED));
    assertTrue(v.confidence() <= 0.5);
  }

  @Test
  void shouldNameEveryRuleOnceAndGiveEveryCauseARecommendationAndConfidencesBelowOne() {
    Set<String> names = new HashSet<>();
    for (CauseRules.Group g : CauseRules.GROUPS) {
      for (CauseRules.Rule r : g.rules()) {
        assertTrue(r.confidence() > 0 && r.confidence() < 1, r.name());
        names.add(g.name() + "/" + r.name());
      }
    }
    for (LocationRules.Rule r : LocationRules.RULES) {
      assertTrue(names.add("location/" + r.name()), r.name());
    }
    RstCase c = handshake().rst(2.2, true, "RA", CISN + 1, SISN + 1, -1, "P1", "P2", "P3").build();
    Facts f = Facts.of(c);
    for (Cause cause : Cause.values()) {
      assertNotNull(Recommendations.of(cause, f, io.rstscope.schemas.Location.segment("P1", "P2")), cause.name());
    }
  }
}
