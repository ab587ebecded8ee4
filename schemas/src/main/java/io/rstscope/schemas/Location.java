package io.rstscope.schemas;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * Where a RST was emitted: at the client, at the server, on the stretch of path between two named ends
 * (points, or {@code client}/{@code server} for the outer stretches), or unknown. Built and parsed only here;
 * the text form ({@code client}, {@code server}, {@code unknown}, {@code segment:A-B}) is for output and
 * queries. Point names may contain '-', so parsing a segment takes the names of the known points.
 */
public sealed interface Location {
  String SEGMENT_PREFIX = "segment:";

  /** The text form written into findings. */
  String text();

  /** The RST came from the client host itself. */
  record Client() implements Location {
    @Override
    public String text() {
      return "client";
    }
  }

  /** The RST came from the server host itself. */
  record Server() implements Location {
    @Override
    public String text() {
      return "server";
    }
  }

  /** Nothing the evidence allows to say. */
  record Unknown() implements Location {
    @Override
    public String text() {
      return "unknown";
    }
  }

  /**
   * Emitted between two ends of the path, {@code from} nearer the client: point names, or {@code client} /
   * {@code server} for the stretch between an endpoint and the outermost point.
   */
  record Segment(String from, String to) implements Location {
    public Segment {
      if (!end(from) || !end(to)) {
        throw new IllegalArgumentException("a segment joins point names or client/server: " + from + ", " + to);
      }
    }

    @Override
    public String text() {
      return SEGMENT_PREFIX + from + "-" + to;
    }

    /** "between P1 and P2", for sentences. */
    public String between() {
      return "between " + from + " and " + to;
    }

    private static boolean end(String name) {
      return "client".equals(name) || "server".equals(name) || PointNames.valid(name);
    }
  }

  Location CLIENT = new Client();
  Location SERVER = new Server();
  Location UNKNOWN = new Unknown();

  static Segment segment(String from, String to) {
    return new Segment(from, to);
  }

  /** True when the text is a segment's (for filters that need no point names). */
  static boolean isSegmentText(String text) {
    return text != null && text.startsWith(SEGMENT_PREFIX);
  }

  /**
   * The location a text names. A segment's two ends are told apart with the known point names: the split at
   * a '-' whose both sides are known points (or client/server) wins; with no such split, the only split whose
   * both sides are valid names. Empty when the text is no location or the split stays ambiguous.
   */
  static Optional<Location> parse(String text, Collection<String> knownPoints) {
    if (text == null) {
      return Optional.empty();
    }
    switch (text) {
      case "client":
        return Optional.of(CLIENT);
      case "server":
        return Optional.of(SERVER);
      case "unknown":
        return Optional.of(UNKNOWN);
      default:
        break;
    }
    if (!isSegmentText(text)) {
      return Optional.empty();
    }
    String ends = text.substring(SEGMENT_PREFIX.length());
    List<Segment> valid = new ArrayList<>();
    List<Segment> known = new ArrayList<>();
    for (int i = ends.indexOf('-'); i >= 0; i = ends.indexOf('-', i + 1)) {
      String a = ends.substring(0, i);
      String b = ends.substring(i + 1);
      if (Segment.end(a) && Segment.end(b)) {
        Segment s = new Segment(a, b);
        valid.add(s);
        if (isKnown(a, knownPoints) && isKnown(b, knownPoints)) {
          known.add(s);
        }
      }
    }
    if (known.size() == 1) {
      return Optional.of(known.get(0));
    }
    if (known.isEmpty() && valid.size() == 1) {
      return Optional.of(valid.get(0));
    }
    return Optional.empty();
  }

  /**
   * The text form of a location as a user types it in a filter: {@code client}, {@code server}, {@code unknown},
   * {@code segment:A-B}, or a bare {@code A-B} for a segment.
   */
  static String filterText(String typed) {
    return switch (typed) {
      case "client", "server", "unknown" -> typed;
      default -> isSegmentText(typed) ? typed : SEGMENT_PREFIX + typed;
    };
  }

  private static boolean isKnown(String end, Collection<String> knownPoints) {
    return "client".equals(end) || "server".equals(end) || knownPoints.contains(end);
  }
}
