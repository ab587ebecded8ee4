package io.rstscope.processor.verdict;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rstscope.avro.Cause;
import io.rstscope.avro.Emitter;
import io.rstscope.avro.Phase;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The verdict rules one by one, on cases shaped like the lab's three-point path. */
class VerdictEngineTest {
  private static final long CISN = 1000;
  private static final long SISN = 5000;

  private static boolean has(Verdict v, String code) {
    return v.evidence().stream().anyMatch(e -> e.code().name().equals(code));
  }

  private static String detail(Verdict v, String code) {
    return v.evidence().stream().filter(e -> e.code().name().equals(code)).findFirst().orElseThrow().detail();
  }

  private static CaseBuilder handshake() {
    return new CaseBuilder()
        .packet(0, true, "S", CISN, 0, 0)
        .packet(1, false, "SA", SISN, CISN + 1, 0)
        .packet(2, true, "A", CISN + 1, SISN + 1, 0);
  }

  @Test
  void shouldBlameTheServerForAClosedPort() {
    Verdict v = new CaseBuilder().packet(0, true, "S", CISN, 0, 0)
        .rst(1, false, "RA", 0, CISN + 1, -1, "P1", "P2", "P3").judge();
    assertEquals(Emitter.server, v.emitter());
    assertEquals("server", v.location().text());
    assertFalse(v.forged());
    assertEquals(Phase.handshake, v.phase());
    assertEquals(Cause.port_closed, v.cause());
    assertTrue(detail(v, "RST_ANSWERS_SYN").contains("SYN seq + 1"));
    assertTrue(v.recommendation().contains("8081"));
  }

  @Test
  void shouldLocateAFirewallThatTheSynNeverPassed() {
    Verdict v = new CaseBuilder().packetAt(List.of("P1", "P2"), 0, true, "S", CISN, 0, 0, -1, null, null)
        .point("P3", true, false)
        .rst(1, false, "RA", 0, CISN + 1, 64, "P1", "P2").judge();
    assertEquals(Emitter.middlebox, v.emitter());
    assertEquals("segment:P2-P3", v.location().text());
    assertTrue(v.forged());
    assertEquals(Cause.firewall_reject, v.cause());
    assertTrue(has(v, "FLOW_NOT_SEEN_AT"));
  }

  @Test
  void shouldLocateAnInjectorBetweenTwoPointsThatBothSawTheFlow() {
    Verdict v = handshake().rst(1.5, false, "R", SISN + 1, 0, 128, "P1", "P2").judge();
    assertEquals("segment:P2-P3", v.location().text());
    assertTrue(v.forged());
    assertEquals(Cause.bypass_block, v.cause());
    assertEquals("NOT_SEEN_AT", v.evidence().get(0).code().name(), "strongest evidence first");
    assertTrue(detail(v, "TTL_MISMATCH").contains("at P2 server packets TTL 63, this RST 128"), detail(v, "TTL_MISMATCH"));
  }

  @Test
  void shouldNotConcludeFromAPointThatWasNotCapturing() {
    Verdict v = handshake().point("P3", false, false)
        .rst(1.5, false, "R", SISN + 1, 0, 128, "P1", "P2").judge();
    assertTrue(has(v, "NOT_CAPTURING"));
    assertTrue(v.forged(), "the TTL still says forged");
    assertTrue(v.confidence() < 0.9);
  }

  @Test
  void shouldCallARstForgedWhenTheSenderKeptSendingAndItsTtlDiffers() {
    Verdict v = new CaseBuilder().onlyPoints("P1")
        .packet(0, true, "S", CISN, 0, 0).packet(1, false, "SA", SISN, CISN + 1, 0)
        .rst(1.5, false, "R", SISN + 1, 0, 128, "P1")
        .packet(300, false, "PA", SISN + 1, CISN + 1, 20).judge();
    assertTrue(v.forged());
    assertTrue(has(v, "DATA_AFTER_RST"));
    assertEquals("segment:P1-server", v.location().text());
  }

  @Test
  void shouldAccuseNobodyWhenTheTtlIsTheSendersOwnDespiteDataAfterIt() {
    Verdict v = new CaseBuilder().onlyPoints("P1")
        .packet(0, true, "S", CISN, 0, 0).packet(1, false, "SA", SISN, CISN + 1, 0)
        .rst(1.5, false, "R", SISN + 1, 0, 62, "P1")
        .packet(300, false, "PA", SISN + 1, CISN + 1, 20).judge();
    assertFalse(v.forged(), "a TTL matching the sender's at every point is never called forged on single-point tells");
    assertEquals(Emitter.unknown, v.emitter());
    assertEquals("unknown", v.location().text());
    assertEquals("EVIDENCE_CONFLICT", v.evidence().get(0).code().name());
    assertTrue(v.confidence() <= 0.5);
  }

  @Test
  void shouldTellASynScanFromItsHalfOpenReset() {
    Verdict v = new CaseBuilder().packetAt(List.of("P1", "P2", "P3"), 0, true, "S", CISN, 0, 0, 56, null, null)
        .packet(1, false, "SA", SISN, CISN + 1, 0)
        .rst(1.1, true, "R", CISN + 1, 0, -1, "P1", "P2", "P3").judge();
    assertEquals(Emitter.client, v.emitter());
    assertFalse(v.forged(), "nmap's crafted SYN TTL is not a forged RST");
    assertEquals(Cause.syn_scan, v.cause());
    assertTrue(has(v, "CRAFTED_SYN_TTL"));
    assertTrue(v.recommendation().startsWith("Block 10.0.1.2"));
  }

  @Test
  void shouldTellAConnectScanFromAResetRightAfterTheHandshake() {
    Verdict v = handshake().rst(2.2, true, "RA", CISN + 1, SISN + 1, -1, "P1", "P2", "P3").judge();
    assertEquals(Cause.connect_scan, v.cause());
    assertEquals(Phase.handshake, v.phase());
  }

  @Test
  void shouldSeeAnAcceptQueueOverflow() {
    Verdict v = handshake().rst(400, false, "R", SISN + 1, 0, -1, "P1", "P2", "P3").judge();
    assertEquals(Cause.backlog_overflow, v.cause());
    assertFalse(v.forged());
  }

  @Test
  void shouldSeeAMalformedSyn() {
    Verdict v = new CaseBuilder().packet(0, true, "FS", CISN, 0, 0)
        .rst(1, false, "RA", 0, CISN + 1, -1, "P1", "P2", "P3").judge();
    assertEquals(Cause.malformed_syn, v.cause());
    assertEquals(Phase.handshake, v.phase(), "the FIN of a SYN+FIN is not a teardown");
  }

  @Test
  void shouldSeeATimeWaitCollision() {
    Verdict v = handshake().packet(5, false, "FA", SISN + 1, CISN + 1, 0).packet(6, true, "FA", CISN + 1, SISN + 2, 0)
        .packet(300, true, "S", CISN - 1_000_000, 0, 0)
        .packet(300.2, false, "A", SISN + 2, CISN + 2, 0)
        .rst(300.3, true, "R", CISN + 2, 0, -1, "P1", "P2", "P3").judge();
    assertEquals(Cause.time_wait_collision, v.cause());
    assertEquals(Emitter.client, v.emitter());
    assertTrue(has(v, "ACK_TO_SYN"));
  }

  @Test
  void shouldSeeAnAbortInTheMiddleOfData() {
    Verdict v = handshake().packet(10, true, "PA", CISN + 1, SISN + 1, 4096)
        .packet(60, true, "PA", CISN + 4097, SISN + 1, 4096)
        .rst(70, false, "RA", SISN + 1, CISN + 8193, -1, "P1", "P2", "P3").judge();
    assertEquals(Cause.abort, v.cause());
    assertEquals(Phase.data, v.phase());
    assertEquals(Emitter.server, v.emitter());
  }

  @Test
  void shouldMeasureTheSilenceBeforeAnIdleTimeout() {
    Verdict v = handshake().packet(3, true, "PA", CISN + 1, SISN + 1, 6).packet(4, false, "PA", SISN + 1, CISN + 7, 9)
        .packet(5, true, "A", CISN + 7, SISN + 10, 0)
        .rst(3010, false, "RA", SISN + 10, CISN + 7, -1, "P1", "P2", "P3").judge();
    assertEquals(Cause.idle_timeout, v.cause());
    assertTrue(detail(v, "SILENCE_BEFORE_RST").contains("3.0 s"));
    assertTrue(detail(v, "SILENCE_BEFORE_RST").contains("client had sent last"));
  }

  @Test
  void shouldNameTheSniOfABlockedClientHello() {
    Verdict v = handshake().hint(3, "TLS_CLIENT_HELLO", "blocked.example", CISN + 1, SISN + 1, 517)
        .rst(3.5, false, "RA", SISN + 1, CISN + 518, 128, "P1", "P2").judge();
    assertEquals(Cause.tls_block, v.cause());
    assertTrue(detail(v, "RST_AFTER_CLIENT_HELLO").contains("blocked.example"));
    assertTrue(v.recommendation().contains("P2 and P3"));
  }

  @Test
  void shouldNameTheTargetOfABlockedHttpRequestAndTheSpreadSequenceNumbers() {
    CaseBuilder b = handshake().hint(3, "HTTP_REQUEST", "GET host/forbidden", CISN + 1, SISN + 1, 80);
    b.packetAt(List.of("P1", "P2"), 3.6, false, "R", SISN + 1 + 1460, 0, 0, 128, null, null);
    b.packetAt(List.of("P1", "P2"), 3.7, false, "R", SISN + 1 + 4380, 0, 0, 128, null, null);
    Verdict v = b.rst(3.5, false, "R", SISN + 1, 0, 128, "P1", "P2").judge();
    assertEquals(Cause.content_block, v.cause());
    assertTrue(detail(v, "SPREAD_SEQ_RSTS").contains("+1460"));
    assertTrue(detail(v, "RST_AFTER_HTTP_REQUEST").contains("/forbidden"));
  }

  @Test
  void shouldCallTheClientsAnswerToDataAfterAForgedResetCollateral() {
    CaseBuilder b = handshake().hint(3, "TLS_CLIENT_HELLO", "blocked.example", CISN + 1, SISN + 1, 517);
    b.packetAt(List.of("P1", "P2"), 3.5, false, "RA", SISN + 1, CISN + 518, 0, 128, null, null);
    b.packet(300, false, "PA", SISN + 1, CISN + 518, 1400);
    Verdict v = b.rst(300.5, true, "R", CISN + 518, 0, -1, "P1", "P2", "P3").judge();
    assertEquals(Cause.no_socket, v.cause());
    assertEquals(Emitter.client, v.emitter());
    assertEquals("other-0", v.relatedFindingId());
    assertTrue(has(v, "RST_AFTER_RST"));
  }

  @Test
  void shouldCallAResetRightAfterAFinAnAcceleratedClose() {
    Verdict v = handshake().packet(10, true, "PA", CISN + 1, SISN + 1, 10).packet(20, true, "FA", CISN + 11, SISN + 1, 0)
        .rst(20.5, false, "R", SISN + 1, 0, 255, "P1").judge();
    assertEquals(Cause.accelerated_close, v.cause());
    assertEquals(Phase.teardown, v.phase());
    assertEquals("segment:P1-P2", v.location().text());
    assertTrue(has(v, "RST_AFTER_FIN"));
  }

  @Test
  void shouldGiveHopDistancesFromTheInitialTtlGuess() {
    Verdict v = handshake().rst(1.5, false, "R", SISN + 1, 0, 128, "P1", "P2").judge();
    assertTrue(detail(v, "HOP_DISTANCE").contains("RST at P2: TTL 128, 0 hop(s) from an initial 128; server packets there: TTL 63, 1 hop(s) from 64"),
        detail(v, "HOP_DISTANCE"));
  }

  @Test
  void shouldSayUnknownWithoutAnyPacketBeforeTheRst() {
    Verdict v = new CaseBuilder().onlyPoints("P1").rst(0, false, "R", 77, 0, 62, "P1").judge();
    assertEquals(Phase.unknown, v.phase());
    assertEquals(Cause.unknown, v.cause());
  }

  @Test
  void shouldWeakenNotSeenAtWhenThatPointWasDropping() {
    CaseBuilder b = handshake();
    b.point("P3", true, true);
    RstCase base = b.rst(1.5, false, "R", SISN + 1, 0, 128, "P1", "P2").build();
    java.util.Map<String, RstCase.PointInfo> points = new java.util.HashMap<>(base.points());
    points.put("P3", new RstCase.PointInfo("P3", true, true, true, true, 0));
    RstCase dropping = new RstCase(base.findingId(), base.client(), base.server(), base.rolesFrom(), base.fromClient(),
        base.seq(), base.ack(), base.flags(), base.ipId(), base.sightings(), base.path(), points, base.packets(),
        base.thresholds());
    Verdict clean = VerdictEngine.decide(base);
    Verdict weak = VerdictEngine.decide(dropping);
    assertTrue(detail(weak, "NOT_SEEN_AT").contains("reported drops"));
    assertTrue(weak.confidence() < clean.confidence());
  }

  @Test
  void shouldFlagASequenceNumberFarOutsideAnyWindow() {
    Verdict v = new CaseBuilder().onlyPoints("P1")
        .packet(0, true, "S", CISN, 0, 0).packet(1, false, "SA", SISN, CISN + 1, 0).packet(2, true, "A", CISN + 1, SISN + 1, 0)
        .packet(3, true, "PA", CISN + 1, SISN + 1, 100).packet(4, false, "PA", SISN + 1, CISN + 101, 100)
        .rst(5, false, "RA", SISN + 1_000_000_000L, CISN + 101, 62, "P1").judge();
    assertTrue(detail(v, "SEQ_OUT_OF_WINDOW").contains("999999899 from the server's next sequence number 5101"), v.evidence().toString());
    assertFalse(has(v, "RST_WITHOUT_ACK"));
  }

  @Test
  void shouldNoteAResetWithoutAckOnAnEstablishedConnection() {
    Verdict v = handshake().packet(3, false, "PA", SISN + 1, CISN + 1, 50).packet(4, true, "PA", CISN + 1, SISN + 51, 100)
        .rst(5, false, "R", SISN + 51, 0, -1, "P1", "P2", "P3").judge();
    assertTrue(detail(v, "RST_WITHOUT_ACK").contains("established"));
    assertEquals(Cause.no_socket, v.cause(), "a bare R answering a segment: the host had no socket for it");
  }

  @Test
  void shouldBeDeterministic() {
    RstCase c = handshake().rst(1.5, false, "R", SISN + 1, 0, 128, "P1", "P2").build();
    assertEquals(VerdictEngine.decide(c), VerdictEngine.decide(c));
  }
}
