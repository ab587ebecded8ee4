package io.rstscope.processor.zeek;

/** What one side of a TCP connection has done so far, in the states Zeek's TCP analyser keeps per endpoint. */
public enum EndpointState {
  /** Nothing seen from this side yet. */
  INACTIVE,
  /** Sent a SYN, no SYN-ACK from it. */
  SYN_SENT,
  /** Sent a SYN-ACK without having been sent a SYN (or as the originator: a SYN-ACK first). */
  SYN_ACK_SENT,
  /** Sent data or ACKs without any SYN seen: picked up mid-stream. */
  PARTIAL,
  /** Took part in a complete handshake (or acknowledged its peer's SYN-ACK). */
  ESTABLISHED,
  /** Sent a FIN. */
  CLOSED,
  /** Sent a RST. */
  RESET;

  /** Zeek's "inactive" for conn_state: never really opened from this side. */
  boolean inactive() {
    return this == INACTIVE || this == PARTIAL;
  }
}
