package io.rstscope.processor.output;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rstscope.avro.ApplicationHint;
import io.rstscope.avro.Cause;
import io.rstscope.avro.Emitter;
import io.rstscope.avro.Evidence;
import io.rstscope.avro.FlowRoles;
import io.rstscope.avro.Phase;
import io.rstscope.avro.RstFinding;
import io.rstscope.avro.RstIdentity;
import io.rstscope.avro.Sighting;
import io.rstscope.avro.ZeekConn;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FindingJsonTest {
  private static RstFinding finding(String client, String server, Integer ipId) {
    return RstFinding.newBuilder()
        .setFindingId("abc").setCommunityId("1:LQU9qZlK+B5F3KDmev6m5PMibrg=")
        .setFlow(new FlowRoles(client, server, "tcp", "syn"))
        .setRst(new RstIdentity(server, client, 123L, 456L, "R", ipId))
        .setSightings(List.of(new Sighting("P1", Instant.parse("2026-11-25T01:02:03.123456Z"), 64),
            new Sighting("P2", Instant.parse("2026-11-25T01:02:03Z"), 63)))
        .setEmitter(Emitter.middlebox).setLocation("segment:P1-P2").setForged(true).setConfidence(0.9312)
        .setPhase(Phase.handshake).setCause(Cause.bypass_block)
        .setEvidence(List.of(new Evidence("TTL_MISMATCH", "at P1 server packets TTL 62, this RST 64")))
        .setRecommendation("inspect the device between P1 and P2").setRelatedFindingId(null)
        .setRstTime(Instant.parse("2026-11-25T01:02:03.000001Z")).setDecidedAt(Instant.parse("2026-11-25T01:02:06Z"))
        .build();
  }

  @Test
  void shouldWriteExactlyTheDesignedJsonlLine() {
    String line = FindingJson.contractJson(finding("10.0.0.1:40000", "10.0.3.2:443", 0));
    assertEquals("{\"flow\":{\"client\":\"10.0.0.1:40000\",\"server\":\"10.0.3.2:443\",\"proto\":\"tcp\"},"
        + "\"rst\":{\"src\":\"10.0.3.2:443\",\"dst\":\"10.0.0.1:40000\",\"seq\":123,\"ack\":456,\"flags\":\"R\",\"ipId\":0},"
        + "\"sightings\":[{\"point\":\"P1\",\"ts\":\"2026-11-25T01:02:03.123456Z\",\"ttl\":64},"
        + "{\"point\":\"P2\",\"ts\":\"2026-11-25T01:02:03.000000Z\",\"ttl\":63}],"
        + "\"emitter\":\"middlebox\",\"location\":\"segment:P1-P2\",\"forged\":true,\"confidence\":0.93,"
        + "\"phase\":\"handshake\",\"cause\":\"bypass_block\","
        + "\"evidence\":[{\"code\":\"TTL_MISMATCH\",\"detail\":\"at P1 server packets TTL 62, this RST 64\"}],"
        + "\"recommendation\":\"inspect the device between P1 and P2\","
        + "\"community_id\":\"1:LQU9qZlK+B5F3KDmev6m5PMibrg=\"}", line);
    assertFalse(line.contains("\n"));
  }

  @Test
  void shouldWriteIpv6EndpointsAndANullIpIdInEcs() throws Exception {
    RstFinding f = finding("[fd00:1::2]:40041", "[fd00:3::2]:8081", null);
    assertEquals("null", new ObjectMapper().readTree(FindingJson.contractJson(f)).at("/rst/ipId").toString());
    JsonNode ecs = new ObjectMapper().readTree(FindingJson.ecsJson(f));
    assertEquals("fd00:3::2", ecs.at("/source/ip").asText());
    assertEquals(8081, ecs.at("/source/port").asInt());
    assertEquals("fd00:1::2", ecs.at("/client/ip").asText());
    assertEquals("ipv6", ecs.at("/network/type").asText());
    assertEquals("alert", ecs.at("/event/kind").asText(), "a forged RST is an alert");
    assertEquals("denied", ecs.at("/event/type/1").asText());
    assertEquals("2026-11-25T01:02:03.000001Z", ecs.at("/@timestamp").asText());
    assertEquals("segment:P1-P2", ecs.at("/rstscope/location").asText());
    assertEquals("TTL_MISMATCH", ecs.at("/rstscope/evidence/0/code").asText());
    assertEquals(2, ecs.at("/rstscope/sightings").size());
  }

  @Test
  void shouldWriteTheSameBytesAsTheTreeWriterItReplaced() {
    List<RstFinding> findings = variedFindings(new Random(20261125), 3000);
    for (RstFinding f : findings) {
      assertEquals(TreeFindingJson.contractJson(f), FindingJson.contractJson(f), () -> "contract of " + f);
      assertEquals(TreeFindingJson.ecsJson(f), FindingJson.ecsJson(f), () -> "ECS of " + f);
    }
    // The edges the generator is meant to reach, so a narrowed generator cannot pass quietly.
    assertTrue(findings.stream().anyMatch(f -> f.getRst().getIpId() == null));
    assertTrue(findings.stream().anyMatch(f -> f.getRelatedFindingId() != null));
    assertTrue(findings.stream().anyMatch(f -> f.getSightings().isEmpty()));
    assertTrue(findings.stream().anyMatch(f -> f.getEvidence().size() >= 3));
    assertTrue(findings.stream().anyMatch(f -> f.getRst().getSrc().startsWith("[")));
    assertTrue(findings.stream().anyMatch(f -> FindingJson.ecsJson(f).contains("\\u0001")));
  }

  private static final String[] ENDPOINTS = {"10.0.0.1:40000", "10.0.3.2:443", "192.168.100.200:65535", "0.0.0.0:0",
      "[fd00:1::2]:40041", "[fd00:3::2]:8081", "[::1]:22", "[2001:db8:0:0:0:0:2:1]:443", "[fe80::1%eth0]:179"};
  private static final String[] TEXTS = {"", "plain", "at P1 server packets TTL 62, this RST 64",
      "a \"quoted\" word", "back\\slash and /slash", "line\nbreak\ttab\rreturn", "control \u0001\u001f\u007f",
      "caf\u00e9 na\u00efve \u00fc\u00df", "\u4e2d\u6587 \u0440\u0443\u0441", "emoji \ud83d\ude80 pair",
      "lone \ud800 surrogate", "separators \u2028\u2029", "html <script>&amp;</script> '", "nul \u0000 byte"};
  private static final Double[] CONFIDENCES = {0.0, 1.0, 0.9312, 0.005, 0.015, 0.125, 0.995, 0.3333333333333333,
      1e-9, -0.5, 12345.678, Double.NaN, Double.POSITIVE_INFINITY, Double.MIN_VALUE};
  private static final Instant[] TIMES = {Instant.EPOCH, Instant.parse("2026-11-25T01:02:03.123456Z"),
      Instant.parse("2026-11-25T01:02:03Z"), Instant.parse("1999-12-31T23:59:59.999999Z"),
      Instant.parse("2262-04-11T23:47:16.854775Z")};

  /** Findings built as the tests above build them, with every optional and awkward value drawn at random. */
  static List<RstFinding> variedFindings(Random r, int count) {
    List<RstFinding> out = new ArrayList<>();
    for (int n = 0; n < count; n++) {
      String client = pick(r, ENDPOINTS);
      String server = pick(r, ENDPOINTS);
      boolean fromServer = r.nextBoolean();
      List<Sighting> sightings = new ArrayList<>();
      for (int i = r.nextInt(5); i > 0; i--) {
        String point = r.nextInt(6) == 0 ? pick(r, TEXTS) : "P" + r.nextInt(5);
        sightings.add(new Sighting(point, time(r), r.nextInt(256)));
      }
      List<Evidence> evidence = new ArrayList<>();
      for (int i = r.nextInt(5); i > 0; i--) {
        evidence.add(new Evidence(r.nextBoolean() ? "TTL_MISMATCH" : pick(r, TEXTS), pick(r, TEXTS)));
      }
      out.add(RstFinding.newBuilder()
          .setFindingId(r.nextInt(8) == 0 ? pick(r, TEXTS) : Long.toHexString(r.nextLong()))
          .setCommunityId("1:" + Long.toHexString(r.nextLong()) + "+/=")
          .setFlow(new FlowRoles(client, server, r.nextInt(8) == 0 ? pick(r, TEXTS) : "tcp",
              r.nextBoolean() ? "syn" : "ports"))
          .setRst(new RstIdentity(fromServer ? server : client, fromServer ? client : server,
              r.nextBoolean() ? r.nextInt() & 0xffffffffL : r.nextLong(), r.nextInt(4) == 0 ? 0 : r.nextInt() & 0xffffffffL,
              pick(r, new String[] {"R", "RA", "RAP", "FRA", ""}),
              r.nextInt(3) == 0 ? null : pick(r, new Integer[] {0, 1, 65535, r.nextInt(), Integer.MIN_VALUE})))
          .setSightings(sightings)
          .setEmitter(pick(r, Emitter.values())).setLocation(r.nextBoolean() ? "segment:P1-P2" : pick(r, TEXTS))
          .setForged(r.nextBoolean())
          .setConfidence(r.nextBoolean() ? r.nextDouble() : pick(r, CONFIDENCES))
          .setPhase(pick(r, Phase.values())).setCause(pick(r, Cause.values()))
          .setEvidence(evidence)
          .setRecommendation(pick(r, TEXTS))
          .setRelatedFindingId(r.nextInt(3) == 0 ? pick(r, TEXTS) : null)
          .setRstTime(time(r)).setDecidedAt(time(r))
          .setZeek(r.nextInt(3) == 0 ? null : new ZeekConn(pick(r, new String[] {"REJ", "RSTO", "OTH"}),
              r.nextBoolean() ? "ShADadR" : pick(r, TEXTS), r.nextBoolean() ? "P1" : pick(r, TEXTS)))
          .setFirstSeenBy(r.nextBoolean() ? null : r.nextBoolean() ? "P3" : pick(r, TEXTS))
          .setApplication(r.nextInt(3) == 0 ? null : new ApplicationHint(r.nextBoolean() ? null : pick(r, TEXTS),
              r.nextBoolean() ? null : "GET", r.nextBoolean() ? null : "http://" + pick(r, TEXTS) + "/x?y"))
          .build());
    }
    return out;
  }

  private static Instant time(Random r) {
    return r.nextBoolean() ? pick(r, TIMES)
        : Instant.ofEpochSecond(1_700_000_000L + r.nextInt(200_000_000), r.nextInt(1_000_000) * 1_000L);
  }

  private static <T> T pick(Random r, T[] values) {
    return values[r.nextInt(values.length)];
  }
}
