package io.rstscope.processor.output;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rstscope.avro.Cause;
import io.rstscope.avro.Emitter;
import io.rstscope.avro.Evidence;
import io.rstscope.avro.FlowRoles;
import io.rstscope.avro.Phase;
import io.rstscope.avro.RstFinding;
import io.rstscope.avro.RstIdentity;
import io.rstscope.avro.Sighting;
import java.time.Instant;
import java.util.List;
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
}
