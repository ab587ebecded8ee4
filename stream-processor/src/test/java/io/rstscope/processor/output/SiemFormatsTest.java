package io.rstscope.processor.output;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.rstscope.avro.ApplicationHint;
import io.rstscope.avro.Cause;
import io.rstscope.avro.RstFinding;
import java.io.InputStream;
import java.net.InetAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The SIEM faces of a finding against their standards: every OCSF event validates against the
 * OCSF 1.3.0 Network Activity JSON schema in test resources, and every ECS document uses only ECS
 * 8.11 fields (test resources hold the subset we write, with ECS's types) besides the custom
 * rstscope.* and zeek.* namespaces, each value of its field's type.
 */
class SiemFormatsTest {
  /** Lenient about NaN: the random findings include non-finite confidences (rstscope.confidence). */
  private static final ObjectMapper JSON = com.fasterxml.jackson.databind.json.JsonMapper.builder()
      .enable(com.fasterxml.jackson.core.json.JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

  @Test
  void shouldWriteOcsfEventsThatTheOcsfSchemaAccepts() throws Exception {
    JsonSchema schema;
    try (InputStream in = getClass().getResourceAsStream("/ocsf-1.3.0/network_activity.schema.json")) {
      SchemaValidatorsConfig config = SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build();
      schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(in, config);
    }
    for (RstFinding f : FindingJsonTest.variedFindings(new Random(20261202), 2000)) {
      JsonNode event = JSON.readTree(OcsfJson.json(f));
      Set<ValidationMessage> errors = schema.validate(event);
      assertTrue(errors.isEmpty(), () -> errors + " in " + event);
      assertEquals(OcsfJson.activity(f.getCause()).id, event.get("activity_id").asInt());
      assertEquals(400100 + event.get("activity_id").asInt(), event.get("type_uid").asInt());
    }
    // The schema refuses what OCSF 1.3.0 does not have: the check can fail.
    JsonNode bad = JSON.readTree(OcsfJson.json(FindingJsonTest.variedFindings(new Random(1), 1).get(0)));
    ((com.fasterxml.jackson.databind.node.ObjectNode) bad).put("verdict", "ours");
    assertTrue(!schema.validate(bad).isEmpty(), "an attribute outside the class must be refused");
  }

  @Test
  void shouldChooseTheOcsfActivityFromTheVerdict() {
    assertEquals(OcsfJson.Activity.REFUSE, OcsfJson.activity(Cause.port_closed));
    assertEquals(OcsfJson.Activity.REFUSE, OcsfJson.activity(Cause.firewall_reject));
    assertEquals(OcsfJson.Activity.FAIL, OcsfJson.activity(Cause.idle_timeout));
    assertEquals(OcsfJson.Activity.RESET, OcsfJson.activity(Cause.tls_block));
    assertEquals(OcsfJson.Activity.RESET, OcsfJson.activity(Cause.abort));
  }

  @Test
  void shouldWriteOnlyEcsFieldsOfTheirEcsTypes() throws Exception {
    Map<String, String> types;
    try (InputStream in = getClass().getResourceAsStream("/ecs-8.11.0/ecs_flat_subset.json")) {
      types = JSON.readValue(in, JSON.getTypeFactory().constructMapType(Map.class, String.class, String.class));
    }
    List<RstFinding> findings = FindingJsonTest.variedFindings(new Random(20261203), 2000);
    for (RstFinding f : findings) {
      JsonNode doc = JSON.readTree(FindingJson.ecsJson(f));
      List<String> problems = new ArrayList<>();
      check("", doc, types, problems);
      assertTrue(problems.isEmpty(), () -> problems + " in " + doc);
    }
  }

  @Test
  void shouldNameTheObserverThatSawTheRstFirstAndTheApplication() throws Exception {
    RstFinding f = FindingJsonTest.variedFindings(new Random(7), 1).get(0);
    f.setSightings(List.of(new io.rstscope.avro.Sighting("P1", Instant.parse("2026-12-02T10:00:00Z"), 60),
        new io.rstscope.avro.Sighting("P3", Instant.parse("2026-12-02T09:59:59Z"), 64)));
    f.setFirstSeenBy("P3");
    f.setApplication(new ApplicationHint("blocked.example", null, null));
    JsonNode doc = JSON.readTree(FindingJson.ecsJson(f));
    assertEquals("P3", doc.at("/observer/name").asText());
    assertEquals(2, doc.at("/rstscope/sightings").size(), "every sighting kept");
    assertEquals("blocked.example", doc.at("/tls/client/server_name").asText());
    f.setApplication(new ApplicationHint(null, "GET", "http://example.test/forbidden"));
    doc = JSON.readTree(FindingJson.ecsJson(f));
    assertEquals("GET", doc.at("/http/request/method").asText());
    assertEquals("http://example.test/forbidden", doc.at("/url/original").asText());
    assertEquals("P3", JSON.readTree(OcsfJson.json(f)).at("/device/name").asText());
  }

  private static void check(String prefix, JsonNode node, Map<String, String> types, List<String> problems) {
    Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> e = fields.next();
      String name = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
      if (name.equals("rstscope") || name.equals("zeek")) {
        continue; // custom namespaces, documented in docs/contracts.md
      }
      JsonNode v = e.getValue();
      if (v.isObject()) {
        check(name, v, types, problems);
        continue;
      }
      String type = types.get(name);
      if (type == null) {
        problems.add(name + " is not an ECS field we declared");
        continue;
      }
      for (JsonNode item : v.isArray() ? v : List.of(v)) {
        if (!fits(type, item)) {
          problems.add(name + " (" + type + ") holds " + item);
        }
      }
    }
  }

  private static boolean fits(String type, JsonNode v) {
    switch (type) {
      case "keyword", "wildcard", "match_only_text":
        return v.isTextual();
      case "long":
        return v.isIntegralNumber();
      case "float":
        return v.isNumber();
      case "date":
        if (!v.isTextual()) {
          return false;
        }
        try {
          Instant.parse(v.asText());
          return true;
        } catch (RuntimeException e) {
          return false;
        }
      case "ip":
        return v.isTextual() && v.asText().matches("[0-9a-fA-F:.]+") && parses(v.asText());
      default:
        return false;
    }
  }

  private static boolean parses(String ip) {
    try {
      InetAddress.getByName(ip);
      return true;
    } catch (Exception e) {
      return false;
    }
  }
}
