package io.rstscope.processor.output;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rstscope.avro.Cause;
import io.rstscope.avro.Evidence;
import io.rstscope.avro.RstFinding;
import io.rstscope.avro.Sighting;
import java.io.UncheckedIOException;

/**
 * The tree-based FindingJson as it was before it streamed (commit 4ff6b5b), kept unchanged as the
 * reference the streaming writer must match byte for byte. Test code only.
 */
final class TreeFindingJson {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private TreeFindingJson() {}

  /** Exactly DESIGN.md's jsonl line, plus community_id. One line, no trailing newline. */
  static String contractJson(RstFinding f) {
    ObjectNode root = MAPPER.createObjectNode();
    ObjectNode flow = root.putObject("flow");
    flow.put("client", f.getFlow().getClient());
    flow.put("server", f.getFlow().getServer());
    flow.put("proto", f.getFlow().getProto());
    ObjectNode rst = root.putObject("rst");
    rst.put("src", f.getRst().getSrc());
    rst.put("dst", f.getRst().getDst());
    rst.put("seq", f.getRst().getSeq());
    rst.put("ack", f.getRst().getAck());
    rst.put("flags", f.getRst().getFlags());
    if (f.getRst().getIpId() == null) {
      rst.putNull("ipId");
    } else {
      rst.put("ipId", f.getRst().getIpId());
    }
    ArrayNode sightings = root.putArray("sightings");
    for (Sighting s : f.getSightings()) {
      ObjectNode o = sightings.addObject();
      o.put("point", s.getPoint());
      o.put("ts", Micros.iso(s.getTs()));
      o.put("ttl", s.getTtl());
    }
    root.put("emitter", f.getEmitter().name());
    root.put("location", f.getLocation());
    root.put("forged", f.getForged());
    root.put("confidence", round2(f.getConfidence()));
    root.put("phase", f.getPhase().name());
    root.put("cause", f.getCause().name());
    ArrayNode evidence = root.putArray("evidence");
    for (Evidence e : f.getEvidence()) {
      evidence.addObject().put("code", e.getCode()).put("detail", e.getDetail());
    }
    root.put("recommendation", f.getRecommendation());
    root.put("community_id", f.getCommunityId());
    zeek(root, f);
    return write(root);
  }

  private static void zeek(ObjectNode root, RstFinding f) {
    if (f.getZeek() != null) {
      root.putObject("zeek").put("conn_state", f.getZeek().getConnState()).put("history", f.getZeek().getHistory())
          .put("point", f.getZeek().getPoint());
    }
  }

  /**
   * ECS document: source/destination are the RST packet's own addresses, client/server the flow's
   * roles, network.community_id joins with Zeek and Suricata; what ECS has no name for is under rstscope.*.
   */
  static String ecsJson(RstFinding f) {
    ObjectNode root = MAPPER.createObjectNode();
    root.put("@timestamp", Micros.iso(f.getRstTime()));
    root.put("message", f.getRst().getFlags() + " " + f.getRst().getSrc() + " -> " + f.getRst().getDst() + ": "
        + f.getCause().name() + ", emitted by " + f.getEmitter().name() + " at " + f.getLocation()
        + (f.getForged() ? " (forged)" : ""));
    ObjectNode ecs = root.putObject("ecs");
    ecs.put("version", "8.11.0");
    ObjectNode event = root.putObject("event");
    boolean alert = f.getForged() || f.getCause() == Cause.syn_scan || f.getCause() == Cause.connect_scan;
    event.put("kind", alert ? "alert" : "event");
    event.putArray("category").add("network");
    ArrayNode type = event.putArray("type");
    type.add("connection");
    type.add(denied(f.getCause()) ? "denied" : "end");
    event.put("action", "tcp-reset");
    event.put("reason", f.getCause().name());
    event.put("id", f.getFindingId());
    event.put("created", Micros.iso(f.getDecidedAt()));
    event.put("module", "rstscope");
    event.put("dataset", "rstscope.findings");
    event.put("risk_score", Math.round(f.getConfidence() * 100.0));
    putEndpoint(root.putObject("source"), f.getRst().getSrc());
    putEndpoint(root.putObject("destination"), f.getRst().getDst());
    putEndpoint(root.putObject("client"), f.getFlow().getClient());
    putEndpoint(root.putObject("server"), f.getFlow().getServer());
    ObjectNode network = root.putObject("network");
    network.put("transport", f.getFlow().getProto());
    network.put("iana_number", "6");
    network.put("community_id", f.getCommunityId());
    network.put("type", f.getRst().getSrc().startsWith("[") ? "ipv6" : "ipv4");
    if (!f.getSightings().isEmpty()) {
      ObjectNode observer = root.putObject("observer");
      observer.put("name", f.getFirstSeenBy() != null ? f.getFirstSeenBy() : f.getSightings().get(0).getPoint());
      observer.put("type", "sensor");
      observer.put("product", "rstscope");
    }
    if (f.getApplication() != null && f.getApplication().getSni() != null) {
      root.putObject("tls").putObject("client").put("server_name", f.getApplication().getSni());
    }
    if (f.getApplication() != null && f.getApplication().getUrl() != null) {
      root.putObject("url").put("original", f.getApplication().getUrl());
    }
    if (f.getApplication() != null && f.getApplication().getHttpMethod() != null) {
      root.putObject("http").putObject("request").put("method", f.getApplication().getHttpMethod());
    }
    zeek(root, f);
    ObjectNode r = root.putObject("rstscope");
    r.put("finding_id", f.getFindingId());
    r.put("emitter", f.getEmitter().name());
    r.put("location", f.getLocation());
    r.put("forged", f.getForged());
    r.put("confidence", round2(f.getConfidence()));
    r.put("phase", f.getPhase().name());
    r.put("cause", f.getCause().name());
    r.put("roles_from", f.getFlow().getRolesFrom());
    ObjectNode rst = r.putObject("rst");
    rst.put("flags", f.getRst().getFlags());
    rst.put("seq", f.getRst().getSeq());
    rst.put("ack", f.getRst().getAck());
    if (f.getRst().getIpId() != null) {
      rst.put("ip_id", f.getRst().getIpId());
    }
    ArrayNode sightings = r.putArray("sightings");
    for (Sighting s : f.getSightings()) {
      sightings.addObject().put("point", s.getPoint()).put("ts", Micros.iso(s.getTs())).put("ttl", s.getTtl());
    }
    ArrayNode evidence = r.putArray("evidence");
    for (Evidence e : f.getEvidence()) {
      evidence.addObject().put("code", e.getCode()).put("detail", e.getDetail());
    }
    r.put("recommendation", f.getRecommendation());
    if (f.getRelatedFindingId() != null) {
      r.put("related_finding_id", f.getRelatedFindingId());
    }
    return write(root);
  }

  private static boolean denied(Cause c) {
    return switch (c) {
      case port_closed, backlog_overflow, time_wait_collision, malformed_syn, firewall_reject, bypass_block,
          tls_block, content_block -> true;
      default -> false;
    };
  }

  private static void putEndpoint(ObjectNode node, String endpoint) {
    int colon = endpoint.lastIndexOf(':');
    String ip = endpoint.substring(0, colon);
    if (ip.startsWith("[")) {
      ip = ip.substring(1, ip.length() - 1);
    }
    node.put("ip", ip.contains("%") ? ip.substring(0, ip.indexOf('%')) : ip);
    node.put("port", Integer.parseInt(endpoint.substring(colon + 1)));
    node.put("address", ip);
  }

  private static double round2(double v) {
    return Math.round(v * 100.0) / 100.0;
  }

  private static String write(ObjectNode node) {
    try {
      return MAPPER.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}
