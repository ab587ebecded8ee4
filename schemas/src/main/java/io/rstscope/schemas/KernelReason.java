package io.rstscope.schemas;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Linux's {@code enum sk_rst_reason} (include/net/rstreason.h, kernel 6.10 and later): why the TCP stack sent a RST,
 * as the tracepoint {@code tcp:tcp_send_reset} prints it. Records keep the reason as text, so a reason a newer kernel
 * adds is carried through, not refused; this enum is what rstscope knows how to interpret.
 */
public enum KernelReason {
  /** The caller gave no reason. */
  NOT_SPECIFIED(0),
  /** No socket owns the segment: a closed port, or a connection the host no longer has. */
  NO_SOCKET(1),
  /** The ACK of a segment in SYN_SENT does not acknowledge the SYN. */
  TCP_INVALID_ACK_SEQUENCE(2),
  /** PAWS (RFC 7323) rejected the segment's timestamp. */
  TCP_RFC7323_PAWS(3),
  /** The segment acknowledges data older than the window. */
  TCP_TOO_OLD_ACK(4),
  /** The segment acknowledges data never sent. */
  TCP_ACK_UNSENT_DATA(5),
  /** The flags make no sense for the socket's state (e.g. an ACK to a listener). */
  TCP_FLAGS(6),
  /** An ACK too old for a request socket. */
  TCP_OLD_ACK(7),
  /** Data arrived after the application shut down reading or closed. */
  TCP_ABORT_ON_DATA(8),
  /** A segment for a socket in TIME_WAIT that it must refuse. */
  TCP_TIMEWAIT_SOCKET(9),
  /** A SYN, or the handshake's last ACK, the listener refused (accept queue full with tcp_abort_on_overflow). */
  INVALID_SYN(10),
  /** close() with unread data in the receive buffer. */
  TCP_ABORT_ON_CLOSE(11),
  /** Closed with SO_LINGER and a zero timeout. */
  TCP_ABORT_ON_LINGER(12),
  /** Aborted for lack of memory or too many orphans. */
  TCP_ABORT_ON_MEMORY(13),
  /** Aborted from the socket's state: disconnect, SO_LINGER 0 on this kernel. */
  TCP_STATE(14),
  /** Keepalive probes went unanswered. */
  TCP_KEEPALIVE_TIMEOUT(15),
  /** disconnect() with data still to send or receive. */
  TCP_DISCONNECT_WITH_DATA(16),
  /** MPTCP: unspecified error. */
  MPTCP_RST_EUNSPEC(17),
  /** MPTCP-specific protocol error. */
  MPTCP_RST_EMPTCP(18),
  /** MPTCP: lack of resources. */
  MPTCP_RST_ERESOURCE(19),
  /** MPTCP: administratively prohibited. */
  MPTCP_RST_EPROHIBIT(20),
  /** MPTCP: too much outstanding data. */
  MPTCP_RST_EWQ2BIG(21),
  /** MPTCP: unacceptable performance. */
  MPTCP_RST_EBADPERF(22),
  /** MPTCP: a middlebox interfered. */
  MPTCP_RST_EMIDDLEBOX(23),
  /** An error the kernel did not classify. */
  ERROR(24);

  private static final Map<String, KernelReason> BY_NAME = new HashMap<>();

  static {
    for (KernelReason r : values()) {
      BY_NAME.put(r.name(), r);
    }
  }

  /** The value in the kernel's enum. */
  public final int code;

  KernelReason(int code) {
    this.code = code;
  }

  /** The reason a kernel printed, when this version knows it. */
  public static Optional<KernelReason> named(String name) {
    return Optional.ofNullable(name == null ? null : BY_NAME.get(name));
  }
}
