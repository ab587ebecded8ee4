package io.rstscope.processor.output;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rstscope.avro.Cause;
import io.rstscope.avro.Evidence;
import io.rstscope.avro.RstFinding;
import io.rstscope.avro.Sighting;
import io.rstscope.schemas.TcpFlags;
import java.time.Instant;

/**
 * A finding as an OCSF Network Activity event (class 4001, OCSF {@value #OCSF_VERSION}), for SIEM
 * pipelines that take OCSF (rstscope.findings.ocsf, {@code analyze --format ocsf}).
 *
 * <ul>
 *   <li>{@code activity_id}: Reset, Refuse or Fail, from the cause ({@link #activity(Cause)}).</li>
 *   <li>{@code src_endpoint}/{@code dst_endpoint}: the flow's client and server (OCSF: initiator and
 *   responder), not the RST packet's own addresses (those are under {@code unmapped.rstscope.rst}).</li>
 *   <li>{@code connection_info}: protocol, the RST's TCP flags as bits, the Community ID.</li>
 *   <li>{@code device} (host profile): the point that saw the RST first, an on-path sensor, type Other.
 *   Every point's sighting (point, time, TTL) is under {@code unmapped.rstscope.sightings}.</li>
 *   <li>{@code unmapped.rstscope}: our verdict (emitter, location, forged, confidence, phase, cause,
 *   evidence, recommendation) and Zeek's conn_state/history: OCSF has no attributes for them.</li>
 * </ul>
 */
public final class OcsfJson {
  /** The OCSF schema version the events follow (test resources hold the JSON schema they are checked against). */
  public static final String OCSF_VERSION = "1.3.0";
  static final int CLASS_NETWORK_ACTIVITY = 4001;
  static final int CATEGORY_NETWORK = 4;
  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** OCSF Network Activity activities that a RST can be. */
  public enum Activity {
    /** Ended abnormally, by an endpoint's abort or by a device in the middle. */
    RESET(3, "Reset"),
    /** The connection failed (a timeout, a peer that lost its state). */
    FAIL(4, "Fail"),
    /** The connection attempt was refused. */
    REFUSE(5, "Refuse");

    public final int id;
    public final String caption;

    Activity(int id, String caption) {
      this.id = id;
      this.caption = caption;
    }
  }

  private OcsfJson() {}

  /** The activity of each cause: a new cause does not compile until it has a row here. */
  public static Activity activity(Cause cause) {
    return switch (cause) {
      case port_closed, backlog_overflow, time_wait_collision, malformed_syn, firewall_reject -> Activity.REFUSE;
      case idle_timeout, no_socket, state_lost -> Activity.FAIL;
      case syn_scan, connect_scan, abort, bypass_block, tls_block, content_block, accelerated_close, data_after_close,
          unknown ->
          Activity.RESET;
    };
  }

  public static String json(RstFinding f) {
    Activity activity = activity(f.getCause());
    ObjectNode o = MAPPER.createObjectNode();
    o.put("activity_id", activity.id);
    o.put("activity_name", activity.caption);
    o.put("category_uid", CATEGORY_NETWORK);
    o.put("category_name", "Network Activity");
    o.put("class_uid", CLASS_NETWORK_ACTIVITY);
    o.put("class_name", "Network Activity");
    o.put("type_uid", CLASS_NETWORK_ACTIVITY * 100L + activity.id);
    o.put("type_name", "Network Activity: " + activity.caption);
    boolean alert = f.getForged() || f.getCause() == Cause.syn_scan || f.getCause() == Cause.connect_scan;
    o.put("severity_id", alert ? 3 : 1);
    o.put("severity", alert ? "Medium" : "Informational");
    o.put("time", millis(f.getRstTime()));
    o.put("message", f.getRst().getFlags() + " " + f.getRst().getSrc() + " -> " + f.getRst().getDst() + ": "
        + f.getCause().name() + ", emitted by " + f.getEmitter().name() + " at " + f.getLocation()
        + (f.getForged() ? " (forged)" : ""));
    ObjectNode metadata = o.putObject("metadata");
    metadata.put("version", OCSF_VERSION);
    metadata.put("uid", f.getFindingId());
    metadata.put("correlation_uid", f.getCommunityId());
    metadata.put("logged_time", millis(f.getDecidedAt()));
    metadata.putArray("profiles").add("host");
    ObjectNode product = metadata.putObject("product");
    product.put("name", "rstscope");
    product.put("vendor_name", "rstscope");
    endpoint(o.putObject("src_endpoint"), f.getFlow().getClient());
    endpoint(o.putObject("dst_endpoint"), f.getFlow().getServer());
    ObjectNode connection = o.putObject("connection_info");
    connection.put("protocol_num", 6);
    connection.put("protocol_name", "tcp");
    connection.put("protocol_ver_id", f.getFlow().getClient().startsWith("[") ? 6 : 4);
    connection.put("tcp_flags", TcpFlags.parse(f.getRst().getFlags()));
    connection.put("community_uid", f.getCommunityId());
    connection.put("direction_id", 0);
    connection.put("direction", "Unknown");
    String first = f.getFirstSeenBy() != null ? f.getFirstSeenBy()
        : f.getSightings().isEmpty() ? null : f.getSightings().get(0).getPoint();
    if (first != null) {
      ObjectNode device = o.putObject("device");
      device.put("name", first);
      device.put("type_id", 99);
      device.put("type", "Other");
    }
    ObjectNode r = o.putObject("unmapped").putObject("rstscope");
    r.put("finding_id", f.getFindingId());
    r.put("emitter", f.getEmitter().name());
    r.put("location", f.getLocation());
    r.put("forged", f.getForged());
    if (Double.isFinite(f.getConfidence())) {
      r.put("confidence", Math.round(f.getConfidence() * 100.0) / 100.0);
    }
    r.put("phase", f.getPhase().name());
    r.put("cause", f.getCause().name());
    r.put("recommendation", f.getRecommendation());
    ObjectNode rst = r.putObject("rst");
    rst.put("src", f.getRst().getSrc());
    rst.put("dst", f.getRst().getDst());
    rst.put("seq", f.getRst().getSeq());
    rst.put("ack", f.getRst().getAck());
    rst.put("flags", f.getRst().getFlags());
    ArrayNode sightings = r.putArray("sightings");
    for (Sighting s : f.getSightings()) {
      sightings.addObject().put("point", s.getPoint()).put("time", millis(s.getTs())).put("ts", Micros.iso(s.getTs()))
          .put("ttl", s.getTtl());
    }
    ArrayNode evidence = r.putArray("evidence");
    for (Evidence e : f.getEvidence()) {
      evidence.addObject().put("code", e.getCode()).put("detail", e.getDetail());
    }
    if (f.getZeek() != null) {
      r.putObject("zeek").put("conn_state", f.getZeek().getConnState()).put("history", f.getZeek().getHistory());
    }
    return o.toString();
  }

  private static void endpoint(ObjectNode o, String endpoint) {
    int colon = endpoint.lastIndexOf(':');
    String ip = endpoint.substring(0, colon);
    if (ip.startsWith("[")) {
      ip = ip.substring(1, ip.length() - 1);
    }
    int zone = ip.indexOf('%');
    o.put("ip", zone < 0 ? ip : ip.substring(0, zone));
    o.put("port", Integer.parseInt(endpoint.substring(colon + 1)));
  }

  /** OCSF timestamp_t: milliseconds since the epoch. */
  private static long millis(Instant t) {
    return t.toEpochMilli();
  }
}
