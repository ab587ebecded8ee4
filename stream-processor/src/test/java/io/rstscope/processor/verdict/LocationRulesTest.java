package io.rstscope.processor.verdict;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rstscope.avro.Emitter;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The location rules, each on a case where it alone decides, and the do-no-harm guards. */
class LocationRulesTest {
  private static final long CISN = 1000;
  private static final long SISN = 5000;

  private static CaseBuilder established() {
    return new CaseBuilder()
        .packet(0, true, "S", CISN, 0, 0)
        .packet(1, false, "SA", SISN, CISN + 1, 0)
        .packet(2, true, "A", CISN + 1, SISN + 1, 0)
        .packet(3, true, "PA", CISN + 1, SISN + 1, 10)
        .packet(4, false, "PA", SISN + 1, CISN + 11, 10);
  }

  private static String rule(RstCase c) {
    return LocationRules.decide(Facts.of(c)).rule().name();
  }

  @Test
  void shouldLocateBetweenTwoPointsWhenTheUpstreamOneMissedTheRst() {
    RstCase c = established().rst(5, false, "RA", SISN + 11, CISN + 11, 128, "P1", "P2").build();
    assertEquals("absent_upstream", rule(c));
    assertEquals("segment:P2-P3", VerdictEngine.decide(c).location().text());
  }

  @Test
  void shouldNotTrustTheAbsenceAtAPointThatMissedTheSendersOtherPacketsToo() {
    // P3 lost the server's FIN (its capture drops packets): its missing the RST proves nothing, and the RST's TTL
    // is the server's own.
    CaseBuilder b = established().packetAt(List.of("P1", "P2"), 5, false, "FA", SISN + 11, CISN + 11, 0, -1, null, null);
    RstCase c = b.rst(6, false, "RA", SISN + 12, CISN + 11, -1, "P1", "P2").build();
    Verdict v = VerdictEngine.decide(c);
    assertEquals(Emitter.server, v.emitter());
    assertFalse(v.forged());
    assertTrue(v.evidence().stream().anyMatch(e -> e.code() == EvidenceCode.UPSTREAM_MISSED_PACKETS));
  }

  @Test
  void shouldCallADifferentTtlAtASinglePointForged() {
    RstCase c = established().onlyPointsKeepingPackets("P2").rst(5, false, "RA", SISN + 11, CISN + 11, 200, "P2").build();
    assertEquals("ttl_differs", rule(c));
    assertEquals("segment:P2-server", VerdictEngine.decide(c).location().text());
  }

  @Test
  void shouldNotCallARouteChangeForged() {
    // The server's path got two hops longer during the flow: its later packets arrive 2 lower. A RST with the
    // new TTL is the server's own; one with the old TTL proves nothing either way.
    CaseBuilder b = established();
    b.packetAt(List.of("P1", "P2", "P3"), 10, false, "PA", SISN + 11, CISN + 11, 10, 62, null, null);
    b.packetAt(List.of("P1", "P2", "P3"), 11, false, "PA", SISN + 21, CISN + 11, 10, 62, null, null);
    b.packetAt(List.of("P1", "P2", "P3"), 12, false, "PA", SISN + 31, CISN + 11, 10, 62, null, null);
    RstCase newRoute = b.rst(13, false, "RA", SISN + 41, CISN + 11, 62, "P1", "P2", "P3").build();
    Verdict v = VerdictEngine.decide(newRoute);
    assertFalse(v.forged());
    assertEquals(Emitter.server, v.emitter());
    assertTrue(v.evidence().stream().anyMatch(e -> e.code() == EvidenceCode.TTL_MATCH));

    RstCase oldRoute = b.rst(13, false, "RA", SISN + 41, CISN + 11, 64, "P1", "P2", "P3").build();
    Verdict old = VerdictEngine.decide(oldRoute);
    assertFalse(old.forged(), "the sender's own older TTL is no proof of forgery");
    assertTrue(old.evidence().stream().anyMatch(e -> e.code() == EvidenceCode.TTL_ROUTE_CHANGE));
  }

  @Test
  void shouldCallASpreadBurstOfRstsForgedWhenTheTtlDoesNotMatch() {
    CaseBuilder b = established().onlyPointsKeepingPackets("P1");
    b.packetAt(List.of("P1"), 5.1, false, "R", SISN + 11 + 1460, 0, 0, 100, null, null);
    RstCase c = b.rst(5, false, "R", SISN + 11, 0, 100, "P1").build();
    assertEquals("ttl_differs", rule(c), "the TTL decides before the burst");
    RstCase copied = established().onlyPointsKeepingPackets("P1")
        .packetAt(List.of("P1"), 5.1, false, "R", SISN + 11 + 1460, 0, 0, 62, null, null)
        .rst(5, false, "R", SISN + 11, 0, 62, "P1").build();
    assertEquals("ttl_matches_but_data_after", rule(copied), "a matching TTL never yields forged on a burst alone");
    assertFalse(VerdictEngine.decide(copied).forged());
  }

  @Test
  void shouldNameTheClaimedSenderWhenNothingSaysOtherwise() {
    RstCase c = established().rst(5, false, "RA", SISN + 11, CISN + 11, -1, "P1", "P2", "P3").build();
    assertEquals("claimed_sender", rule(c));
    assertEquals(0.95, LocationRules.decide(Facts.of(c)).confidence());
  }
}
