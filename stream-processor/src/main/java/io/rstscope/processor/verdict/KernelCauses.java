package io.rstscope.processor.verdict;

import io.rstscope.avro.Cause;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The kernel's reason (and socket state) for a RST it sent, mapped onto the causes, as observed on this project's
 * lab kernel (docs/kernel-reasons.md has the same table for users). Rows are tried in order; the first that
 * matches decides. A row without a cause keeps the cause the packets gave, the kernel's word then being evidence.
 */
final class KernelCauses {
  private KernelCauses() {}

  /** What the RST answered: the last segment the other side sent before it. */
  enum Answered {
    /** A SYN without ACK. */
    SYN,
    /** A SYN/ACK. */
    SYN_ACK,
    /** Anything else, or nothing seen. */
    OTHER
  }

  /**
   * @param reason      the kernel's sk_rst_reason name (may be null or one this version does not know)
   * @param state       the socket state name
   * @param fromClient  the client's kernel sent the RST
   * @param answered    what the RST answered
   * @param packetCause the cause the packets alone gave
   */
  record Situation(String reason, String state, boolean fromClient, Answered answered, Cause packetCause) {}

  /** One named rule: when it applies and the cause it gives (null: the packets' cause). */
  record Row(String name, Set<String> reasons, Predicate<Situation> when, Cause cause, String meaning) {
    boolean matches(Situation s) {
      return s.reason() != null && reasons.contains(s.reason()) && when.test(s);
    }
  }

  private static final Set<String> ABORTS =
      Set.of("TCP_ABORT_ON_CLOSE", "TCP_STATE", "TCP_ABORT_ON_LINGER", "TCP_ABORT_ON_MEMORY");

  static final List<Row> ROWS = List.of(
      new Row("packets_tell_more", Set.of("NO_SOCKET"), s -> s.packetCause() == Cause.malformed_syn
          || s.packetCause() == Cause.time_wait_collision, null,
          "no socket for the segment; the packets say why there was none (illegal SYN flags, a reused 4-tuple)"),
      new Row("closed_port", Set.of("NO_SOCKET"), s -> s.answered() == Answered.SYN, Cause.port_closed,
          "no socket for a SYN: nothing listens on the port"),
      new Row("scan_synack", Set.of("NO_SOCKET"), s -> s.fromClient() && s.answered() == Answered.SYN_ACK,
          Cause.syn_scan, "the client's kernel has no socket for a SYN/ACK: the SYN was crafted outside it (a SYN scan)"),
      new Row("no_socket", Set.of("NO_SOCKET"), s -> true, Cause.no_socket,
          "no socket for the segment: the host no longer has this connection"),
      new Row("listener_flags", Set.of("TCP_FLAGS"), s -> "TCP_LISTEN".equals(s.state()), Cause.no_socket,
          "a listening socket got a segment of a connection it does not have"),
      new Row("keepalive", Set.of("TCP_KEEPALIVE_TIMEOUT"), s -> true, Cause.idle_timeout,
          "keepalive probes went unanswered: the peer went silent"),
      new Row("app_timeout", ABORTS, s -> s.packetCause() == Cause.idle_timeout, Cause.idle_timeout,
          "the application aborted after a silence: its own idle timeout"),
      new Row("connect_scan", ABORTS, s -> s.fromClient() && s.packetCause() == Cause.connect_scan, Cause.connect_scan,
          "the client aborted right after the handshake, without data: a connect scan"),
      new Row("abort", ABORTS, s -> true, Cause.abort,
          "the application aborted: close with unread data, SO_LINGER 0, or out of memory"),
      new Row("data_after_close", Set.of("TCP_ABORT_ON_DATA", "TCP_TIMEWAIT_SOCKET"), s -> true,
          Cause.data_after_close, "data arrived after the application closed or shut down reading"),
      new Row("backlog_overflow", Set.of("INVALID_SYN"), s -> true, Cause.backlog_overflow,
          "the listener refused the handshake's last ACK: its accept queue was full"));

  /** The rule for a situation, or null when none applies (the packets' cause stands). */
  static Row match(Situation s) {
    for (Row row : ROWS) {
      if (row.matches(s)) {
        return row;
      }
    }
    return null;
  }
}
