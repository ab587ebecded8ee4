package io.rstscope.processor.verdict;

import io.rstscope.avro.Cause;
import io.rstscope.schemas.Location;
import java.util.Locale;

/** What to do about a RST, in the words an on-call network engineer needs; one per cause. */
final class Recommendations {
  private Recommendations() {}

  static String of(Cause cause, Facts f, Location at) {
    RstCase c = f.rstCase();
    String location = at.text();
    String hint = f.hint() == null ? null : f.hint().hintText();
    String clientHost = host(c.client());
    String serverPort = port(c.server());
    return switch (cause) {
      case port_closed -> "Check the service on " + c.server() + ": nothing accepted the connection on port "
          + serverPort + " (is it running and listening, is a host firewall rejecting?).";
      case backlog_overflow -> "The listener on " + c.server() + " resets completed handshakes: its accept queue is "
          + "full (tcp_abort_on_overflow=1). Raise the backlog (listen(), net.core.somaxconn) or make the "
          + "application accept faster.";
      case time_wait_collision -> c.client() + " reused a 4-tuple still in TIME_WAIT on the server: widen the "
          + "client's ephemeral port range, stop binding a fixed source port, or enable TCP timestamps/tw_reuse.";
      case malformed_syn -> "The SYN from " + c.client() + " carried flags a SYN may not carry: find what crafts "
          + "such packets (scanner, broken stack) and drop them at the edge.";
      case firewall_reject -> "A firewall at " + location + " rejects connections to " + c.server()
          + " with resets in " + (f.fromClient() ? "the client's" : "the server's") + " name: check its rule for "
          + "this flow (allow it or stop expecting it).";
      case syn_scan -> "Block " + clientHost + ": it is SYN-scanning (half-open probe of " + c.server()
          + "); look at its other traffic.";
      case connect_scan -> "Block " + clientHost + ": it is connect-scanning (" + c.server()
          + " accepted, then the client reset at once); look at its other traffic.";
      case abort -> "The " + (f.fromClient() ? "client " + c.client() : "server " + c.server())
          + " aborted the connection: check that application's logs at that time (crash, exit with queued "
          + "connections, SO_LINGER 0 close, close with unread data).";
      case idle_timeout -> "The flow was silent " + String.format(Locale.ROOT, "%.1f", f.silenceMicros() / 1e6)
          + " s before the reset at " + location + (f.keepaliveProbes() > 0 ? " (keepalive probes unanswered: the "
          + "peer or the path to it went away)" : "") + ": make keepalives shorter than the smallest idle timeout "
          + "on the path, or raise that timeout.";
      case bypass_block -> "An out-of-band device at " + location + " injects resets (it raced the server's "
          + "answer): inspect the device " + where(at) + " and its policy for " + c.server() + ".";
      case tls_block -> "A device at " + location + " blocks TLS" + (hint == null ? "" : " to " + hint)
          + " by injecting resets: inspect the device " + where(at) + " and its SNI policy.";
      case content_block -> "A device at " + location + " blocks this content" + (hint == null ? "" : " (" + hint + ")")
          + " by injecting resets: inspect the device " + where(at) + " and its content policy.";
      case accelerated_close -> "A " + (at instanceof Location.Segment ? "device " + where(at) : location)
          + " resets sessions right after FIN to skip TIME_WAIT: harmless for this flow; check its "
          + "reset-on-close setting if clients report errors.";
      case data_after_close -> "The " + (f.fromClient() ? "client " + c.client() : "server " + c.server())
          + " closed (or stopped reading) while its peer still had data to send: make the application protocol "
          + "finish the exchange before closing, or have the peer stop sending.";
      case state_lost -> "A stateful device " + where(at) + " lost this flow's entry (idle expiry or a flush) "
          + "and reset it: raise its idle timeout above the application's silences, or send keepalives more often.";
      case no_socket -> "Collateral: the host no longer had this connection and answered a segment with a reset; "
          + "look at the earlier reset of this flow.";
      case unknown -> "Not enough evidence: capture at more points along the path of " + c.client() + " -> "
          + c.server() + ".";
    };
  }

  private static String where(Location at) {
    return at instanceof Location.Segment s ? s.between() : "at " + at.text();
  }

  static String host(String endpoint) {
    int colon = endpoint.lastIndexOf(':');
    String h = colon < 0 ? endpoint : endpoint.substring(0, colon);
    return h.startsWith("[") ? h.substring(1, h.length() - 1) : h;
  }

  static String port(String endpoint) {
    int colon = endpoint.lastIndexOf(':');
    return colon < 0 ? "?" : endpoint.substring(colon + 1);
  }
}
