package io.rstscope.processor.verdict;

import java.util.List;

/**
 * What the endpoints' own kernels said about one RST's flow (kernel probes or their recordings), in client/server
 * terms, and whether each endpoint was probed at the RST's time. Built by the topology from the flow's state and
 * the probes' heartbeats; by hand in tests. Empty without probes: verdicts are then exactly the packets'.
 *
 * @param reports         every reset the two endpoints' kernels reported for this flow, listening sockets' included
 * @param client          whether the client's kernel was probed when the RST was sent
 * @param server          the same for the server
 * @param toleranceMicros how far apart a kernel's time and the RST's sighting may be and still match: the
 *                        correlation window plus the clock-skew allowance (hosts and points keep their own clocks)
 */
public record KernelView(List<Report> reports, Probe client, Probe server, long toleranceMicros) {

  public KernelView {
    reports = List.copyOf(reports);
  }

  /** No probe anywhere. */
  public static KernelView none() {
    return new KernelView(List.of(), Probe.NONE, Probe.NONE, 0);
  }

  public boolean isEmpty() {
    return reports.isEmpty() && client == Probe.NONE && server == Probe.NONE;
  }

  public Probe probe(boolean client) {
    return client ? this.client : this.server;
  }

  /** Whether a host's kernel was watched at the RST's time. */
  public enum Probe {
    /** No probe or recording covers this host at that time: its silence means nothing. */
    NONE,
    /** A probe covered the host and lost nothing: a RST it did not report was not sent by this host's stack. */
    COMPLETE,
    /** A probe covered the host but the kernel overwrote events before they were read: silence is not proof. */
    LOSSY
  }

  /**
   * One reset a kernel reported.
   *
   * @param tsMicros    the host's wall clock
   * @param sent        tcp_send_reset (the host sent the RST); false for tcp_receive_reset (the host accepted one)
   * @param hostIsClient the reporting host is the client
   * @param listener    a listening socket's reset without a named peer, matched to this flow by port
   * @param host        the probed host's name
   * @param reason      sk_rst_reason name, null when none
   * @param state       socket state name
   */
  public record Report(long tsMicros, boolean sent, boolean hostIsClient, boolean listener, String host,
      String reason, String state) {
    /** The RST this report is about went from the client. */
    public boolean rstFromClient() {
      return sent == hostIsClient;
    }

    public String event() {
      return sent ? "tcp_send_reset" : "tcp_receive_reset";
    }
  }
}
