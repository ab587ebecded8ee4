package io.rstscope.processor.topology;

import io.rstscope.avro.Endpoint;
import io.rstscope.avro.FlowKey;
import io.rstscope.processor.output.FindingIds;
import io.rstscope.processor.state.FlowState;
import io.rstscope.processor.state.PathModel;
import io.rstscope.processor.state.PendingRst;
import io.rstscope.processor.state.PointProgress;
import io.rstscope.processor.state.Segment;
import io.rstscope.processor.verdict.RstCase;
import io.rstscope.schemas.Endpoints;
import io.rstscope.schemas.FlowKeys;
import io.rstscope.schemas.TcpFlags;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Puts together everything the verdict on one RST may look at: the flow's summaries from every point in one
 * clock (the path model's offsets applied) and in client/server terms, the RST's sightings, and what each
 * expected point was doing at the RST's time. Pure: no Kafka, no stores; the locator hands it what its stores
 * hold.
 */
final class CaseAssembler {
  private final long clockSkewMicros;
  /** How far past where it ended a finished capture session is taken to have covered (PointProgress#covers). */
  private final long sessionTailMicros;
  private final RstCase.Thresholds thresholds;

  CaseAssembler(long clockSkewMicros, RstCase.Thresholds thresholds) {
    this(clockSkewMicros, 0, thresholds);
  }

  CaseAssembler(long clockSkewMicros, long sessionTailMicros, RstCase.Thresholds thresholds) {
    this.clockSkewMicros = clockSkewMicros;
    this.sessionTailMicros = sessionTailMicros;
    this.thresholds = thresholds;
  }

  CaseAssembler(ProcessorConfig config) {
    this(config.clockSkewAllowance().toNanos() / 1000, config.waitMicros(), config.thresholds());
  }

  /** Roles from the SYN when seen; else the lower (well-known) port is the server's. */
  static boolean clientIsLow(FlowState flow, FlowKey key) {
    if (flow != null && flow.clientIsLow != null) {
      return flow.clientIsLow;
    }
    return key.getLow().getPort() > key.getHigh().getPort();
  }

  /**
   * @param pending        the RST and its sightings
   * @param key            the flow's key
   * @param flow           the flow's summaries from every point
   * @param model          path order and clock offsets
   * @param expectedPoints every point a verdict should account for
   * @param progress       a point's event-time progress in this task, null when it never reported
   * @param dropping       whether a point reported capture or publish drops
   */
  RstCase assemble(PendingRst pending, FlowKey key, FlowState flow, PathModel model, Collection<String> expectedPoints,
      Function<String, PointProgress> progress, Predicate<String> dropping) {
    boolean clientIsLow = clientIsLow(flow, key);
    Endpoint clientEp = clientIsLow ? key.getLow() : key.getHigh();
    Endpoint serverEp = clientIsLow ? key.getHigh() : key.getLow();
    String flowText = FlowKeys.text(key);
    List<RstCase.Sighting> sightings = new ArrayList<>();
    long first = Long.MAX_VALUE;
    Map<String, Integer> arrivalAt = new HashMap<>();
    for (int i = 0; i < flow.segments.size(); i++) {
      Segment s = flow.segments.get(i);
      if (isThisRst(s, pending, flowText)) {
        arrivalAt.putIfAbsent(s.point, i);
      }
    }
    for (PendingRst.RstSighting s : pending.sightings) {
      long corrected = model.correct(s.point, s.tsMicros);
      sightings.add(new RstCase.Sighting(s.point, corrected, s.tsMicros, s.ttl,
          arrivalAt.getOrDefault(s.point, Integer.MAX_VALUE)));
      first = Math.min(first, corrected);
    }
    Map<String, RstCase.PointInfo> points = new HashMap<>();
    for (String point : expectedPoints) {
      points.put(point, pointInfo(point, progress.apply(point), first + model.offsetMicros(point),
          model.offsetMicros(point), flow.views.containsKey(point), dropping.test(point)));
    }
    List<RstCase.Pkt> pkts = new ArrayList<>();
    for (int i = 0; i < flow.segments.size(); i++) {
      Segment s = flow.segments.get(i);
      String id = null;
      if (TcpFlags.has(s.flags, TcpFlags.RST) && !s.progress) {
        id = FindingIds.of(flowText, s.fromLow, s.seq, s.ack, s.flags, s.ipId, s.rstOccurrence);
        if (id.equals(pending.findingId)) {
          continue; // the RST itself: it is in the sightings
        }
      }
      pkts.add(new RstCase.Pkt(s.point, model.correct(s.point, s.tsMicros), s.tsMicros, s.fromLow == clientIsLow,
          s.flags, s.seq, s.ack, s.len, s.ttl, s.ttlMin, s.ttlMax, s.ipId, s.window, s.progress, s.progressBytes,
          s.hintKind, s.hintText, id, i, s.progress ? s.progressSeqEnd : seqEnd(s)));
    }
    pkts.sort(Comparator.comparingLong(RstCase.Pkt::tsMicros));
    return new RstCase(pending.findingId,
        Endpoints.endpoint(clientEp.getAddress(), clientEp.getPort()),
        Endpoints.endpoint(serverEp.getAddress(), serverEp.getPort()),
        flow.rolesFrom != null ? flow.rolesFrom : "ports",
        pending.fromLow == clientIsLow, pending.seq, pending.ack, pending.flags, pending.ipId, sightings,
        model.order(), points, pkts, thresholds);
  }

  /**
   * What a point was doing at the RST's time ({@code atPoint}, in the point's clock): capturing in one of its
   * sessions (PointProgress#capturing).
   */
  private RstCase.PointInfo pointInfo(String point, PointProgress prog, long atPoint, long offsetMicros,
      boolean sawFlow, boolean dropping) {
    boolean startKnown = prog == null || prog.startKnown();
    boolean capturing = prog != null && prog.capturing(atPoint, clockSkewMicros, sessionTailMicros);
    return new RstCase.PointInfo(point, capturing, sawFlow, dropping, prog != null, offsetMicros, startKnown);
  }

  private static long seqEnd(Segment s) {
    int syn = TcpFlags.has(s.flags, TcpFlags.SYN) ? 1 : 0;
    int fin = TcpFlags.has(s.flags, TcpFlags.FIN) ? 1 : 0;
    return (s.seq + s.len + syn + fin) & 0xffffffffL;
  }

  private static boolean isThisRst(Segment s, PendingRst p, String flowText) {
    return TcpFlags.has(s.flags, TcpFlags.RST) && !s.progress && s.fromLow == p.fromLow && s.seq == p.seq
        && s.ack == p.ack && s.flags == p.flags && Objects.equals(s.ipId, p.ipId)
        && p.findingId.equals(FindingIds.of(flowText, s.fromLow, s.seq, s.ack, s.flags, s.ipId, s.rstOccurrence));
  }
}
