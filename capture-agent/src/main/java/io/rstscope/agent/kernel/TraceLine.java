package io.rstscope.agent.kernel;

import io.rstscope.avro.Endpoint;
import io.rstscope.avro.KernelEvent;
import io.rstscope.schemas.Endpoints;
import io.rstscope.schemas.KernelTcpState;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One line of a tracefs {@code trace_pipe} with the two TCP reset tracepoints enabled, as this kernel prints them:
 *
 * <pre>
 *  python3-11573 [000] ..s1.   476.513699: tcp_send_reset: skbaddr=... skaddr=... src=127.0.0.1:9 dest=127.0.0.1:35814 state=UNKNOWN reason=NO_SOCKET
 *  python3-11573 [000] .....   476.513724: tcp_receive_reset: family=AF_INET sport=35814 dport=9 saddr=127.0.0.1 daddr=127.0.0.1 saddrv6=::ffff:127.0.0.1 daddrv6=::ffff:127.0.0.1 sock_cookie=1
 * </pre>
 *
 * The timestamp is the instance's trace clock in seconds with microseconds. tcp_send_reset prints the RST's own
 * direction ({@code src} sent it); tcp_receive_reset prints the socket's ({@code saddr} is the local end), so its
 * ends are swapped here to give the RST's direction too. A line that is not one of these is a named outcome, never
 * an exception.
 */
final class TraceLine {
  /** The task name may hold spaces and dashes: the line is found by its timestamp and event name. */
  private static final Pattern HEAD = Pattern.compile("\\s(\\d+)\\.(\\d{1,9}): (\\w+): ");
  private static final Pattern BLANKS = Pattern.compile("\\s+");
  private static final Pattern LOST = Pattern.compile("CPU:\\s*\\d+ \\[LOST (\\d+) EVENTS\\]");

  private TraceLine() {}

  /** What a line held. */
  enum Kind {
    /** A tcp_send_reset or tcp_receive_reset event. */
    EVENT,
    /** The kernel's note that its buffer overflowed: {@link Parsed#lost} events are gone. */
    LOST,
    /** A line this probe wrote itself through trace_marker (to wake its reader). */
    MARKER,
    /** Anything else: counted as unreadable. */
    UNREADABLE
  }

  /**
   * @param traceMicros the trace clock, microseconds
   * @param state       the socket state text (UNKNOWN for tcp_receive_reset)
   * @param reason      the sk_rst_reason text; null when the kernel prints none
   * @param problem     for UNREADABLE, a short label of what was wrong
   */
  record Parsed(Kind kind, KernelEvent event, long traceMicros, Endpoint src, Endpoint dst, String state,
      String reason, long lost, String problem) {
    static Parsed unreadable(String problem) {
      return new Parsed(Kind.UNREADABLE, null, 0, null, null, null, null, 0, problem);
    }
  }

  static Parsed parse(String line) {
    Matcher head = HEAD.matcher(line);
    if (!head.find()) {
      Matcher lost = LOST.matcher(line);
      if (lost.find()) {
        return new Parsed(Kind.LOST, null, 0, null, null, null, null, Long.parseLong(lost.group(1)), null);
      }
      return Parsed.unreadable("no_trace_header");
    }
    long micros = Long.parseLong(head.group(1)) * 1_000_000L + fractionMicros(head.group(2));
    String name = head.group(3);
    Map<String, String> f = fields(line.substring(head.end()));
    try {
      switch (name) {
        case "tcp_send_reset": {
          String src = f.get("src");
          String dst = f.get("dest");
          if (src == null || dst == null) {
            return Parsed.unreadable("send_reset_without_endpoints");
          }
          String state = f.getOrDefault("state", KernelTcpState.UNKNOWN.name());
          return new Parsed(Kind.EVENT, KernelEvent.SEND_RESET, micros, Endpoints.parseEndpoint(src),
              Endpoints.parseEndpoint(dst), state, f.get("reason"), 0, null);
        }
        case "tcp_receive_reset": {
          boolean v6 = "AF_INET6".equals(f.get("family"));
          String local = f.get(v6 ? "saddrv6" : "saddr");
          String peer = f.get(v6 ? "daddrv6" : "daddr");
          String sport = f.get("sport");
          String dport = f.get("dport");
          if (local == null || peer == null || sport == null || dport == null) {
            return Parsed.unreadable("receive_reset_without_endpoints");
          }
          // The RST came from the peer (the socket's daddr/dport) to this socket (saddr/sport).
          return new Parsed(Kind.EVENT, KernelEvent.RECEIVE_RESET, micros, endpoint(peer, dport),
              endpoint(local, sport), KernelTcpState.UNKNOWN.name(), null, 0, null);
        }
        case "tracing_mark_write":
        case "print":
          return new Parsed(Kind.MARKER, null, micros, null, null, null, null, 0, null);
        default:
          return Parsed.unreadable("other_event");
      }
    } catch (IllegalArgumentException e) {
      return Parsed.unreadable("bad_endpoint");
    }
  }

  private static Endpoint endpoint(String address, String port) {
    int p = Integer.parseInt(port);
    if (p < 0 || p > 65535) {
      throw new IllegalArgumentException("bad port " + port);
    }
    return new Endpoint(ByteBuffer.wrap(Endpoints.parseAddress(address)), p);
  }

  private static long fractionMicros(String digits) {
    String six = digits.length() >= 6 ? digits.substring(0, 6) : (digits + "000000").substring(0, 6);
    return Long.parseLong(six);
  }

  /** The key=value words after the event name; values hold no spaces in these two formats. */
  private static Map<String, String> fields(String rest) {
    Map<String, String> out = new HashMap<>();
    for (String word : BLANKS.split(rest.trim())) {
      int eq = word.indexOf('=');
      if (eq > 0) {
        out.put(word.substring(0, eq), word.substring(eq + 1));
      }
    }
    return out;
  }
}
