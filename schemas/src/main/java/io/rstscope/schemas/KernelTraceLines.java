package io.rstscope.schemas;

import io.rstscope.avro.Endpoint;
import io.rstscope.avro.KernelEvent;
import io.rstscope.avro.KernelReset;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The kernel probe's recording format, JSON Lines, one event per line, written by {@code probe --out} and read by
 * {@code analyze --kernel-trace}; the one reader and writer of it:
 *
 * <pre>
 * {"ts":"2026-11-25T01:02:03.123456Z","event":"tcp_send_reset","src":"192.0.2.10:40201","dst":"203.0.113.10:8200","state":"TCP_ESTABLISHED","reason":"TCP_KEEPALIVE_TIMEOUT"}
 * </pre>
 *
 * {@code src} and {@code dst} are those of the RST segment for both events (for {@code tcp_receive_reset} the peer
 * is {@code src}); IPv6 endpoints are {@code [addr]:port}; a listening socket's reset may carry {@code 0.0.0.0} or
 * {@code [::]} as source and port 0 as destination. {@code reason} is null for {@code tcp_receive_reset} and on
 * kernels without it; {@code state} is {@code UNKNOWN} where the kernel names none. A bad line is a named, counted
 * {@link Malformed} problem, never an exception; fields this version does not know are ignored.
 */
public final class KernelTraceLines {
  /** Longer lines are not events (the longest real line is under 200 characters). */
  static final int MAX_LINE = 4096;
  private static final DateTimeFormatter TS =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

  private KernelTraceLines() {}

  /** Why a line was skipped. */
  public enum Malformed {
    /** Not one flat JSON object with string (or null) values. */
    NOT_JSON_OBJECT("not_json_object"),
    /** Longer than any event line can be. */
    TOO_LONG("line_too_long"),
    /** ts, event, src or dst is missing. */
    MISSING_FIELD("missing_field"),
    /** ts is not an ISO-8601 UTC time. */
    BAD_TIME("bad_time"),
    /** event is neither tcp_send_reset nor tcp_receive_reset. */
    UNKNOWN_EVENT("unknown_event"),
    /** src or dst is not address:port. */
    BAD_ENDPOINT("bad_endpoint");

    public final String label;

    Malformed(String label) {
      this.label = label;
    }
  }

  /** One line read: an event, or why it is not one. Exactly one of the two is set. */
  public record Parsed(KernelReset event, Malformed problem) {}

  /** A whole recording: its events in file order and the lines skipped, by problem. */
  public record Recording(List<KernelReset> events, Map<Malformed, Long> skipped, long lines) {
    public long skippedTotal() {
      return skipped.values().stream().mapToLong(Long::longValue).sum();
    }
  }

  /** The recording's name for an event kind. */
  public static String eventName(KernelEvent event) {
    return event == KernelEvent.SEND_RESET ? "tcp_send_reset" : "tcp_receive_reset";
  }

  /** One line (without the newline) for an event. */
  public static String write(KernelReset e) {
    StringBuilder out = new StringBuilder(200);
    out.append("{\"ts\":\"").append(TS.format(e.getTime().truncatedTo(ChronoUnit.MICROS)));
    out.append("\",\"event\":\"").append(eventName(e.getEvent()));
    out.append("\",\"src\":\"").append(endpoint(e.getSrc()));
    out.append("\",\"dst\":\"").append(endpoint(e.getDst()));
    out.append("\",\"state\":");
    string(out, e.getState());
    out.append(",\"reason\":");
    string(out, e.getReason());
    return out.append('}').toString();
  }

  private static String endpoint(Endpoint e) {
    return Endpoints.endpoint(e.getAddress(), e.getPort());
  }

  private static void string(StringBuilder out, String s) {
    if (s == null) {
      out.append("null");
      return;
    }
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char ch = s.charAt(i);
      if (ch == '"' || ch == '\\') {
        out.append('\\').append(ch);
      } else if (ch < 0x20) {
        out.append(String.format("\\u%04x", (int) ch));
      } else {
        out.append(ch);
      }
    }
    out.append('"');
  }

  /** Reads one line as an event of {@code host}. */
  public static Parsed read(String line, String host) {
    if (line.length() > MAX_LINE) {
      return new Parsed(null, Malformed.TOO_LONG);
    }
    Map<String, String> fields = flatObject(line);
    if (fields == null) {
      return new Parsed(null, Malformed.NOT_JSON_OBJECT);
    }
    String ts = fields.get("ts");
    String event = fields.get("event");
    String src = fields.get("src");
    String dst = fields.get("dst");
    if (ts == null || event == null || src == null || dst == null) {
      return new Parsed(null, Malformed.MISSING_FIELD);
    }
    KernelEvent kind;
    if (event.equals("tcp_send_reset")) {
      kind = KernelEvent.SEND_RESET;
    } else if (event.equals("tcp_receive_reset")) {
      kind = KernelEvent.RECEIVE_RESET;
    } else {
      return new Parsed(null, Malformed.UNKNOWN_EVENT);
    }
    Instant time;
    try {
      time = Instant.parse(ts).truncatedTo(ChronoUnit.MICROS);
    } catch (DateTimeParseException e) {
      return new Parsed(null, Malformed.BAD_TIME);
    }
    Endpoint s;
    Endpoint d;
    try {
      s = Endpoints.parseEndpoint(src);
      d = Endpoints.parseEndpoint(dst);
    } catch (IllegalArgumentException e) {
      return new Parsed(null, Malformed.BAD_ENDPOINT);
    }
    String state = fields.get("state");
    return new Parsed(event(host, kind, time, s, d, state == null ? KernelTcpState.UNKNOWN.name() : state,
        fields.get("reason")), null);
  }

  /** A KernelReset with its flow key filled in. */
  public static KernelReset event(String host, KernelEvent kind, Instant time, Endpoint src, Endpoint dst,
      String state, String reason) {
    return KernelReset.newBuilder().setHost(host).setEvent(kind).setTime(time).setSrc(src).setDst(dst)
        .setState(state).setReason(reason)
        .setFlow(FlowKeys.of(Endpoints.bytes(src.getAddress()), src.getPort(),
            Endpoints.bytes(dst.getAddress()), dst.getPort()))
        .build();
  }

  /** Reads a whole recording; bad lines are counted and skipped. */
  public static Recording readFile(Path file, String host) throws IOException {
    List<KernelReset> events = new ArrayList<>();
    Map<Malformed, Long> skipped = new EnumMap<>(Malformed.class);
    long lines = 0;
    // InputStreamReader replaces bytes that are not UTF-8: such a line is then counted as malformed, not fatal.
    try (BufferedReader in = new BufferedReader(new InputStreamReader(Files.newInputStream(file), StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        lines++;
        if (line.isBlank()) {
          continue;
        }
        Parsed p = read(line, host);
        if (p.event() != null) {
          events.add(p.event());
        } else {
          skipped.merge(p.problem(), 1L, Long::sum);
        }
      }
    }
    return new Recording(events, skipped, lines);
  }

  /**
   * The members of one flat JSON object whose values are strings or null (null values are left out), or null
   * when the text is anything else.
   */
  static Map<String, String> flatObject(String text) {
    Cursor c = new Cursor(text);
    Map<String, String> out = new HashMap<>();
    c.blank();
    if (!c.take('{')) {
      return null;
    }
    c.blank();
    if (!c.take('}')) {
      while (true) {
        c.blank();
        String key = c.string();
        c.blank();
        if (key == null || !c.take(':')) {
          return null;
        }
        c.blank();
        String value;
        if (c.word("null")) {
          value = null;
        } else {
          value = c.string();
          if (value == null) {
            return null;
          }
        }
        if (value != null) {
          out.put(key, value);
        }
        c.blank();
        if (c.take('}')) {
          break;
        }
        if (!c.take(',')) {
          return null;
        }
      }
    }
    c.blank();
    return c.atEnd() ? out : null;
  }

  private static final class Cursor {
    private final String s;
    private int i;

    Cursor(String s) {
      this.s = s;
    }

    void blank() {
      while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\t' || s.charAt(i) == '\r')) {
        i++;
      }
    }

    boolean take(char ch) {
      if (i < s.length() && s.charAt(i) == ch) {
        i++;
        return true;
      }
      return false;
    }

    boolean word(String w) {
      if (s.startsWith(w, i)) {
        i += w.length();
        return true;
      }
      return false;
    }

    boolean atEnd() {
      return i == s.length();
    }

    /** A JSON string at the cursor, or null when there is none or it is broken. */
    String string() {
      if (!take('"')) {
        return null;
      }
      StringBuilder out = new StringBuilder();
      while (i < s.length()) {
        char ch = s.charAt(i++);
        if (ch == '"') {
          return out.toString();
        }
        if (ch < 0x20) {
          return null;
        }
        if (ch != '\\') {
          out.append(ch);
          continue;
        }
        if (i >= s.length()) {
          return null;
        }
        char esc = s.charAt(i++);
        switch (esc) {
          case '"', '\\', '/' -> out.append(esc);
          case 'b' -> out.append('\b');
          case 'f' -> out.append('\f');
          case 'n' -> out.append('\n');
          case 'r' -> out.append('\r');
          case 't' -> out.append('\t');
          case 'u' -> {
            if (i + 4 > s.length()) {
              return null;
            }
            try {
              out.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
            } catch (NumberFormatException e) {
              return null;
            }
            i += 4;
          }
          default -> {
            return null;
          }
        }
      }
      return null;
    }
  }
}
