package io.rstscope.schemas;

import io.rstscope.avro.Endpoint;
import io.rstscope.avro.KernelEvent;
import io.rstscope.avro.KernelReset;

/** Facts about a {@link KernelReset} that the probe, analyze and the topology all need. */
public final class KernelEvents {
  private KernelEvents() {}

  /** The end that belongs to the host whose kernel reported it: the sender of a sent RST, the receiver of an accepted one. */
  public static Endpoint hostSide(KernelReset e) {
    return e.getEvent() == KernelEvent.SEND_RESET ? e.getSrc() : e.getDst();
  }

  /** The other end: the peer of the host. */
  public static Endpoint peerSide(KernelReset e) {
    return e.getEvent() == KernelEvent.SEND_RESET ? e.getDst() : e.getSrc();
  }

  /**
   * True when the kernel did not name the peer (a listening socket's reset: wildcard address, port 0). Its flow is
   * unknown: it is sent to every partition and matched by the host's port.
   */
  public static boolean peerUnnamed(KernelReset e) {
    Endpoint peer = peerSide(e);
    return peer.getPort() == 0 && Endpoints.isWildcard(peer.getAddress());
  }
}
