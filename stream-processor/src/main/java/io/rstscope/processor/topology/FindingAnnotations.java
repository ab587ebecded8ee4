package io.rstscope.processor.topology;

import io.rstscope.avro.ApplicationHint;
import io.rstscope.avro.Evidence;
import io.rstscope.avro.FlowKey;
import io.rstscope.avro.RstFinding;
import io.rstscope.avro.ZeekConn;
import io.rstscope.processor.output.RstDiagnostics;
import io.rstscope.processor.state.FlowState;
import io.rstscope.processor.state.PendingRst;
import io.rstscope.processor.state.Segment;
import io.rstscope.processor.verdict.RstCase;
import io.rstscope.processor.zeek.ZeekConnection;
import io.rstscope.processor.zeek.ZeekFlows;
import io.rstscope.schemas.TcpFlags;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a finding says beside the verdict, from the same flow state: the connection in Zeek's words
 * (conn_state and history at the point that first saw the RST) and what the RST's payload said
 * (RST_DIAGNOSTIC or RST_DATA evidence, after the verdict's own evidence). Neither changes the verdict.
 */
final class FindingAnnotations {
  private FindingAnnotations() {}

  static RstFinding annotate(RstFinding finding, RstCase rstCase, PendingRst p, FlowKey key, FlowState flow) {
    String first = rstCase.sightings().stream().min(Comparator.comparingLong(RstCase.Sighting::tsMicros))
        .map(RstCase.Sighting::point).orElse(null);
    finding.setFirstSeenBy(first);
    finding.setApplication(application(flow));
    if (first != null && flow.views.containsKey(first)) {
      List<ZeekConnection> connections = ZeekFlows.atPoint(flow, first, key.getLow().getPort(), key.getHigh().getPort());
      long rawTs = rstCase.sightings().stream().filter(s -> s.point().equals(first)).mapToLong(RstCase.Sighting::rawMicros)
          .min().orElse(Long.MAX_VALUE);
      ZeekConnection c = ZeekFlows.at(connections, rawTs);
      if (c != null) {
        finding.setZeek(new ZeekConn(c.connState().name(), c.history(), first));
      }
    }
    // Point by point, what the RST carried: the same words at several points are one clue.
    Map<String, List<String>> pointsBySaying = new LinkedHashMap<>();
    Map<String, String> codeBySaying = new LinkedHashMap<>();
    for (Segment s : flow.segments) {
      if (s.rstData != null && !s.progress && TcpFlags.has(s.flags, TcpFlags.RST) && s.fromLow == p.fromLow
          && s.seq == p.seq && s.ack == p.ack && s.flags == p.flags && Objects.equals(s.ipId, p.ipId)) {
        pointsBySaying.computeIfAbsent(s.rstData, k -> new ArrayList<>());
        if (!pointsBySaying.get(s.rstData).contains(s.point)) {
          pointsBySaying.get(s.rstData).add(s.point);
        }
        codeBySaying.put(s.rstData, RstDiagnostics.code(s.rstDataFormat));
      }
    }
    if (!pointsBySaying.isEmpty()) {
      List<Evidence> evidence = new ArrayList<>(finding.getEvidence());
      pointsBySaying.forEach((saying, points) ->
          evidence.add(new Evidence(codeBySaying.get(saying), saying + " (seen at " + String.join(", ", points) + ")")));
      finding.setEvidence(evidence);
    }
    return finding;
  }

  /**
   * The flow's newest payload hint as ECS and OCSF name it: the SNI, or the HTTP method and URL. The
   * locator keeps an HTTP hint as "METHOD hosttarget" (the target starts with '/').
   */
  static ApplicationHint application(FlowState flow) {
    for (int i = flow.segments.size() - 1; i >= 0; i--) {
      Segment s = flow.segments.get(i);
      if (s.hintKind == null || s.hintText == null || s.hintText.isEmpty()) {
        continue;
      }
      if (s.hintKind.equals("TLS_CLIENT_HELLO")) {
        return new ApplicationHint(s.hintText, null, null);
      }
      if (s.hintKind.equals("HTTP_REQUEST")) {
        int space = s.hintText.indexOf(' ');
        String method = space < 0 ? s.hintText : s.hintText.substring(0, space);
        String rest = space < 0 ? "" : s.hintText.substring(space + 1);
        String url = rest.isEmpty() ? null : rest.startsWith("/") ? rest : "http://" + rest;
        return new ApplicationHint(null, method.isEmpty() ? null : method, url);
      }
    }
    return null;
  }
}
