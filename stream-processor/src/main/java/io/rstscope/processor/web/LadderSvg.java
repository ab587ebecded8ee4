package io.rstscope.processor.web;

import io.rstscope.avro.RstFinding;
import io.rstscope.processor.output.Micros;
import io.rstscope.schemas.Location;
import java.util.List;
import java.util.Locale;

/**
 * Draws a {@link Ladder} as a standalone SVG: client lifeline on the left, server on the right,
 * every observation point of the path between them in path order, time going down. A point's
 * lifeline says whether it saw the flow, was capturing and saw nothing, or was not capturing.
 *
 * <p>A packet is an arrow from where it started to where it was last seen: a RST starts where its
 * finding located it (an endpoint, or the middle of the segment between two ends, which is shaded),
 * any other packet at its sender. The arrow reaches the receiver when no capturing point on the
 * way missed it (dashed past points that were not capturing), and otherwise stops at the last
 * point that saw it. A dot marks each point that saw it (its TTL beside), a ring each capturing
 * point on its way that did not. Forged RSTs are red.
 *
 * <p>Classes and data- attributes name what is drawn (lifelines by {@code data-name}, sightings
 * by {@code data-point}, the RST's {@code origin}), so pages and tests can check the picture
 * against the finding. The width fits the longest label, so no label is cut.
 */
public final class LadderSvg {
  private static final int MIN_LEFT = 150;
  private static final int STEP = 180;
  private static final int TOP = 96;
  private static final int ROW = 36;
  private static final int MARGIN = 16;
  /** Generous average advance of a DejaVu Sans glyph at 11 px (bold), for sizing; real text is narrower. */
  private static final double CHAR_PX = 7.4;

  private LadderSvg() {}

  /** The columns and their x positions: client, points in path order, server. */
  private record Geometry(Ladder ladder, int left) {
    int x(int col) {
      return left + col * STEP;
    }

    int serverCol() {
      return ladder.points().size() + 1;
    }

    /** Column of a point name, "client" or "server"; -1 when the name is not on this ladder. */
    int col(String name) {
      if (name.equals("client")) return 0;
      if (name.equals("server")) return serverCol();
      int i = ladder.points().indexOf(name);
      return i < 0 ? -1 : i + 1;
    }

    Ladder.Coverage coverage(int col) {
      return col <= 0 || col >= serverCol() ? Ladder.Coverage.SAW_FLOW
          : ladder.coverage().getOrDefault(ladder.points().get(col - 1), Ladder.Coverage.NOT_CAPTURING);
    }
  }

  public static String render(Ladder ladder) {
    List<String> points = ladder.points();
    int left = Math.max(MIN_LEFT, (int) Math.ceil(textPx(ladder.client(), 6.2) / 2) + MARGIN);
    Geometry g = new Geometry(ladder, left);
    int serverCol = g.serverCol();
    int height = TOP + Math.max(1, ladder.rows().size()) * ROW + 40;
    StringBuilder body = new StringBuilder(4096 + ladder.rows().size() * 700);
    // Lifelines: endpoints solid; points dashed, fainter when they saw nothing or were not capturing.
    double right = g.x(serverCol) + textPx(ladder.server(), 6.2) / 2;
    lifeline(body, g.x(0), "client", ladder.client(), "endpoint client", null, height);
    for (int i = 0; i < points.size(); i++) {
      lifeline(body, g.x(i + 1), points.get(i), null, "point", g.coverage(i + 1), height);
    }
    lifeline(body, g.x(serverCol), "server", ladder.server(), "endpoint server", null, height);
    long t0 = ladder.rows().isEmpty() ? 0 : ladder.rows().get(0).tsMicros();
    int i = 0;
    for (Ladder.Row r : ladder.rows()) {
      right = Math.max(right, row(body, g, r, TOP + i * ROW + ROW / 2 + 6, t0));
      i++;
    }
    if (ladder.droppedSegments() > 0) {
      String note = ladder.droppedSegments() + " summaries of the middle of the flow not kept";
      body.append("<text x=\"10\" y=\"").append(height - 12).append("\" fill=\"#888\">").append(esc(note)).append("</text>");
      right = Math.max(right, 10 + textPx(note, CHAR_PX));
    }
    int width = (int) Math.ceil(right) + MARGIN;
    StringBuilder b = new StringBuilder(body.length() + 2048);
    b.append("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"ladder\" data-flow=\"").append(esc(ladder.flow()))
        .append("\" width=\"").append(width).append("\" height=\"").append(height).append("\" viewBox=\"0 0 ")
        .append(width).append(' ').append(height).append("\" font-family=\"DejaVu Sans, Arial, sans-serif\" font-size=\"11\">")
        .append("<title>").append(esc("ladder diagram of " + ladder.flow())).append("</title>")
        .append("<defs>");
    for (String[] m : new String[][] {{"a-pkt", "#555"}, {"a-rst", "#e07b00"}, {"a-forged", "#d0021b"}}) {
      b.append("<marker id=\"").append(m[0]).append("\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\">")
          .append("<path d=\"M0,0 L10,5 L0,10 z\" fill=\"").append(m[1]).append("\"/></marker>");
    }
    b.append("</defs><rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>").append(body);
    return b.append("</svg>").toString();
  }

  private static void lifeline(StringBuilder b, int x, String name, String sub, String cls, Ladder.Coverage coverage,
      int height) {
    boolean endpoint = coverage == null;
    String stroke = endpoint ? "#222" : coverage == Ladder.Coverage.SAW_FLOW ? "#7a8ca3"
        : coverage == Ladder.Coverage.CAPTURING_SAW_NOTHING ? "#a9b6c6" : "#d5d5d5";
    String dash = endpoint ? null : coverage == Ladder.Coverage.SAW_FLOW ? "5,4"
        : coverage == Ladder.Coverage.CAPTURING_SAW_NOTHING ? "2,5" : "1,7";
    String coverageClass = endpoint ? "" : " " + coverage.name().toLowerCase(Locale.ROOT).replace('_', '-');
    b.append("<g class=\"lifeline ").append(cls).append(coverageClass).append("\" data-name=\"").append(esc(name)).append('"');
    if (!endpoint) {
      b.append(" data-coverage=\"").append(coverage.name()).append('"');
    }
    b.append("><line x1=\"").append(x).append("\" y1=\"").append(TOP - 20).append("\" x2=\"").append(x)
        .append("\" y2=\"").append(height - 30).append("\" stroke=\"").append(stroke)
        .append("\" stroke-width=\"").append(endpoint ? 2 : 1.5).append('"')
        .append(dash == null ? "" : " stroke-dasharray=\"" + dash + "\"").append("/>")
        .append("<text x=\"").append(x).append("\" y=\"24\" text-anchor=\"middle\" font-weight=\"bold\" font-size=\"13\"")
        .append(endpoint || coverage == Ladder.Coverage.SAW_FLOW ? "" : " fill=\"#888\"").append('>')
        .append(esc(name)).append("</text><text x=\"").append(x).append("\" y=\"42\" text-anchor=\"middle\" fill=\"#555\">")
        .append(esc(endpoint ? sub : coverage.text)).append("</text></g>");
  }

  /** Draws one row; returns the rightmost x its text reaches. */
  private static double row(StringBuilder b, Geometry g, Ladder.Row r, int y, long t0) {
    Ladder l = g.ladder();
    int serverCol = g.serverCol();
    String ms = String.format(Locale.ROOT, "+%.3f ms", (r.tsMicros() - t0) / 1000.0);
    if (r.progressPackets() > 0) {
      String point = r.seenAt().keySet().iterator().next();
      String text = (r.fromClient() ? "→ " : "← ") + r.progressPackets() + " packets, " + r.progressBytes()
          + " bytes (progress at " + point + ")";
      int px = g.x(Math.max(0, g.col(point)));
      b.append("<g class=\"pkt progress\"><text x=\"8\" y=\"").append(y + 4).append("\" fill=\"#999\">").append(ms)
          .append("</text><text x=\"").append(px).append("\" y=\"").append(y + 4)
          .append("\" text-anchor=\"middle\" fill=\"#888\" font-style=\"italic\">").append(esc(text)).append("</text></g>");
      return px + textPx(text, CHAR_PX) / 2;
    }
    RstFinding f = r.finding();
    boolean forged = f != null && f.getForged();
    int dir = r.fromClient() ? 1 : -1;
    int senderCol = r.fromClient() ? 0 : serverCol;
    int receiverCol = r.fromClient() ? serverCol : 0;
    String location = f == null ? null : f.getLocation();
    // Where the arrow starts, as a position in columns (a segment's middle is half-way between two).
    double origin = senderCol;
    boolean originKnown = true;
    int[] segment = null;
    Location at = location == null ? null : Location.parse(location, l.points()).orElse(Location.UNKNOWN);
    if (at instanceof Location.Segment seg && g.col(seg.from()) >= 0 && g.col(seg.to()) >= 0) {
      segment = new int[] {g.col(seg.from()), g.col(seg.to())};
      origin = (segment[0] + segment[1]) / 2.0;
    } else if (at instanceof Location.Client || at instanceof Location.Server) {
      origin = g.col(at.text());
    } else if (at != null) {
      // Unknown (or a segment of points not on this ladder): the first point on its way that saw it
      // is all the picture can say.
      originKnown = false;
      origin = receiverCol;
      for (int c = senderCol; c != receiverCol + dir; c += dir) {
        if (c > 0 && c < serverCol && r.seenAt().containsKey(l.points().get(c - 1))) {
          origin = c;
          break;
        }
      }
    }
    // Where it ends: walk from the origin towards the receiver; stop after the last sighting when a
    // capturing point further on missed it.
    int lastSeen = -1;
    boolean missedAfter = false;
    boolean uncertainAfter = false;
    for (int c = firstColAfter(origin, dir); c != receiverCol; c += dir) {
      String p = l.points().get(c - 1);
      if (r.seenAt().containsKey(p)) {
        lastSeen = c;
        missedAfter = false;
        uncertainAfter = false;
      } else if (g.coverage(c) == Ladder.Coverage.NOT_CAPTURING) {
        uncertainAfter = true;
      } else {
        missedAfter = true;
      }
    }
    double solidEnd;
    double dashedEnd = Double.NaN;
    if (missedAfter && lastSeen >= 0) {
      solidEnd = lastSeen;
    } else if (missedAfter) {
      solidEnd = origin + dir * 0.25; // nobody on its way saw it: a stub
    } else if (uncertainAfter) {
      solidEnd = lastSeen >= 0 ? lastSeen : origin + dir * 0.25;
      dashedEnd = receiverCol;
    } else {
      solidEnd = receiverCol;
    }
    double startX = xAt(g, origin);
    double endX = xAt(g, solidEnd);
    String cls = "pkt" + (r.rst() ? " rst" : "") + (forged ? " forged" : "") + (r.rst() && f == null ? " pending" : "");
    String color = forged ? "#d0021b" : r.rst() ? "#e07b00" : "#555";
    String marker = forged ? "a-forged" : r.rst() ? "a-rst" : "a-pkt";
    if (segment != null) {
      int lo = Math.min(segment[0], segment[1]);
      int hi = Math.max(segment[0], segment[1]);
      b.append("<rect class=\"located-segment").append(forged ? " forged" : "").append("\" data-location=\"")
          .append(esc(location)).append("\" x=\"").append(g.x(lo)).append("\" y=\"").append(y - ROW / 2)
          .append("\" width=\"").append(g.x(hi) - g.x(lo)).append("\" height=\"").append(ROW)
          .append("\" fill=\"").append(forged ? "#d0021b" : "#e07b00").append("\" fill-opacity=\"0.14\"/>");
    }
    b.append("<g class=\"").append(cls).append('"');
    if (f != null) {
      b.append(" data-finding=\"").append(esc(f.getFindingId())).append("\" data-location=\"").append(esc(location))
          .append("\" data-cause=\"").append(esc(f.getCause().name())).append('"');
    }
    b.append(" data-flags=\"").append(esc(r.flags())).append("\"><title>").append(esc(tooltip(r))).append("</title>");
    b.append("<text x=\"8\" y=\"").append(y + 4).append("\" fill=\"#666\">").append(ms).append("</text>");
    b.append("<line class=\"path\" x1=\"").append(fmt(startX)).append("\" y1=\"").append(y).append("\" x2=\"")
        .append(fmt(endX)).append("\" y2=\"").append(y).append("\" stroke=\"").append(color).append("\" stroke-width=\"")
        .append(r.rst() ? 2.5 : 1.4).append('"');
    if (Double.isNaN(dashedEnd)) {
      b.append(" marker-end=\"url(#").append(marker).append(")\"/>");
    } else {
      b.append("/><line class=\"beyond\" x1=\"").append(fmt(endX)).append("\" y1=\"").append(y).append("\" x2=\"")
          .append(fmt(xAt(g, dashedEnd))).append("\" y2=\"").append(y).append("\" stroke=\"").append(color)
          .append("\" stroke-opacity=\"0.5\" stroke-width=\"1.2\" stroke-dasharray=\"4,4\" marker-end=\"url(#")
          .append(marker).append(")\"/>");
    }
    if (r.rst()) {
      b.append("<circle cx=\"").append(fmt(startX)).append("\" cy=\"").append(y).append("\" r=\"5\" ")
          .append(originKnown ? "fill=\"" + color + "\" class=\"origin\"" : "fill=\"#fff\" stroke=\"" + color + "\" class=\"origin unknown\"")
          .append("/>");
    }
    // Where each point saw it (dot + TTL) or, capturing on its way, did not (ring).
    for (int i = 0; i < l.points().size(); i++) {
      String p = l.points().get(i);
      int px = g.x(i + 1);
      Integer ttl = r.seenAt().get(p);
      if (ttl != null) {
        b.append("<circle class=\"seen\" data-point=\"").append(esc(p)).append("\" cx=\"").append(px).append("\" cy=\"")
            .append(y).append("\" r=\"3.5\" fill=\"").append(color).append("\"/><text x=\"").append(px + 4)
            .append("\" y=\"").append(y + 13).append("\" fill=\"#444\" font-size=\"10\">ttl ").append(ttl).append("</text>");
      } else if (between(i + 1, origin, receiverCol) && g.coverage(i + 1) != Ladder.Coverage.NOT_CAPTURING) {
        b.append("<circle class=\"not-seen\" data-point=\"").append(esc(p)).append("\" cx=\"").append(px)
            .append("\" cy=\"").append(y).append("\" r=\"3.5\" fill=\"#fff\" stroke=\"").append(color).append("\"/>");
      }
    }
    String label = r.flags() + "  seq " + r.seq() + (r.flags().contains("A") ? " ack " + r.ack() : "")
        + (r.len() > 0 ? " len " + r.len() : "") + (r.hint() != null ? "  " + r.hint() : "");
    double labelHalf = textPx(label, CHAR_PX) / 2;
    double spanEnd = Double.isNaN(dashedEnd) ? endX : xAt(g, dashedEnd);
    double mid = Math.max((startX + spanEnd) / 2, MIN_LEFT / 2.0 + labelHalf);
    b.append("<text class=\"label\" x=\"").append(fmt(mid)).append("\" y=\"").append(y - 5)
        .append("\" text-anchor=\"middle\" fill=\"").append(color).append('"').append(r.rst() ? " font-weight=\"bold\"" : "")
        .append('>').append(esc(label)).append("</text>");
    double right = mid + labelHalf;
    String verdict = f != null ? (forged ? "FORGED " : "") + f.getCause().name() + " @ " + location
        : r.rst() ? "verdict pending" : null;
    if (verdict != null) {
      int vx = g.x(serverCol) + 12;
      b.append("<text class=\"verdict\" x=\"").append(vx).append("\" y=\"").append(y + 4).append("\" fill=\"")
          .append(f != null ? color : "#999").append('"').append(f != null ? " font-weight=\"bold\"" : "").append('>')
          .append(esc(verdict)).append("</text>");
      right = Math.max(right, vx + textPx(verdict, CHAR_PX));
    }
    b.append("</g>");
    return right;
  }

  /** The first whole column strictly past {@code pos} in direction {@code dir}. */
  private static int firstColAfter(double pos, int dir) {
    return dir > 0 ? (int) Math.floor(pos) + 1 : (int) Math.ceil(pos) - 1;
  }

  private static boolean between(int col, double a, double b) {
    return col > Math.min(a, b) && col < Math.max(a, b);
  }

  private static double xAt(Geometry g, double col) {
    return g.left() + col * STEP;
  }

  private static double textPx(String s, double perChar) {
    return s == null ? 0 : s.length() * perChar;
  }

  private static String tooltip(Ladder.Row r) {
    StringBuilder t = new StringBuilder();
    t.append(r.fromClient() ? "client → server " : "server → client ").append(r.flags()).append(" seq ").append(r.seq())
        .append(" ack ").append(r.ack()).append(" len ").append(r.len());
    if (r.ipId() != null) t.append(" ipid ").append(r.ipId());
    t.append("; first seen ").append(Micros.iso(Micros.toInstant(r.tsMicros()))).append(" (corrected)");
    r.seenAt().forEach((p, ttl) -> {
      t.append("; ").append(p).append(" ttl ").append(ttl);
      Long captured = r.capturedMicros().get(p);
      if (captured != null) {
        t.append(" at ").append(Micros.iso(Micros.toInstant(captured))).append(" (its clock)");
      }
    });
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
