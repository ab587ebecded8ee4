package io.rstscope.processor.query;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.PropertyAccessor;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rstscope.avro.RstFinding;
import io.rstscope.processor.output.FindingJson;
import io.rstscope.processor.output.Micros;
import java.io.UncheckedIOException;

/** JSON of the query API: state classes by their public fields (as their serde writes them), findings in DESIGN.md's shape. */
final class Json {
  static final ObjectMapper MAPPER = new ObjectMapper()
      .setVisibility(PropertyAccessor.ALL, JsonAutoDetect.Visibility.NONE)
      .setVisibility(PropertyAccessor.FIELD, JsonAutoDetect.Visibility.PUBLIC_ONLY)
      .setSerializationInclusion(JsonInclude.Include.NON_NULL);

  private Json() {}

  static JsonNode tree(Object state) {
    return MAPPER.valueToTree(state);
  }

  static JsonNode parse(String text) {
    try {
      return MAPPER.readTree(text);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String write(JsonNode node) {
    try {
      return MAPPER.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** DESIGN.md's finding line plus its id and times, for the API and the page. */
  static ObjectNode finding(RstFinding f) {
    ObjectNode o = (ObjectNode) parse(FindingJson.contractJson(f));
    o.put("finding_id", f.getFindingId());
    o.put("rst_time", Micros.iso(f.getRstTime()));
    o.put("decided_at", Micros.iso(f.getDecidedAt()));
    if (f.getRelatedFindingId() != null) {
      o.put("related_finding_id", f.getRelatedFindingId());
    }
    return o;
  }
}
