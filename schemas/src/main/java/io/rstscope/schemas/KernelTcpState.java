package io.rstscope.schemas;

import java.util.Optional;

/**
 * The socket states {@code tcp:tcp_send_reset} prints (the kernel's own names). {@link #UNKNOWN} is what it prints
 * when no socket was involved (state 0), and what a recording says for {@code tcp_receive_reset}, which carries no
 * state. Records keep the state as text.
 */
public enum KernelTcpState {
  /** No socket, or the event does not carry a state. */
  UNKNOWN,
  /** An open connection. */
  TCP_ESTABLISHED,
  /** The host sent a SYN and waits for the answer. */
  TCP_SYN_SENT,
  /** The host answered a SYN. */
  TCP_SYN_RECV,
  /** The host closed first and sent its FIN. */
  TCP_FIN_WAIT1,
  /** The host's FIN was acknowledged; the peer has not closed yet. */
  TCP_FIN_WAIT2,
  /** Both closed; the host keeps the 4-tuple for 2 MSL. */
  TCP_TIME_WAIT,
  /** The socket is closed (also the state while an abort sends its RST). */
  TCP_CLOSE,
  /** The peer closed; the host has not. */
  TCP_CLOSE_WAIT,
  /** The host closed after the peer and waits for the last ACK. */
  TCP_LAST_ACK,
  /** A listening socket. */
  TCP_LISTEN,
  /** Both sent FIN at the same time. */
  TCP_CLOSING,
  /** A request socket: SYN received, handshake not complete. */
  TCP_NEW_SYN_RECV;

  /** The state a kernel printed, when this version knows it. */
  public static Optional<KernelTcpState> named(String name) {
    for (KernelTcpState s : values()) {
      if (s.name().equals(name)) {
        return Optional.of(s);
      }
    }
    return Optional.empty();
  }
}
