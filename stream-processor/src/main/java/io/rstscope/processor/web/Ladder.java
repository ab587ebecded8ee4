package io.rstscope.processor.web;

import io.rstscope.avro.FlowKey;
import io.rstscope.avro.RstFinding;
import io.rstscope.processor.output.FindingIds;
import io.rstscope.processor.state.FlowState;
import io.rstscope.processor.state.PathModel;
import io.rstscope.processor.state.PointProgress;
import io.rstscope.processor.state.Segment;
import io.rstscope.schemas.Endpoints;
import io.rstscope.schemas.FlowKeys;
import io.rstscope.schemas.TcpFlags;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a ladder (time-sequence) diagram of one flow shows: the two endpoints, every observation
 * point of the path between them in path order (also those that saw nothing of this flow, with
 * their {@link Coverage}), and one row per packet as seen across the points (the same packet at
 * several points is one row, with its TTL at each), RSTs joined with their findings. Built from the
 * flow's state, the path model and the points' progress of the task that holds it; drawn by
 * {@link LadderSvg}.
 */
public record Ladder(String flow, String client, String server, List<String> points, Map<String, Coverage> coverage,
    List<Row> rows, int droppedSegments) {

  /** What a point's lifeline says about this flow. */
  public enum Coverage {
    /** It captured packets of this flow. */
    SAW_FLOW("saw the flow"),
    /** Its capture covered the flow's start, yet held no packet of the flow. */
    CAPTURING_SAW_NOTHING("capturing, saw nothing"),
    /** Its capture did not cover the flow's start, or nothing of it arrived. */
    NOT_CAPTURING("not capturing");

    public final String text;

    Coverage(String text) {
      this.text = text;
    }
  }

  /**
   * One packet. {@code seenAt}: point -> TTL there; {@code capturedMicros}: point -> its capture time
   * on that point's own clock; {@code tsMicros}: earliest sighting, clock-corrected. For a progress
   * summary (many packets folded into one record) {@code progressPackets} > 0.
   */
  public record Row(long tsMicros, boolean fromClient, String flags, long seq, long ack, int len, Integer ipId,
      Map<String, Integer> seenAt, Map<String, Long> capturedMicros, String hint, long progressPackets,
      long progressBytes, RstFinding finding) {
    public boolean rst() {
      return flags.contains("R") && progressPackets == 0;
    }
  }

  /**
   * @param progress each point's capture progress (for "capturing, saw nothing"); points missing from it
   *     are drawn as not capturing
   * @param slackMicros how far before its first record a point still counts as capturing (clock error)
   */
  public static Ladder of(FlowKey key, FlowState state, PathModel model, Map<String, RstFinding> findingsById,
      Map<String, PointProgress> progress, long slackMicros) {
    boolean clientIsLow = state.clientIsLow != null ? state.clientIsLow
        : key.getLow().getPort() > key.getHigh().getPort();
    String low = Endpoints.endpoint(key.getLow().getAddress(), key.getLow().getPort());
    String high = Endpoints.endpoint(key.getHigh().getAddress(), key.getHigh().getPort());
    String flowText = FlowKeys.text(key);
    // Every point of the path keeps its lifeline: a point that saw nothing is evidence too.
    List<String> points = new ArrayList<>(model.order());
    for (String p : state.views.keySet()) {
      if (!points.contains(p)) {
        points.add(p);
      }
    }
    Map<String, Row> rows = new LinkedHashMap<>();
    Map<String, Integer> nth = new HashMap<>();
    int progressN = 0;
    for (Segment s : state.segments) {
      long t = model.correct(s.point, s.tsMicros);
      boolean fromClient = s.fromLow == clientIsLow;
      if (s.progress) {
        rows.put("progress#" + progressN++, new Row(t, fromClient, TcpFlags.letters(s.flags), s.seq, s.ack, 0, null,
            Map.of(s.point, s.ttl), Map.of(s.point, s.tsMicros), s.hintText, Math.max(1, s.progressPackets), s.progressBytes, null));
        continue;
      }
      String identity = (s.fromLow ? "L" : "H") + "|" + s.seq + "|" + s.ack + "|" + s.flags + "|" + s.len + "|"
          + s.ipId + "|" + s.rstOccurrence;
      int n = nth.merge(s.point + "|" + identity, 1, Integer::sum) - 1;
      String rowKey = identity + "#" + n;
      Row r = rows.get(rowKey);
      Map<String, Integer> seen = new LinkedHashMap<>(r == null ? Map.of() : r.seenAt());
      seen.put(s.point, s.ttl);
      Map<String, Long> captured = new LinkedHashMap<>(r == null ? Map.of() : r.capturedMicros());
      captured.put(s.point, s.tsMicros);
      RstFinding finding = r == null ? null : r.finding();
      if (finding == null && TcpFlags.has(s.flags, TcpFlags.RST)) {
        finding = findingsById.get(FindingIds.of(flowText, s.fromLow, s.seq, s.ack, s.flags, s.ipId, s.rstOccurrence));
      }
      long ts = r == null ? t : Math.min(r.tsMicros(), t);
      String hint = s.hintKind == null ? (r == null ? null : r.hint())
          : s.hintKind + (s.hintText == null ? "" : " " + s.hintText);
      rows.put(rowKey, new Row(ts, fromClient, TcpFlags.letters(s.flags), s.seq, s.ack, s.len, s.ipId, seen, captured,
          hint, 0, 0, finding));
    }
    List<Row> ordered = new ArrayList<>(rows.values());
    ordered.sort(Comparator.comparingLong(Row::tsMicros));
    long flowStart = ordered.isEmpty() ? 0 : ordered.get(0).tsMicros();
    Map<String, Coverage> coverage = new LinkedHashMap<>();
    for (String p : points) {
      PointProgress prog = progress.get(p);
      coverage.put(p, state.views.containsKey(p) ? Coverage.SAW_FLOW
          : prog != null && prog.capturing(flowStart + model.offsetMicros(p), slackMicros, 0)
              ? Coverage.CAPTURING_SAW_NOTHING : Coverage.NOT_CAPTURING);
    }
    return new Ladder(flowText, clientIsLow ? low : high, clientIsLow ? high : low, List.copyOf(points),
        Map.copyOf(coverage), List.copyOf(ordered), state.droppedSegments);
  }
}
