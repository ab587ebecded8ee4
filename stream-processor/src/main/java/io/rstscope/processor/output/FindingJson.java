package io.rstscope.processor.output;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.SerializedString;
import io.rstscope.avro.ApplicationHint;
import io.rstscope.avro.Cause;
import io.rstscope.avro.Evidence;
import io.rstscope.avro.RstFinding;
import io.rstscope.avro.Sighting;
import java.io.CharArrayWriter;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The two JSON faces of a finding: the {@code analyze --format jsonl} contract of DESIGN.md, and
 * an Elastic Common Schema document for SIEMs (rstscope.findings.json).
 *
 * <p>Streamed field by field, names quoted once, into a char array: one call per RST, mostly before
 * the JIT has compiled it, so the ObjectNode tree, the per-document escaping of constant names and
 * StringWriter's char-by-char append were most of its cost. The output is byte for byte that of the
 * tree writer it replaced (FindingJsonTest keeps that writer as the reference).
 */
public final class FindingJson {
  private static final JsonFactory FACTORY = new JsonFactory();

  private FindingJson() {}

  /** Exactly DESIGN.md's jsonl line, plus community_id. One line, no trailing newline. */
  public static String contractJson(RstFinding f) {
    return write(g -> {
      g.writeStartObject();
      startObject(g, Name.FLOW);
      field(g, Name.CLIENT, f.getFlow().getClient());
      field(g, Name.SERVER, f.getFlow().getServer());
      field(g, Name.PROTO, f.getFlow().getProto());
      g.writeEndObject();
      startObject(g, Name.RST);
      field(g, Name.SRC, f.getRst().getSrc());
      field(g, Name.DST, f.getRst().getDst());
      field(g, Name.SEQ, f.getRst().getSeq());
      field(g, Name.ACK, f.getRst().getAck());
      field(g, Name.FLAGS, f.getRst().getFlags());
      g.writeFieldName(Name.IP_ID_CAMEL);
      if (f.getRst().getIpId() == null) {
        g.writeNull();
      } else {
        g.writeNumber(f.getRst().getIpId().intValue());
      }
      g.writeEndObject();
      sightings(g, f);
      field(g, Name.EMITTER, f.getEmitter().name());
      field(g, Name.LOCATION, f.getLocation());
      field(g, Name.FORGED, f.getForged());
      field(g, Name.CONFIDENCE, round2(f.getConfidence()));
      field(g, Name.PHASE, f.getPhase().name());
      field(g, Name.CAUSE, f.getCause().name());
      evidence(g, f);
      field(g, Name.RECOMMENDATION, f.getRecommendation());
      field(g, Name.COMMUNITY_ID, f.getCommunityId());
      zeek(g, f);
      g.writeEndObject();
    });
  }

  /** Zeek's conn_state and history of the RST's connection, when known: the same object in both documents. */
  private static void zeek(JsonGenerator g, RstFinding f) throws IOException {
    if (f.getZeek() == null) {
      return;
    }
    startObject(g, Name.ZEEK);
    field(g, Name.CONN_STATE, f.getZeek().getConnState());
    field(g, Name.HISTORY, f.getZeek().getHistory());
    field(g, Name.POINT, f.getZeek().getPoint());
    g.writeEndObject();
  }

  /**
   * ECS document: source/destination are the RST packet's own addresses, client/server the flow's
   * roles, network.community_id joins with Zeek and Suricata; what ECS has no name for is under rstscope.*.
   */
  public static String ecsJson(RstFinding f) {
    return write(g -> {
      g.writeStartObject();
      field(g, Name.TIMESTAMP, Micros.iso(f.getRstTime()));
      field(g, Name.MESSAGE, f.getRst().getFlags() + " " + f.getRst().getSrc() + " -> " + f.getRst().getDst() + ": "
          + f.getCause().name() + ", emitted by " + f.getEmitter().name() + " at " + f.getLocation()
          + (f.getForged() ? " (forged)" : ""));
      startObject(g, Name.ECS);
      field(g, Name.VERSION, "8.11.0");
      g.writeEndObject();
      startObject(g, Name.EVENT);
      boolean alert = f.getForged() || f.getCause() == Cause.syn_scan || f.getCause() == Cause.connect_scan;
      field(g, Name.KIND, alert ? "alert" : "event");
      startArray(g, Name.CATEGORY);
      g.writeString("network");
      g.writeEndArray();
      startArray(g, Name.TYPE);
      g.writeString("connection");
      g.writeString(denied(f.getCause()) ? "denied" : "end");
      g.writeEndArray();
      field(g, Name.ACTION, "tcp-reset");
      field(g, Name.REASON, f.getCause().name());
      field(g, Name.ID, f.getFindingId());
      field(g, Name.CREATED, Micros.iso(f.getDecidedAt()));
      field(g, Name.MODULE, "rstscope");
      field(g, Name.DATASET, "rstscope.findings");
      field(g, Name.RISK_SCORE, Math.round(f.getConfidence() * 100.0));
      g.writeEndObject();
      endpoint(g, Name.SOURCE, f.getRst().getSrc());
      endpoint(g, Name.DESTINATION, f.getRst().getDst());
      endpoint(g, Name.CLIENT, f.getFlow().getClient());
      endpoint(g, Name.SERVER, f.getFlow().getServer());
      startObject(g, Name.NETWORK);
      field(g, Name.TRANSPORT, f.getFlow().getProto());
      field(g, Name.IANA_NUMBER, "6");
      field(g, Name.COMMUNITY_ID, f.getCommunityId());
      field(g, Name.TYPE, f.getRst().getSrc().startsWith("[") ? "ipv6" : "ipv4");
      g.writeEndObject();
      if (!f.getSightings().isEmpty()) {
        // The point that saw the RST first; every sighting stays under rstscope.sightings.
        startObject(g, Name.OBSERVER);
        field(g, Name.NAME, f.getFirstSeenBy() != null ? f.getFirstSeenBy() : f.getSightings().get(0).getPoint());
        field(g, Name.TYPE, "sensor");
        field(g, Name.PRODUCT, "rstscope");
        g.writeEndObject();
      }
      ApplicationHint app = f.getApplication();
      if (app != null && app.getSni() != null) {
        startObject(g, Name.TLS);
        startObject(g, Name.CLIENT);
        field(g, Name.SERVER_NAME, app.getSni());
        g.writeEndObject();
        g.writeEndObject();
      }
      if (app != null && app.getUrl() != null) {
        startObject(g, Name.URL);
        field(g, Name.ORIGINAL, app.getUrl());
        g.writeEndObject();
      }
      if (app != null && app.getHttpMethod() != null) {
        startObject(g, Name.HTTP);
        startObject(g, Name.REQUEST);
        field(g, Name.METHOD, app.getHttpMethod());
        g.writeEndObject();
        g.writeEndObject();
      }
      zeek(g, f);
      startObject(g, Name.RSTSCOPE);
      field(g, Name.FINDING_ID, f.getFindingId());
      field(g, Name.EMITTER, f.getEmitter().name());
      field(g, Name.LOCATION, f.getLocation());
      field(g, Name.FORGED, f.getForged());
      field(g, Name.CONFIDENCE, round2(f.getConfidence()));
      field(g, Name.PHASE, f.getPhase().name());
      field(g, Name.CAUSE, f.getCause().name());
      field(g, Name.ROLES_FROM, f.getFlow().getRolesFrom());
      startObject(g, Name.RST);
      field(g, Name.FLAGS, f.getRst().getFlags());
      field(g, Name.SEQ, f.getRst().getSeq());
      field(g, Name.ACK, f.getRst().getAck());
      if (f.getRst().getIpId() != null) {
        field(g, Name.IP_ID, f.getRst().getIpId().intValue());
      }
      g.writeEndObject();
      sightings(g, f);
      evidence(g, f);
      field(g, Name.RECOMMENDATION, f.getRecommendation());
      if (f.getRelatedFindingId() != null) {
        field(g, Name.RELATED_FINDING_ID, f.getRelatedFindingId());
      }
      g.writeEndObject();
      g.writeEndObject();
    });
  }

  private static boolean denied(Cause c) {
    return switch (c) {
      case port_closed, backlog_overflow, time_wait_collision, malformed_syn, firewall_reject, bypass_block,
          tls_block, content_block -> true;
      default -> false;
    };
  }

  private static void sightings(JsonGenerator g, RstFinding f) throws IOException {
    startArray(g, Name.SIGHTINGS);
    for (Sighting s : f.getSightings()) {
      g.writeStartObject();
      field(g, Name.POINT, s.getPoint());
      field(g, Name.TS, Micros.iso(s.getTs()));
      field(g, Name.TTL, s.getTtl());
      g.writeEndObject();
    }
    g.writeEndArray();
  }

  private static void evidence(JsonGenerator g, RstFinding f) throws IOException {
    startArray(g, Name.EVIDENCE);
    for (Evidence e : f.getEvidence()) {
      g.writeStartObject();
      field(g, Name.CODE, e.getCode());
      field(g, Name.DETAIL, e.getDetail());
      g.writeEndObject();
    }
    g.writeEndArray();
  }

  private static void endpoint(JsonGenerator g, SerializableString name, String endpoint) throws IOException {
    int colon = endpoint.lastIndexOf(':');
    String ip = endpoint.substring(0, colon);
    if (ip.startsWith("[")) {
      ip = ip.substring(1, ip.length() - 1);
    }
    startObject(g, name);
    // ECS ip holds no IPv6 zone ("%eth0"); address keeps the text as it is.
    int zone = ip.indexOf('%');
    field(g, Name.IP, zone < 0 ? ip : ip.substring(0, zone));
    field(g, Name.PORT, Integer.parseInt(endpoint.substring(colon + 1)));
    field(g, Name.ADDRESS, ip);
    g.writeEndObject();
  }

  private static double round2(double v) {
    return Math.round(v * 100.0) / 100.0;
  }

  private static void startObject(JsonGenerator g, SerializableString name) throws IOException {
    g.writeFieldName(name);
    g.writeStartObject();
  }

  private static void startArray(JsonGenerator g, SerializableString name) throws IOException {
    g.writeFieldName(name);
    g.writeStartArray();
  }

  /** A null value is written as null, as the tree writer's put did. */
  private static void field(JsonGenerator g, SerializableString name, String value) throws IOException {
    g.writeFieldName(name);
    g.writeString(value);
  }

  private static void field(JsonGenerator g, SerializableString name, long value) throws IOException {
    g.writeFieldName(name);
    g.writeNumber(value);
  }

  private static void field(JsonGenerator g, SerializableString name, int value) throws IOException {
    g.writeFieldName(name);
    g.writeNumber(value);
  }

  private static void field(JsonGenerator g, SerializableString name, double value) throws IOException {
    g.writeFieldName(name);
    g.writeNumber(value);
  }

  private static void field(JsonGenerator g, SerializableString name, boolean value) throws IOException {
    g.writeFieldName(name);
    g.writeBoolean(value);
  }

  /** What one document writes; a generator over an in-memory writer only throws for a bug in the writer. */
  private interface Body {
    void write(JsonGenerator g) throws IOException;
  }

  private static String write(Body body) {
    // Not a StringWriter: its StringBuffer re-checks every char on append; this one copies arrays.
    CharArrayWriter out = new CharArrayWriter(2048);
    try (JsonGenerator g = FACTORY.createGenerator(out)) {
      body.write(g);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  /** Field names, quoted and escaped once instead of in every document. */
  private static final class Name {
    static final SerializedString TIMESTAMP = new SerializedString("@timestamp");
    static final SerializedString ACK = new SerializedString("ack");
    static final SerializedString ACTION = new SerializedString("action");
    static final SerializedString ADDRESS = new SerializedString("address");
    static final SerializedString CATEGORY = new SerializedString("category");
    static final SerializedString CAUSE = new SerializedString("cause");
    static final SerializedString CLIENT = new SerializedString("client");
    static final SerializedString CODE = new SerializedString("code");
    static final SerializedString COMMUNITY_ID = new SerializedString("community_id");
    static final SerializedString CONFIDENCE = new SerializedString("confidence");
    static final SerializedString CREATED = new SerializedString("created");
    static final SerializedString DATASET = new SerializedString("dataset");
    static final SerializedString DESTINATION = new SerializedString("destination");
    static final SerializedString DETAIL = new SerializedString("detail");
    static final SerializedString DST = new SerializedString("dst");
    static final SerializedString ECS = new SerializedString("ecs");
    static final SerializedString EMITTER = new SerializedString("emitter");
    static final SerializedString EVENT = new SerializedString("event");
    static final SerializedString EVIDENCE = new SerializedString("evidence");
    static final SerializedString FINDING_ID = new SerializedString("finding_id");
    static final SerializedString FLAGS = new SerializedString("flags");
    static final SerializedString FLOW = new SerializedString("flow");
    static final SerializedString FORGED = new SerializedString("forged");
    static final SerializedString IANA_NUMBER = new SerializedString("iana_number");
    static final SerializedString ID = new SerializedString("id");
    static final SerializedString IP = new SerializedString("ip");
    /** The contract's spelling (DESIGN.md). */
    static final SerializedString IP_ID_CAMEL = new SerializedString("ipId");
    /** The ECS document's spelling. */
    static final SerializedString IP_ID = new SerializedString("ip_id");
    static final SerializedString KIND = new SerializedString("kind");
    static final SerializedString LOCATION = new SerializedString("location");
    static final SerializedString MESSAGE = new SerializedString("message");
    static final SerializedString MODULE = new SerializedString("module");
    static final SerializedString NAME = new SerializedString("name");
    static final SerializedString NETWORK = new SerializedString("network");
    static final SerializedString OBSERVER = new SerializedString("observer");
    static final SerializedString PHASE = new SerializedString("phase");
    static final SerializedString POINT = new SerializedString("point");
    static final SerializedString PORT = new SerializedString("port");
    static final SerializedString PRODUCT = new SerializedString("product");
    static final SerializedString PROTO = new SerializedString("proto");
    static final SerializedString REASON = new SerializedString("reason");
    static final SerializedString RECOMMENDATION = new SerializedString("recommendation");
    static final SerializedString RELATED_FINDING_ID = new SerializedString("related_finding_id");
    static final SerializedString RISK_SCORE = new SerializedString("risk_score");
    static final SerializedString ROLES_FROM = new SerializedString("roles_from");
    static final SerializedString RST = new SerializedString("rst");
    static final SerializedString RSTSCOPE = new SerializedString("rstscope");
    static final SerializedString SEQ = new SerializedString("seq");
    static final SerializedString SERVER = new SerializedString("server");
    static final SerializedString SIGHTINGS = new SerializedString("sightings");
    static final SerializedString SOURCE = new SerializedString("source");
    static final SerializedString SRC = new SerializedString("src");
    static final SerializedString TRANSPORT = new SerializedString("transport");
    static final SerializedString TS = new SerializedString("ts");
    static final SerializedString TTL = new SerializedString("ttl");
    static final SerializedString TYPE = new SerializedString("type");
    static final SerializedString VERSION = new SerializedString("version");
    static final SerializedString ZEEK = new SerializedString("zeek");
    static final SerializedString TLS = new SerializedString("tls");
    static final SerializedString SERVER_NAME = new SerializedString("server_name");
    static final SerializedString URL = new SerializedString("url");
    static final SerializedString ORIGINAL = new SerializedString("original");
    static final SerializedString HTTP = new SerializedString("http");
    static final SerializedString REQUEST = new SerializedString("request");
    static final SerializedString METHOD = new SerializedString("method");
    static final SerializedString CONN_STATE = new SerializedString("conn_state");
    static final SerializedString HISTORY = new SerializedString("history");

    private Name() {}
  }
}
