package io.rstscope.processor.evaluate;

import com.fasterxml.jackson.databind.JsonNode;
import io.rstscope.avro.RstFinding;
import io.rstscope.avro.RstIdentity;
import java.util.ArrayList;
import java.util.List;

/** What a finding says about one RST, as far as the lab's truth can check it. */
public record Verdict(RstKey rst, String emitter, String location, boolean forged, double confidence, String phase,
    String cause, List<String> evidenceCodes) {

  public Verdict {
    evidenceCodes = List.copyOf(evidenceCodes);
  }

  public static Verdict of(RstFinding f) {
    RstIdentity r = f.getRst();
    return new Verdict(new RstKey(r.getSrc(), r.getDst(), r.getSeq(), r.getAck(), r.getFlags(), r.getIpId()),
        f.getEmitter().toString(), f.getLocation(), f.getForged(), f.getConfidence(), f.getPhase().toString(),
        f.getCause().toString(), f.getEvidence().stream().map(e -> e.getCode()).toList());
  }

  /**
   * One line of {@code analyze --format jsonl} (DESIGN.md's finding contract).
   *
   * @throws IllegalArgumentException when a field the contract promises is missing
   */
  public static Verdict fromContractJson(JsonNode finding) {
    JsonNode rst = required(finding, "rst");
    JsonNode ipId = rst.get("ipId");
    RstKey key = new RstKey(required(rst, "src").asText(), required(rst, "dst").asText(), required(rst, "seq").asLong(),
        required(rst, "ack").asLong(), required(rst, "flags").asText(), ipId == null || ipId.isNull() ? null : ipId.asInt());
    List<String> codes = new ArrayList<>();
    finding.path("evidence").forEach(e -> codes.add(e.path("code").asText()));
    return new Verdict(key, required(finding, "emitter").asText(), required(finding, "location").asText(),
        required(finding, "forged").asBoolean(), required(finding, "confidence").asDouble(),
        required(finding, "phase").asText(), required(finding, "cause").asText(), codes);
  }

  private static JsonNode required(JsonNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      throw new IllegalArgumentException("finding without '" + field + "': " + node);
    }
    return value;
  }
}
