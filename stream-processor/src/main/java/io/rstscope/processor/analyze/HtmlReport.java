package io.rstscope.processor.analyze;

import io.rstscope.avro.Evidence;
import io.rstscope.avro.RstFinding;
import io.rstscope.avro.Sighting;
import io.rstscope.processor.output.TimeText;
import io.rstscope.processor.query.FlowKeyText;
import io.rstscope.processor.web.Ladder;
import io.rstscope.processor.web.LadderSvg;
import io.rstscope.schemas.FlowKeys;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A self-contained HTML file of the findings, readable offline and attachable to a ticket: when
 * and from which captures it was made, one row per RST in time order (its date and zone, the
 * corrected time and each capture's own timestamp), each row linked to its flow's ladder and, when
 * packets were extracted, to the flow's pcapng.
 */
public final class HtmlReport {
  /**
   * @param inputs point -> capture file, in path order (empty when not known)
   * @param notes per point, lines about its capture (e.g. where it was cut), shown beside the input
   * @param ladders flow key text -> ladder
   * @param packetFiles flow key text -> the extracted pcapng, as the report should link it
   */
  public record Content(String title, Instant generated, TimeText time, Map<String, String> inputs,
      Map<String, String> notes, List<RstFinding> findings, Map<String, Ladder> ladders,
      Map<String, String> packetFiles) {}

  private HtmlReport() {}

  public static String render(List<RstFinding> findings, String title) {
    return render(new Content(title, Instant.now(), TimeText.utc(), Map.of(), Map.of(), findings, Map.of(), Map.of()));
  }

  public static String render(Content c) {
    TimeText time = c.time();
    StringBuilder out = new StringBuilder();
    out.append("<!doctype html><html><head><meta charset=\"utf-8\"><title>").append(esc(c.title())).append("</title><style>")
        .append("body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;vertical-align:top}")
        .append(".forged{background:#fde2e2}code{font-size:90%}small{color:#555}.ladder-box{overflow:auto;border:1px solid #ddd}")
        .append("</style></head><body><h1>").append(esc(c.title())).append("</h1>")
        .append("<p class=\"generated\">Made ").append(esc(time.format(c.generated()))).append(". ")
        .append(c.findings().size()).append(" RST(s). Times are in ").append(esc(zoneName(time)))
        .append("; a RST's time is corrected to the clock of the first point of the path, and each capture's own")
        .append(" timestamp is shown beside the point that took it.</p>");
    if (!c.inputs().isEmpty()) {
      out.append("<h2>Captures</h2><table class=\"inputs\"><tr><th>point</th><th>file</th><th>notes</th></tr>");
      c.inputs().forEach((point, file) -> out.append("<tr><td>").append(esc(point)).append("</td><td><code>")
          .append(esc(file)).append("</code></td><td>").append(esc(c.notes().getOrDefault(point, ""))).append("</td></tr>"));
      out.append("</table>");
    }
    List<RstFinding> sorted = c.findings().stream()
        .sorted(java.util.Comparator.comparing(RstFinding::getRstTime).thenComparing(RstFinding::getFindingId)).toList();
    Map<String, String> anchors = new LinkedHashMap<>();
    for (RstFinding f : sorted) {
      anchors.computeIfAbsent(flowKey(f), k -> "flow-" + (anchors.size() + 1));
    }
    out.append("<h2>RSTs</h2><table class=\"findings\"><tr><th>#</th><th>time</th><th>RST</th><th>seen at</th>")
        .append("<th>verdict</th><th>evidence</th><th>recommendation</th></tr>");
    int n = 0;
    for (RstFinding f : sorted) {
      n++;
      String key = flowKey(f);
      out.append("<tr id=\"finding-").append(esc(f.getFindingId())).append("\" data-finding=\"").append(esc(f.getFindingId()))
          .append('"').append(f.getForged() ? " class=\"forged\">" : ">")
          .append("<td>").append(n).append("</td><td>").append(esc(time.format(f.getRstTime()))).append("<br><small>corrected</small></td>")
          .append("<td><code>").append(esc(f.getRst().getSrc())).append(" &rarr; ").append(esc(f.getRst().getDst()))
          .append(" ").append(esc(f.getRst().getFlags())).append(" seq ").append(f.getRst().getSeq()).append("</code><br>flow ")
          .append(esc(f.getFlow().getClient())).append(" &rarr; ").append(esc(f.getFlow().getServer())).append("<br><small>")
          .append(esc(f.getCommunityId())).append("</small>")
          .append(f.getZeek() == null ? "" : "<br>Zeek <code>" + esc(f.getZeek().getConnState()) + " "
              + esc(f.getZeek().getHistory()) + "</code> <small>at " + esc(f.getZeek().getPoint()) + "</small>")
          .append("<br>");
      if (c.ladders().containsKey(key)) {
        out.append("<a class=\"ladder-link\" href=\"#").append(anchors.get(key)).append("\">ladder</a> ");
      }
      String packets = c.packetFiles().get(key);
      if (packets != null) {
        out.append("<a class=\"packets-link\" href=\"").append(esc(packets)).append("\">packets (pcapng)</a>");
      }
      out.append("</td><td>");
      for (Sighting s : f.getSightings()) {
        out.append(esc(s.getPoint())).append(" ttl ").append(s.getTtl()).append("<br><small>captured ")
            .append(esc(time.format(s.getTs()))).append("</small><br>");
      }
      out.append("</td><td><b>").append(esc(f.getCause().toString())).append("</b><br>").append(esc(f.getPhase().toString()))
          .append(", emitter ").append(esc(f.getEmitter().toString())).append("<br>at ").append(esc(f.getLocation()))
          .append(f.getForged() ? "<br><b>forged</b>" : "").append("<br>confidence ")
          .append(String.format(Locale.ROOT, "%.2f", f.getConfidence())).append("</td><td><ul>");
      for (Evidence e : f.getEvidence()) {
        out.append("<li><code>").append(esc(e.getCode())).append("</code> ").append(esc(e.getDetail())).append("</li>");
      }
      out.append("</ul></td><td>").append(esc(f.getRecommendation())).append("</td></tr>");
    }
    out.append("</table>");
    anchors.forEach((flow, anchor) -> {
      Ladder ladder = c.ladders().get(flow);
      if (ladder != null) {
        out.append("<h2 id=\"").append(anchor).append("\" data-flow=\"").append(esc(flow)).append("\">Flow ")
            .append(esc(ladder.client())).append(" &rarr; ").append(esc(ladder.server())).append("</h2>")
            .append("<div class=\"ladder-box\">").append(LadderSvg.render(ladder)).append("</div>");
      }
    });
    return out.append("</body></html>\n").toString();
  }

  /** The flow's key text, as ladders and extracted files are keyed. */
  static String flowKey(RstFinding f) {
    return FlowKeys.text(FlowKeyText.of(f.getFlow().getClient(), f.getFlow().getServer()));
  }

  private static String zoneName(TimeText time) {
    String id = time.zone().getId();
    return id.equals("Z") ? "UTC (Z)" : "the local zone " + id + " (offset after each time)";
  }

  static String esc(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
