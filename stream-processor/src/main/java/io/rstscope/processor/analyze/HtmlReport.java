package io.rstscope.processor.analyze;

import io.rstscope.avro.Evidence;
import io.rstscope.avro.RstFinding;
import io.rstscope.avro.Sighting;
import java.util.List;

/** A self-contained HTML file of the findings, readable offline and attachable to a ticket. */
public final class HtmlReport {
  private HtmlReport() {}

  public static String render(List<RstFinding> findings, String title) {
    return render(findings, title, java.util.Map.of());
  }

  /** With the ladder diagram (inline SVG) of each flow that has findings, after the table. */
  public static String render(List<RstFinding> findings, String title, java.util.Map<String, io.rstscope.processor.web.Ladder> ladders) {
    StringBuilder out = new StringBuilder();
    out.append("<!doctype html><html><head><meta charset=\"utf-8\"><title>").append(esc(title)).append("</title><style>")
        .append("body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;vertical-align:top}")
        .append(".forged{background:#fde2e2}code{font-size:90%}</style></head><body><h1>").append(esc(title)).append("</h1>")
        .append("<p>").append(findings.size()).append(" RST(s).</p><table><tr><th>RST</th><th>seen at</th><th>verdict</th><th>evidence</th><th>recommendation</th></tr>");
    for (RstFinding f : findings) {
      out.append(f.getForged() ? "<tr class=\"forged\">" : "<tr>")
          .append("<td><code>").append(esc(f.getRst().getSrc())).append(" &rarr; ").append(esc(f.getRst().getDst()))
          .append(" ").append(esc(f.getRst().getFlags())).append(" seq ").append(f.getRst().getSeq()).append("</code><br>flow ")
          .append(esc(f.getFlow().getClient())).append(" &rarr; ").append(esc(f.getFlow().getServer())).append("<br><small>")
          .append(esc(f.getCommunityId())).append("</small>")
          .append(f.getZeek() == null ? "" : "<br>Zeek <code>" + esc(f.getZeek().getConnState()) + " "
              + esc(f.getZeek().getHistory()) + "</code> <small>at " + esc(f.getZeek().getPoint()) + "</small>")
          .append("</td><td>");
      for (Sighting s : f.getSightings()) {
        out.append(esc(s.getPoint())).append(" ttl ").append(s.getTtl()).append("<br>");
      }
      out.append("</td><td><b>").append(esc(f.getCause().toString())).append("</b><br>").append(esc(f.getPhase().toString()))
          .append(", emitter ").append(esc(f.getEmitter().toString())).append("<br>at ").append(esc(f.getLocation()))
          .append(f.getForged() ? "<br><b>forged</b>" : "").append("<br>confidence ").append(String.format("%.2f", f.getConfidence()))
          .append("</td><td><ul>");
      for (Evidence e : f.getEvidence()) {
        out.append("<li><code>").append(esc(e.getCode())).append("</code> ").append(esc(e.getDetail())).append("</li>");
      }
      out.append("</ul></td><td>").append(esc(f.getRecommendation())).append("</td></tr>");
    }
    out.append("</table>");
    ladders.forEach((flow, ladder) -> out.append("<h2 id=\"flow-").append(esc(flow)).append("\">Flow ").append(esc(flow))
        .append("</h2><div style=\"overflow:auto;border:1px solid #ddd\">")
        .append(io.rstscope.processor.web.LadderSvg.render(ladder)).append("</div>"));
    return out.append("</body></html>\n").toString();
  }

  static String esc(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
