package io.rstscope.processor.output;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rstscope.avro.Cause;
import io.rstscope.avro.Emitter;
import io.rstscope.avro.Evidence;
import io.rstscope.avro.FlowRoles;
import io.rstscope.avro.Phase;
import io.rstscope.avro.RstFinding;
import io.rstscope.avro.RstIdentity;
import io.rstscope.avro.Sighting;
import io.rstscope.processor.verdict.EvidenceCode;
import io.rstscope.processor.verdict.RstCase;
import io.rstscope.processor.verdict.Verdict;
import io.rstscope.schemas.AvroSerde;
import io.rstscope.schemas.Location;
import io.rstscope.schemas.TcpFlags;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.avro.AvroRuntimeException;
import org.junit.jupiter.api.Test;

class FindingsTest {
  private static final AvroSerde<RstFinding> SERDE = AvroSerde.of(RstFinding.class);
  private static final String[] POINTS = {"P1", "P2", "P3", "P4", "off-path", "\u00e9t\u00e9 \"q\""};
  private static final String[] ENDPOINTS = {"10.0.1.2:40001", "10.0.3.2:8081", "[fd00:1::2]:40041",
      "[fd00:3::2]:8081"};
  private static final String[] TEXTS = {"", "inspect the device between P1 and P2", "a \"quoted\" word",
      "caf\u00e9 \u4e2d\u6587 \ud83d\ude80", "line\nbreak"};

  @Test
  void shouldBuildTheSameRecordAsTheBuilderItReplaced() {
    Random r = new Random(20261125);
    int withoutSightings = 0;
    int withoutIpId = 0;
    int related = 0;
    for (int n = 0; n < 3000; n++) {
      RstCase c = rstCase(r);
      Verdict v = verdict(r);
      String communityId = "1:" + Long.toHexString(r.nextLong()) + "=";
      Instant decidedAt = Instant.ofEpochSecond(1_764_000_000L + r.nextInt(1_000_000), r.nextInt(1_000_000_000));
      RstFinding expected = viaBuilder(c, v, communityId, decidedAt);
      RstFinding actual = Findings.of(c, v, communityId, decidedAt);
      assertEquals(expected, actual, () -> "finding of " + c + " / " + v);
      assertEquals(expected.toString(), actual.toString());
      assertArrayEquals(SERDE.toBytes(expected), SERDE.toBytes(actual), "the bytes the findings topic gets");
      withoutSightings += c.sightings().isEmpty() ? 1 : 0;
      withoutIpId += c.ipId() == null ? 1 : 0;
      related += v.relatedFindingId() != null ? 1 : 0;
    }
    assertTrue(withoutSightings > 0 && withoutIpId > 0 && related > 0, "the generator reaches the optional fields");
  }

  @Test
  void shouldRefuseANullWhereTheSchemaHasNoneAsTheBuilderDid() {
    Random r = new Random(1);
    RstCase c = rstCase(r);
    Verdict v = verdict(r);
    Verdict noRecommendation = new Verdict(v.emitter(), v.location(), v.forged(), v.confidence(), v.phase(), v.cause(),
        v.evidence(), null, v.relatedFindingId());
    Instant now = Instant.parse("2026-11-25T01:02:06Z");
    assertThrows(AvroRuntimeException.class, () -> viaBuilder(c, noRecommendation, "1:x", now));
    assertThrows(AvroRuntimeException.class, () -> Findings.of(c, noRecommendation, "1:x", now));
    assertThrows(AvroRuntimeException.class, () -> Findings.of(c, v, null, now));
  }

  private static RstCase rstCase(Random r) {
    List<RstCase.Sighting> sightings = new ArrayList<>();
    long t = 1_764_000_000_000_000L + r.nextInt(1_000_000_000);
    for (int i = r.nextInt(5); i > 0; i--) {
      sightings.add(new RstCase.Sighting(POINTS[r.nextInt(POINTS.length)], t + r.nextInt(2_000_000) - 1_000_000,
          t + r.nextInt(2_000_000) - 1_000_000, r.nextInt(256), r.nextInt(3)));
    }
    List<String> path = r.nextInt(4) == 0 ? List.of("P3", "P2", "P1") : List.of("P1", "P2", "P3");
    int flags = TcpFlags.RST | (r.nextBoolean() ? TcpFlags.ACK : 0) | (r.nextInt(4) == 0 ? TcpFlags.PSH : 0);
    return new RstCase(Long.toHexString(r.nextLong()), ENDPOINTS[r.nextInt(2)], ENDPOINTS[2 + r.nextInt(2)],
        r.nextBoolean() ? "syn" : "ports", r.nextBoolean(), r.nextInt() & 0xffffffffL, r.nextInt() & 0xffffffffL,
        flags, r.nextInt(3) == 0 ? null : r.nextInt(65536), sightings, path, Map.of(), List.of(), null);
  }

  private static Verdict verdict(Random r) {
    List<Verdict.Clue> clues = new ArrayList<>();
    for (int i = r.nextInt(4); i > 0; i--) {
      clues.add(new Verdict.Clue(r.nextBoolean() ? EvidenceCode.TTL_MISMATCH : EvidenceCode.NOT_SEEN_AT,
          TEXTS[r.nextInt(TEXTS.length)]));
    }
    return new Verdict(Emitter.values()[r.nextInt(Emitter.values().length)],
        r.nextBoolean() ? Location.segment("P1", "P2") : Location.SERVER, r.nextBoolean(), r.nextDouble(), Phase.values()[r.nextInt(Phase.values().length)],
        Cause.values()[r.nextInt(Cause.values().length)], clues, TEXTS[r.nextInt(TEXTS.length)],
        r.nextInt(3) == 0 ? Long.toHexString(r.nextLong()) : null);
  }

  /** Findings.of as it was before it used the all-fields constructor (commit 4ff6b5b): the reference. */
  private static RstFinding viaBuilder(RstCase c, Verdict v, String communityId, Instant decidedAt) {
    String src = c.fromClient() ? c.client() : c.server();
    String dst = c.fromClient() ? c.server() : c.client();
    List<Sighting> sightings = new ArrayList<>();
    long first = Long.MAX_VALUE;
    List<RstCase.Sighting> ordered = new ArrayList<>(c.sightings());
    ordered.sort(java.util.Comparator.comparingInt((RstCase.Sighting s) -> {
      int i = c.path().indexOf(s.point());
      return i < 0 ? Integer.MAX_VALUE : i;
    }).thenComparing(RstCase.Sighting::point));
    for (RstCase.Sighting s : ordered) {
      sightings.add(new Sighting(s.point(), Micros.toInstant(s.rawMicros()), s.ttl()));
      first = Math.min(first, s.tsMicros());
    }
    List<Evidence> evidence = v.evidence().stream().map(e -> new Evidence(e.code().name(), e.detail())).toList();
    return RstFinding.newBuilder()
        .setFindingId(c.findingId())
        .setCommunityId(communityId)
        .setFlow(new FlowRoles(c.client(), c.server(), "tcp", c.rolesFrom()))
        .setRst(new RstIdentity(src, dst, c.seq(), TcpFlags.has(c.flags(), TcpFlags.ACK) ? c.ack() : 0,
            TcpFlags.letters(c.flags()), c.ipId()))
        .setSightings(sightings)
        .setEmitter(v.emitter())
        .setLocation(v.location().text())
        .setForged(v.forged())
        .setConfidence(v.confidence())
        .setPhase(v.phase())
        .setCause(v.cause())
        .setEvidence(new ArrayList<>(evidence))
        .setRecommendation(v.recommendation())
        .setRelatedFindingId(v.relatedFindingId())
        .setRstTime(Micros.toInstant(first))
        .setDecidedAt(decidedAt)
        .build();
  }
}
