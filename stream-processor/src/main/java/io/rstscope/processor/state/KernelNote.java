package io.rstscope.processor.state;

/**
 * A reset an endpoint's kernel reported for a flow (a KernelReset), as kept in the flow's state. Direction is
 * relative to the flow key like a {@link Segment}'s. A listening socket's reset without a named peer is kept
 * under the wildcard key of its port ({@code 0.0.0.0:0-0.0.0.0:PORT} or its IPv6 form) and matched by port.
 */
public final class KernelNote {
  /** The probed host (probe --host, or the recording's name). */
  public String host;
  /** tcp_send_reset (the host sent the RST); false for tcp_receive_reset (the host accepted it). */
  public boolean sent;
  /** When the kernel logged it, the host's wall clock, microseconds since the epoch. */
  public long tsMicros;
  /** The RST went from the key's low endpoint to its high one. */
  public boolean fromLow;
  /** The host's own port: what a wildcard (listening socket) note is matched by. */
  public int hostPort;
  /** The kernel did not name the peer (wildcard address, port 0). */
  public boolean peerUnnamed;
  /** Socket state as the kernel names it (TCP_ESTABLISHED, ..., UNKNOWN). */
  public String state;
  /** sk_rst_reason name; null for an accepted RST or a kernel without reasons. */
  public String reason;
}
