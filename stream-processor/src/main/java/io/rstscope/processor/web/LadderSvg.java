package io.rstscope.processor.web;

import io.rstscope.avro.RstFinding;
import io.rstscope.schemas.Location;
import java.util.List;
import java.util.Locale;

/**
 * Draws a {@link Ladder} as a standalone SVG: client lifeline on the left, server on the right,
 * the observation points between them in path order, time going down. A packet is an arrow from
 * its sender to its receiver with a dot where a point saw it (its TTL beside) and a ring where a
 * point on its way did not. A RST starts where its finding located it: at an endpoint, or in the
 * middle of the segment between two points, which is shaded; forged RSTs are red. Classes and
 * data- attributes name what is drawn, so pages and tests can find a forged RST and its segment.
 */
public final class LadderSvg {
  private static final int LEFT = 150;
  private static final int STEP = 180;
  private static final int TOP = 96;
  private static final int ROW = 36;
  private static final int RIGHT = 260;

  private LadderSvg() {}

  public static String render(Ladder ladder) {
    List<String> points = ladder.points();
    int cols = points.size() + 2;
    int width = LEFT + (cols - 1) * STEP + RIGHT;
    int height = TOP + Math.max(1, ladder.rows().size()) * ROW + 40;
    StringBuilder b = new StringBuilder(4096 + ladder.rows().size() * 600);
    b.append("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"ladder\" data-flow=\"").append(esc(ladder.flow()))
        .append("\" width=\"").append(width).append("\" height=\"").append(height).append("\" viewBox=\"0 0 ")
        .append(width).append(' ').append(height).append("\" font-family=\"DejaVu Sans, Arial, sans-serif\" font-size=\"11\">")
        .append("<title>").append(esc("ladder diagram of " + ladder.flow())).append("</title>")
        .append("<defs>");
    for (String[] m : new String[][] {{"a-pkt", "#555"}, {"a-rst", "#e07b00"}, {"a-forged", "#d0021b"}}) {
      b.append("<marker id=\"").append(m[0]).append("\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\">")
          .append("<path d=\"M0,0 L10,5 L0,10 z\" fill=\"").append(m[1]).append("\"/></marker>");
    }
    b.append("</defs><rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>");
    // Lifelines: endpoints solid, points dashed.
    lifeline(b, x(0), "client", ladder.client(), "endpoint client", height);
    for (int i = 0; i < points.size(); i++) {
      lifeline(b, x(i + 1), points.get(i), "observation point", "point", height);
    }
    lifeline(b, x(cols - 1), "server", ladder.server(), "endpoint server", height);
    long t0 = ladder.rows().isEmpty() ? 0 : ladder.rows().get(0).tsMicros();
    int i = 0;
    for (Ladder.Row r : ladder.rows()) {
      row(b, ladder, r, TOP + i * ROW + ROW / 2 + 6, t0);
      i++;
    }
    if (ladder.droppedSegments() > 0) {
      b.append("<text x=\"10\" y=\"").append(height - 12).append("\" fill=\"#888\">")
          .append(ladder.droppedSegments()).append(" summaries of the middle of the flow not kept</text>");
    }
    return b.append("</svg>").toString();
  }

  private static int x(int col) {
    return LEFT + col * STEP;
  }

  /** Column of a point name, "client" or "server"; -1 when the point is not on this ladder. */
  private static int col(Ladder l, String name) {
    if (name.equals("client")) return 0;
    if (name.equals("server")) return l.points().size() + 1;
    int i = l.points().indexOf(name);
    return i < 0 ? -1 : i + 1;
  }

  private static void lifeline(StringBuilder b, int x, String name, String sub, String cls, int height) {
    boolean endpoint = cls.startsWith("endpoint");
    b.append("<g class=\"lifeline ").append(cls).append("\" data-name=\"").append(esc(name)).append("\">")
        .append("<line x1=\"").append(x).append("\" y1=\"").append(TOP - 20).append("\" x2=\"").append(x)
        .append("\" y2=\"").append(height - 30).append("\" stroke=\"").append(endpoint ? "#222" : "#7a8ca3")
        .append("\" stroke-width=\"").append(endpoint ? 2 : 1.5).append('"')
        .append(endpoint ? "" : " stroke-dasharray=\"5,4\"").append("/>")
        .append("<text x=\"").append(x).append("\" y=\"24\" text-anchor=\"middle\" font-weight=\"bold\" font-size=\"13\">")
        .append(esc(name)).append("</text><text x=\"").append(x).append("\" y=\"42\" text-anchor=\"middle\" fill=\"#555\">")
        .append(esc(sub)).append("</text></g>");
  }

  private static void row(StringBuilder b, Ladder l, Ladder.Row r, int y, long t0) {
    int last = l.points().size() + 1;
    int senderCol = r.fromClient() ? 0 : last;
    int receiverCol = r.fromClient() ? last : 0;
    String ms = String.format(Locale.ROOT, "+%.3f ms", (r.tsMicros() - t0) / 1000.0);
    if (r.progressPackets() > 0) {
      String point = r.seenAt().keySet().iterator().next();
      b.append("<g class=\"pkt progress\"><text x=\"8\" y=\"").append(y + 4).append("\" fill=\"#999\">").append(ms)
          .append("</text><text x=\"").append(x(Math.max(0, col(l, point)))).append("\" y=\"").append(y + 4)
          .append("\" text-anchor=\"middle\" fill=\"#888\" font-style=\"italic\">")
          .append(esc((r.fromClient() ? "→ " : "← ") + r.progressPackets() + " packets, " + r.progressBytes()
              + " bytes (progress at " + point + ")"))
          .append("</text></g>");
      return;
    }
    RstFinding f = r.finding();
    boolean forged = f != null && f.getForged();
    double startX = x(senderCol);
    String location = null;
    if (f != null) {
      location = f.getLocation();
      Location at = Location.parse(location, l.points()).orElse(Location.UNKNOWN);
      if (at instanceof Location.Segment seg) {
        int ca = col(l, seg.from());
        int cb = col(l, seg.to());
        if (ca >= 0 && cb >= 0) {
          startX = (x(ca) + x(cb)) / 2.0;
          int lo = Math.min(ca, cb);
          int hi = Math.max(ca, cb);
          b.append("<rect class=\"located-segment").append(forged ? " forged" : "").append("\" data-location=\"")
              .append(esc(location)).append("\" x=\"").append(x(lo)).append("\" y=\"").append(y - ROW / 2)
              .append("\" width=\"").append(x(hi) - x(lo)).append("\" height=\"").append(ROW)
              .append("\" fill=\"").append(forged ? "#d0021b" : "#e07b00").append("\" fill-opacity=\"0.14\"/>");
        }
      } else if (at instanceof Location.Client || at instanceof Location.Server) {
        startX = x(col(l, at.text()));
      }
    }
    double endX = x(receiverCol);
    String cls = "pkt" + (r.rst() ? " rst" : "") + (forged ? " forged" : "") + (r.rst() && f == null ? " pending" : "");
    String color = forged ? "#d0021b" : r.rst() ? "#e07b00" : "#555";
    String marker = forged ? "a-forged" : r.rst() ? "a-rst" : "a-pkt";
    b.append("<g class=\"").append(cls).append('"');
    if (f != null) {
      b.append(" data-finding=\"").append(esc(f.getFindingId())).append("\" data-location=\"").append(esc(location))
          .append("\" data-cause=\"").append(esc(f.getCause().name())).append('"');
    }
    b.append(" data-flags=\"").append(esc(r.flags())).append("\"><title>").append(esc(tooltip(r))).append("</title>");
    b.append("<text x=\"8\" y=\"").append(y + 4).append("\" fill=\"#666\">").append(ms).append("</text>");
    b.append("<line x1=\"").append(fmt(startX)).append("\" y1=\"").append(y).append("\" x2=\"").append(fmt(endX))
        .append("\" y2=\"").append(y).append("\" stroke=\"").append(color).append("\" stroke-width=\"")
        .append(r.rst() ? 2.5 : 1.4).append("\" marker-end=\"url(#").append(marker).append(")\"/>");
    if (r.rst()) {
      b.append("<circle cx=\"").append(fmt(startX)).append("\" cy=\"").append(y).append("\" r=\"5\" fill=\"")
          .append(color).append("\" class=\"origin\"/>");
    }
    // Where each point saw it (dot + TTL) or, on its way, did not (ring).
    double lo = Math.min(startX, endX);
    double hi = Math.max(startX, endX);
    for (int i = 0; i < l.points().size(); i++) {
      String p = l.points().get(i);
      int px = x(i + 1);
      Integer ttl = r.seenAt().get(p);
      if (ttl != null) {
        b.append("<circle class=\"seen\" data-point=\"").append(esc(p)).append("\" cx=\"").append(px).append("\" cy=\"")
            .append(y).append("\" r=\"3.5\" fill=\"").append(color).append("\"/><text x=\"").append(px + 4)
            .append("\" y=\"").append(y + 13).append("\" fill=\"#444\" font-size=\"10\">ttl ").append(ttl).append("</text>");
      } else if (px > lo && px < hi) {
        b.append("<circle class=\"not-seen\" data-point=\"").append(esc(p)).append("\" cx=\"").append(px)
            .append("\" cy=\"").append(y).append("\" r=\"3.5\" fill=\"#fff\" stroke=\"").append(color).append("\"/>");
      }
    }
    String label = r.flags() + "  seq " + r.seq() + (r.flags().contains("A") ? " ack " + r.ack() : "")
        + (r.len() > 0 ? " len " + r.len() : "") + (r.hint() != null ? "  " + r.hint() : "");
    double mid = (startX + endX) / 2;
    b.append("<text x=\"").append(fmt(mid)).append("\" y=\"").append(y - 5).append("\" text-anchor=\"middle\" fill=\"")
        .append(color).append('"').append(r.rst() ? " font-weight=\"bold\"" : "").append('>').append(esc(label)).append("</text>");
    if (f != null) {
      b.append("<text x=\"").append(x(l.points().size() + 1) + 12).append("\" y=\"").append(y + 4).append("\" fill=\"")
          .append(color).append("\" font-weight=\"bold\">")
          .append(esc((forged ? "FORGED " : "") + f.getCause().name() + " @ " + location)).append("</text>");
    } else if (r.rst()) {
      b.append("<text x=\"").append(x(l.points().size() + 1) + 12).append("\" y=\"").append(y + 4)
          .append("\" fill=\"#999\">verdict pending</text>");
    }
    b.append("</g>");
  }

  private static String tooltip(Ladder.Row r) {
    StringBuilder t = new StringBuilder();
    t.append(r.fromClient() ? "client → server " : "server → client ").append(r.flags()).append(" seq ").append(r.seq())
        .append(" ack ").append(r.ack()).append(" len ").append(r.len());
    if (r.ipId() != null) t.append(" ipid ").append(r.ipId());
    r.seenAt().forEach((p, ttl) -> t.append("; ").append(p).append(" ttl ").append(ttl));
    RstFinding f = r.finding();
    if (f != null) {
      t.append("; ").append(f.getCause().name()).append(", emitter ").append(f.getEmitter().name()).append(" at ")
          .append(f.getLocation()).append(f.getForged() ? ", forged" : "");
    }
    return t.toString();
  }

  private static String fmt(double v) {
    return v == Math.rint(v) ? Long.toString((long) v) : String.format(Locale.ROOT, "%.1f", v);
  }

  static String esc(String s) {
    return s == null ? "" : s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
