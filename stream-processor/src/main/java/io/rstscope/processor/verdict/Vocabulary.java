package io.rstscope.processor.verdict;

import io.rstscope.avro.Cause;
import io.rstscope.avro.Phase;

/** What each cause implies beyond itself. */
public final class Vocabulary {
  private Vocabulary() {}

  /**
   * The phase a cause belongs to (the field guide files every cause under one), or null when the phase comes
   * from what the connection did before the RST (a collateral reset, an unknown cause).
   */
  public static Phase phaseOf(Cause cause) {
    return switch (cause) {
      case port_closed, backlog_overflow, time_wait_collision, malformed_syn, firewall_reject, syn_scan,
          connect_scan, bypass_block -> Phase.handshake;
      case abort, idle_timeout, tls_block, content_block, data_after_close, state_lost -> Phase.data;
      case accelerated_close -> Phase.teardown;
      case no_socket, unknown -> null;
    };
  }
}
