package io.rstscope.processor.zeek;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rstscope.avro.FlowKey;
import io.rstscope.processor.output.Micros;
import io.rstscope.processor.state.FlowState;
import io.rstscope.schemas.Endpoints;
import io.rstscope.schemas.FlowKeys;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The per-flow log ({@code analyze --flows FILE}): one JSON line per TCP connection, with or without
 * a RST, in Zeek's words. A connection is cut from the packets of a reference point, the first point
 * of the path that saw the flow (nearest the client); its {@code zeek} object is that point's. Every
 * point that saw the flow appears under {@code points} with its own conn_state, history and counts for
 * the connection live there at the reference connection's start: points can disagree (a RST injected
 * between two points is in the history of one and not the other), and that disagreement is the point.
 */
public final class FlowLog {
  private static final ObjectMapper JSON = new ObjectMapper();

  private FlowLog() {}

  /** Lines for one flow, in time order. */
  public static List<String> lines(FlowKey key, FlowState flow, List<String> pathOrder) {
    return connections(key, flow, pathOrder).stream().map(ObjectNode::toString).toList();
  }

  /** The flow's connections as JSON objects, one per line of the log. */
  public static List<ObjectNode> connections(FlowKey key, FlowState flow, List<String> pathOrder) {
    int lowPort = key.getLow().getPort();
    int highPort = key.getHigh().getPort();
    Map<String, List<ZeekConnection>> byPoint = ZeekFlows.byPoint(flow, lowPort, highPort);
    if (byPoint.isEmpty()) {
      return List.of();
    }
    String reference = byPoint.keySet().stream()
        .min(Comparator.comparingInt((String p) -> pathOrder.indexOf(p) < 0 ? Integer.MAX_VALUE : pathOrder.indexOf(p)))
        .orElseThrow();
    List<ObjectNode> out = new ArrayList<>();
    Set<ZeekConnection> reported = Collections.newSetFromMap(new IdentityHashMap<>());
    for (ZeekConnection c : byPoint.get(reference)) {
      out.add(line(key, c, reference, byPoint, reported));
    }
    // Connections that only other points saw (or saw apart from the reference's): lines of their own.
    byPoint.forEach((point, connections) -> {
      for (ZeekConnection c : connections) {
        if (!reported.contains(c)) {
          out.add(line(key, c, point, byPoint, reported));
        }
      }
    });
    return out;
  }

  private static ObjectNode line(FlowKey key, ZeekConnection c, String reference, Map<String, List<ZeekConnection>> byPoint,
      Set<ZeekConnection> reported) {
    String low = Endpoints.endpoint(key.getLow().getAddress(), key.getLow().getPort());
    String high = Endpoints.endpoint(key.getHigh().getAddress(), key.getHigh().getPort());
    ObjectNode line = JSON.createObjectNode();
    ObjectNode f = line.putObject("flow");
    f.put("client", c.origIsLow() ? low : high);
    f.put("server", c.origIsLow() ? high : low);
    f.put("proto", "tcp");
    line.put("community_id", FlowKeys.communityId(key));
    line.put("start", Micros.iso(Micros.toInstant(c.startMicros())));
    line.put("end", Micros.iso(Micros.toInstant(c.lastMicros())));
    ObjectNode z = line.putObject("zeek");
    z.put("conn_state", c.connState().name());
    z.put("history", c.history());
    line.put("reference_point", reference);
    ObjectNode points = line.putObject("points");
    byPoint.forEach((point, connections) -> {
      ZeekConnection at = point.equals(reference) ? c : ZeekFlows.at(connections, c.startMicros());
      if (at != null && (at == c || !reported.contains(at))) {
        reported.add(at);
        ObjectNode p = points.putObject(point);
        p.put("originator", at.origIsLow() ? low : high);
        p.put("conn_state", at.connState().name());
        p.put("history", at.history());
        // Counts by this line's roles, so that the points' numbers line up.
        boolean sameRoles = at.origIsLow() == c.origIsLow();
        p.put("client_packets", at.packets(sameRoles));
        p.put("client_bytes", at.payloadBytes(sameRoles));
        p.put("server_packets", at.packets(!sameRoles));
        p.put("server_bytes", at.payloadBytes(!sameRoles));
      }
    });
    return line;
  }
}
