package io.rstscope.processor.zeek;

import io.rstscope.schemas.TcpFlags;
import java.util.Set;

/**
 * One TCP connection as Zeek would track it: the state of each endpoint and the {@code history}
 * string, updated packet by packet in capture order. It follows Zeek's TCP analyser (endpoint state
 * transitions, history letters, the originator flip) as far as what one observation point's
 * packets tell; {@link ZeekFlows} cuts a flow's packets into connections and feeds them here.
 *
 * <p>History letters, upper case from the originator, lower case from the responder: S SYN, H SYN-ACK,
 * A pure ACK, D payload, F FIN, R RST, I FIN+RST, Q SYN with FIN or RST (all once per direction; S, H, F
 * and R again when their sequence number changes), T retransmitted payload and W zero window (at the
 * 1st, 10th, 100th ... occurrence), ^ roles flipped.
 */
public final class ZeekConnection {
  /**
   * Ports that make Zeek take the sender of a connection's first packet for the responder when that
   * packet is no SYN: the ports Zeek's default protocol analysers register as likely server ports.
   */
  static final Set<Integer> LIKELY_SERVER_PORTS = Set.of(
      21, 22, 23, 25, 53, 80, 81, 88, 110, 111, 135, 137, 139, 143, 179, 389, 443, 445, 465, 502, 513, 514,
      563, 585, 587, 614, 631, 636, 750, 853, 989, 990, 992, 993, 995, 1080, 1433, 1723, 1883, 2049, 2811,
      3128, 3268, 3306, 3389, 5060, 5222, 5223, 5269, 5432, 5900, 6379, 6666, 6667, 6668, 6669, 8000,
      8080, 8888, 9200);

  /** Zeek's tcp_attempt_delay: an unanswered SYN's connection ends this long after it. */
  static final long ATTEMPT_MICROS = 5_000_000L;
  /** Zeek's tcp_close_delay / tcp_connection_linger: a closed or reset connection is gone after this idle time. */
  static final long CLOSE_MICROS = 5_000_000L;
  /** Zeek's tcp_inactivity_timeout. */
  static final long INACTIVITY_MICROS = 300_000_000L;
  /** Zeek ignores SYN and RST sequence numbers that jump further than this. */
  private static final long TOO_LARGE_SEQ_DELTA = 1_048_576L;

  private static final int HIST_SYN = 1;
  private static final int HIST_FIN = 2;
  private static final int HIST_RST = 4;
  private static final int HIST_FIN_RST = 8;
  private static final int HIST_DATA = 16;
  private static final int HIST_ACK = 32;
  private static final int HIST_MULTI_FLAG = 64;

  /** One side of the connection. */
  static final class Endpoint {
    EndpointState state = EndpointState.INACTIVE;
    EndpointState previous = EndpointState.INACTIVE;
    boolean isOrig;
    boolean didClose;
    boolean seqKnown;
    long startSeq;
    long lastSeq;
    long lastSyn = -1;
    long lastFin = -1;
    long lastRst = -1;
    int historySeen;
    long packets;
    long payloadBytes;
    long retransmits;
    long nextRetransmitMark = 1;
    long zeroWindows;
    long nextZeroWindowMark = 1;

    void set(EndpointState s) {
      previous = state;
      state = s;
    }

    void initSeq(long start, long last) {
      startSeq = start & 0xffffffffL;
      lastSeq = last & 0xffffffffL;
      seqKnown = true;
    }
  }

  /** True when the originator is the flow key's low endpoint. */
  private boolean origIsLow;
  private Endpoint orig = new Endpoint();
  private Endpoint resp = new Endpoint();
  private final StringBuilder history = new StringBuilder();
  private final long startMicros;
  private long lastMicros;
  private long attemptDeadline = Long.MAX_VALUE;

  /** A connection whose first packet is {@code first}; decides the originator as Zeek does. */
  ZeekConnection(ZeekPacket first) {
    this.startMicros = first.tsMicros();
    this.lastMicros = first.tsMicros();
    boolean syn = TcpFlags.has(first.flags(), TcpFlags.SYN);
    boolean ack = TcpFlags.has(first.flags(), TcpFlags.ACK);
    boolean flip;
    if (syn && ack) {
      // A SYN-ACK first: its sender is the responder (Zeek's baseline core.tcp.flip-without-syn).
      flip = true;
    } else if (syn || !LIKELY_SERVER_PORTS.contains(first.srcPort())) {
      flip = false;
    } else {
      // Mid-stream: the side on a likely server port is the responder; with both, the lower port.
      flip = !LIKELY_SERVER_PORTS.contains(first.dstPort()) || first.srcPort() < first.dstPort();
    }
    origIsLow = first.fromLow() != flip;
    orig.isOrig = true;
    if (flip) {
      history.append('^');
    }
  }

  public boolean origIsLow() {
    return origIsLow;
  }

  public long startMicros() {
    return startMicros;
  }

  public long lastMicros() {
    return lastMicros;
  }

  public String history() {
    return history.toString();
  }

  public EndpointState origState() {
    return orig.state;
  }

  public EndpointState respState() {
    return resp.state;
  }

  public long packets(boolean ofOrig) {
    return (ofOrig ? orig : resp).packets;
  }

  public long payloadBytes(boolean ofOrig) {
    return (ofOrig ? orig : resp).payloadBytes;
  }

  public ConnState connState() {
    return ConnState.of(new ConnState.Ends(orig.state, resp.state, orig.payloadBytes, resp.payloadBytes, history()));
  }

  /** True when Zeek would have removed this connection before a packet at {@code tsMicros} arrives. */
  boolean over(long tsMicros) {
    if (tsMicros > attemptDeadline && (orig.state == EndpointState.SYN_SENT || orig.state == EndpointState.SYN_ACK_SENT)
        && resp.state == EndpointState.INACTIVE) {
      return true;
    }
    boolean closeDone = (orig.didClose || resp.didClose) && (orig.didClose && resp.didClose
        || orig.state == EndpointState.RESET || resp.state == EndpointState.RESET
        || orig.state == EndpointState.INACTIVE || resp.state == EndpointState.INACTIVE);
    if (closeDone && tsMicros - lastMicros > CLOSE_MICROS) {
      return true;
    }
    return tsMicros - lastMicros > INACTIVITY_MICROS;
  }

  /** True when this SYN starts a new connection on the same tuple (Zeek's connection reuse). */
  boolean reusedBy(ZeekPacket p) {
    if (!TcpFlags.has(p.flags(), TcpFlags.SYN)) {
      return false;
    }
    Endpoint opener = orig;
    if (TcpFlags.has(p.flags(), TcpFlags.ACK)) {
      if (orig.state != EndpointState.INACTIVE) {
        return false;
      }
      opener = resp;
    }
    if (orig.didClose || resp.didClose) {
      return true;
    }
    long seq = p.seq() & 0xffffffffL;
    if (!opener.seqKnown || seq == opener.startSeq) {
      return false;
    }
    // A SYN with the sequence number of a SYN-ACK seen first: the two were captured out of order, not a reuse.
    return TcpFlags.has(p.flags(), TcpFlags.ACK) || opener.state != EndpointState.SYN_ACK_SENT
        || resp.state != EndpointState.INACTIVE || !resp.seqKnown || seq != resp.startSeq;
  }

  /** One packet (or one synthetic packet standing for a run the agent summarised) of this connection. */
  void accept(ZeekPacket p) {
    boolean isOrig = p.fromLow() == origIsLow;
    Endpoint ep = isOrig ? orig : resp;
    Endpoint peer = isOrig ? resp : orig;
    int flags = p.flags();
    boolean syn = TcpFlags.has(flags, TcpFlags.SYN);
    boolean fin = TcpFlags.has(flags, TcpFlags.FIN);
    boolean rst = TcpFlags.has(flags, TcpFlags.RST);
    boolean ack = TcpFlags.has(flags, TcpFlags.ACK);
    int len = p.payloadLength();
    long seq = p.seq() & 0xffffffffL;
    int segLen = len + (syn ? 1 : 0) + (fin ? 1 : 0) - (rst ? len : 0);
    long seqEnd = (seq + segLen) & 0xffffffffL;
    lastMicros = Math.max(lastMicros, p.tsMicros());
    ep.packets += p.packets();
    if (!rst) {
      ep.payloadBytes += p.payloadBytes();
    }

    initEndpoint(ep, syn, seq, seqEnd);
    long relSeq = (seq - ep.startSeq) & 0xffffffffL;
    updateHistory(ep, syn, fin, rst, ack, len, relSeq);
    if (p.window() == 0 && !rst && !syn && peer.state != EndpointState.CLOSED && ep.state != EndpointState.RESET
        && p.windowKnown()) {
      ep.zeroWindows++;
      if (ep.zeroWindows == ep.nextZeroWindowMark) {
        ep.nextZeroWindowMark *= 10;
        add(ep, 'W');
      }
    }
    if (ack && peer.state == EndpointState.INACTIVE && !peer.seqKnown) {
      peer.initSeq(p.ack() - 1, p.ack() - 1);
    }
    long deltaLast = updateLastSeq(ep, seqEnd, syn, fin, rst, len, p.mayBeRetransmit());
    updateStateMachine(ep, peer, isOrig, flags, len, seq, p.ack(), p.tsMicros(), deltaLast);
  }

  private static void initEndpoint(Endpoint ep, boolean syn, long seq, long seqEnd) {
    switch (ep.state) {
      case INACTIVE -> {
        if (syn) {
          ep.initSeq(seq, seqEnd);
        } else if (!ep.seqKnown) {
          ep.initSeq(seq - 1, seq);
        }
      }
      case SYN_SENT, SYN_ACK_SENT -> {
        if (syn && seq != ep.startSeq) {
          ep.initSeq(seq, seqEnd);
        }
      }
      case ESTABLISHED, PARTIAL -> {
        if (syn) {
          ep.initSeq(seq, seqEnd);
        }
      }
      case RESET -> {
        if (syn && ep.previous == EndpointState.INACTIVE) {
          ep.initSeq(seq, seqEnd);
        }
      }
      default -> { }
    }
  }

  private void updateHistory(Endpoint ep, boolean syn, boolean fin, boolean rst, boolean ack, int len, long relSeq) {
    int controls = (syn ? 1 : 0) + (fin ? 1 : 0) + (rst ? 1 : 0);
    if (controls > 1) {
      if (fin && rst) {
        once(ep, HIST_FIN_RST, 'I');
      } else {
        once(ep, HIST_MULTI_FLAG, 'Q');
      }
    } else if (controls == 1) {
      if (syn) {
        char code = ack ? 'H' : 'S';
        if (!once(ep, HIST_SYN, code) && relSeq != ep.lastSyn) {
          add(ep, code);
        }
        ep.lastSyn = relSeq;
      }
      if (fin) {
        long finSeq = (relSeq + len) & 0xffffffffL;
        if (!once(ep, HIST_FIN, 'F') && finSeq != ep.lastFin) {
          add(ep, 'F');
        }
        ep.lastFin = finSeq;
      }
      if (rst) {
        if (!once(ep, HIST_RST, 'R') && relSeq != ep.lastRst) {
          add(ep, 'R');
        }
        ep.lastRst = relSeq;
      }
    } else if (len > 0) {
      once(ep, HIST_DATA, 'D');
    } else if (ack) {
      once(ep, HIST_ACK, 'A');
    }
  }

  /** Adds the letter the first time this endpoint shows the event; returns true when it was new. */
  private boolean once(Endpoint ep, int mask, char code) {
    if ((ep.historySeen & mask) != 0) {
      return false;
    }
    ep.historySeen |= mask;
    add(ep, code);
    return true;
  }

  private void add(Endpoint ep, char code) {
    history.append(ep.isOrig ? code : Character.toLowerCase(code));
  }

  private long updateLastSeq(Endpoint ep, long seqEnd, boolean syn, boolean fin, boolean rst, int len,
      boolean mayBeRetransmit) {
    long delta = (int) ((seqEnd - ep.lastSeq) & 0xffffffffL);
    if ((syn || rst) && Math.abs(delta) > TOO_LARGE_SEQ_DELTA) {
      return delta;
    }
    if (fin && ep.lastSeq == ((ep.startSeq + 1) & 0xffffffffL)) {
      ep.lastSeq = seqEnd;
    } else if (ep.state == EndpointState.RESET) {
      return delta;
    } else if (delta > 0) {
      ep.lastSeq = seqEnd;
    } else if (len > 0 && mayBeRetransmit) {
      ep.retransmits++;
      if (ep.retransmits == ep.nextRetransmitMark) {
        ep.nextRetransmitMark *= 10;
        add(ep, 'T');
      }
    }
    return delta;
  }

  private void updateStateMachine(Endpoint ep, Endpoint peer, boolean isOrig, int flags, int len, long seq, long ack,
      long tsMicros, long deltaLast) {
    boolean syn = TcpFlags.has(flags, TcpFlags.SYN);
    boolean fin = TcpFlags.has(flags, TcpFlags.FIN);
    boolean rst = TcpFlags.has(flags, TcpFlags.RST);
    boolean hasAck = TcpFlags.has(flags, TcpFlags.ACK);
    switch (ep.state) {
      case INACTIVE -> inactive(ep, peer, isOrig, syn, fin, rst, hasAck, len, seq, tsMicros);
      case SYN_SENT, SYN_ACK_SENT -> {
        if (fin) {
          close(ep, EndpointState.CLOSED);
        }
        if (rst) {
          close(ep, EndpointState.RESET);
        }
      }
      case ESTABLISHED, PARTIAL -> {
        if (syn && ep.state == EndpointState.PARTIAL && peer.state == EndpointState.INACTIVE && !hasAck) {
          ep.set(EndpointState.SYN_SENT);
        }
        if (fin && !rst) {
          close(ep, EndpointState.CLOSED);
          if (peer.state == EndpointState.RESET && peer.previous == EndpointState.CLOSED) {
            // The peer's FIN then RST was an orderly close after all.
            peer.set(EndpointState.CLOSED);
          }
        }
        if (rst) {
          close(ep, EndpointState.RESET);
        }
      }
      case CLOSED -> {
        // A RST after our FIN counts only while the peer has not closed too.
        if (rst && peer.state != EndpointState.CLOSED) {
          close(ep, EndpointState.RESET);
        }
      }
      case RESET -> { }
      default -> { }
    }
  }

  private void inactive(Endpoint ep, Endpoint peer, boolean isOrig, boolean syn, boolean fin, boolean rst,
      boolean hasAck, int len, long seq, long tsMicros) {
    if (syn) {
      if (isOrig) {
        ep.set(hasAck ? EndpointState.SYN_ACK_SENT : EndpointState.SYN_SENT);
        attemptDeadline = tsMicros + ATTEMPT_MICROS;
      } else {
        if (!hasAck && peer.state == EndpointState.SYN_ACK_SENT && seq == ep.startSeq) {
          // The SYN-ACK was captured before its SYN: swap the roles and establish.
          flip();
          Endpoint nowOrig = orig;
          Endpoint nowResp = resp;
          nowResp.set(EndpointState.ESTABLISHED);
          nowOrig.set(EndpointState.ESTABLISHED);
          return;
        }
        if (peer.state == EndpointState.SYN_SENT) {
          peer.set(EndpointState.ESTABLISHED);
        }
        ep.set(EndpointState.ESTABLISHED);
      }
    }
    if (fin) {
      close(ep, EndpointState.CLOSED);
    }
    if (rst) {
      close(ep, EndpointState.RESET);
    }
    if (ep.state == EndpointState.INACTIVE) {
      if (!isOrig && len == 0 && orig.state == EndpointState.SYN_SENT) {
        // An ACK of the SYN before the SYN-ACK: not a partial connection.
        return;
      }
      if (hasAck && peer.state == EndpointState.ESTABLISHED) {
        // The SYN was missed but the SYN-ACK was seen: establish.
        ep.set(EndpointState.ESTABLISHED);
      } else {
        ep.set(EndpointState.PARTIAL);
      }
    }
  }

  private static void close(Endpoint ep, EndpointState to) {
    ep.set(to);
    ep.didClose = true;
  }

  private void flip() {
    Endpoint t = orig;
    orig = resp;
    resp = t;
    orig.isOrig = true;
    resp.isOrig = false;
    origIsLow = !origIsLow;
    history.append('^');
  }
}
