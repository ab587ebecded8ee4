package io.rstscope.processor.verdict;

import static io.rstscope.schemas.TcpFlags.ACK;
import static io.rstscope.schemas.TcpFlags.FIN;
import static io.rstscope.schemas.TcpFlags.RST;
import static io.rstscope.schemas.TcpFlags.SYN;
import static io.rstscope.schemas.TcpFlags.URG;
import static io.rstscope.schemas.TcpFlags.has;

import io.rstscope.avro.Cause;
import io.rstscope.avro.Emitter;
import io.rstscope.avro.Phase;
import io.rstscope.processor.state.SeqMath;
import io.rstscope.processor.verdict.RstCase.Pkt;
import io.rstscope.processor.verdict.RstCase.PointInfo;
import io.rstscope.processor.verdict.RstCase.Sighting;
import io.rstscope.schemas.Location;
import io.rstscope.schemas.TcpFlags;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The verdict on one RST (RST-FIELD-GUIDE.md section 6). Pure: same case, same verdict.
 *
 * <p>Order of reasoning: first where the RST came from (which points saw it and which, upstream in
 * its direction of travel, were capturing this flow and did not; then TTL against the claimed
 * sender's own packets at the same point; then data from the claimed sender after its own RST;
 * then spread sequence numbers), which gives emitter, location and forged; then the phase from
 * what the connection had done before; then the cause from phase, emitter and the packets just
 * before the RST.
 */
public final class RstJudge {
  private static final int STRONG = 100;
  private static final int GOOD = 80;
  private static final int MEDIUM = 60;
  private static final int WEAK = 40;
  private static final int INFO = 20;

  private final RstCase c;
  private final RstCase.Thresholds t;
  private final Map<String, Sighting> sightingAt = new HashMap<>();
  private final long rstTime;
  private final List<Weighted> evidence = new ArrayList<>();
  private final String sender;

  private record Weighted(int strength, int order, Verdict.Clue clue) {}

  private RstJudge(RstCase c) {
    this.c = c;
    this.t = c.thresholds();
    long first = Long.MAX_VALUE;
    for (Sighting s : c.sightings()) {
      sightingAt.put(s.point(), s);
      first = Math.min(first, s.tsMicros());
    }
    this.rstTime = first;
    this.sender = c.fromClient() ? "client" : "server";
  }

  public static Verdict judge(RstCase c) {
    if (c.sightings().isEmpty()) {
      throw new IllegalArgumentException("a RST case needs at least one sighting: " + c.findingId());
    }
    return new RstJudge(c).run();
  }

  private void add(int strength, String code, String detail) {
    evidence.add(new Weighted(strength, evidence.size(), new Verdict.Clue(code, detail)));
  }

  // ---------------------------------------------------------------- time helpers

  private boolean before(Pkt p) {
    Sighting s = sightingAt.get(p.point());
    if (s == null) {
      return p.tsMicros() < rstTime;
    }
    return p.rawMicros() < s.rawMicros() || p.rawMicros() == s.rawMicros() && p.arrival() < s.arrival();
  }

  private boolean after(Pkt p) {
    Sighting s = sightingAt.get(p.point());
    if (s == null) {
      return p.tsMicros() > rstTime;
    }
    return p.rawMicros() > s.rawMicros() || p.rawMicros() == s.rawMicros() && p.arrival() > s.arrival();
  }

  private static boolean isRst(Pkt p) {
    return has(p.flags(), RST);
  }

  private static String ms(long micros) {
    return String.format(Locale.ROOT, "%.1f ms", micros / 1000.0);
  }

  private static String secs(long micros) {
    return String.format(Locale.ROOT, "%.1f s", micros / 1e6);
  }

  // ---------------------------------------------------------------- facts

  /** What the connection did, computed once. */
  private final class Facts {
    Pkt syn;
    long connStart = Long.MIN_VALUE;
    boolean previousConnection;
    Pkt synAckBefore;
    Pkt synAckAny;
    Pkt handshakeAck;
    Pkt serverBareAck;
    long clientBytes;
    long serverBytes;
    Pkt fin;
    Pkt last;
    Pkt hint;
    Pkt earlierRst;
    Pkt answeredAfterEarlierRst;
    boolean anyBefore;
    final List<Pkt> dataAfter = new ArrayList<>();
    final List<Pkt> burst = new ArrayList<>();

    Facts() {
      // The connection starts at the first sighting of the newest client SYN before the RST.
      Pkt newestSyn = null;
      for (Pkt p : c.packets()) {
        if (isSyn(p) && p.fromClient() && before(p) && (newestSyn == null || p.tsMicros() > newestSyn.tsMicros())) {
          newestSyn = p;
        }
      }
      if (newestSyn != null) {
        for (Pkt p : c.packets()) {
          if (isSyn(p) && p.fromClient() && p.seq() == newestSyn.seq() && (syn == null || p.tsMicros() < syn.tsMicros())) {
            syn = p;
          }
        }
        connStart = syn.tsMicros();
      }
      Map<String, long[]> bytesAt = new HashMap<>();
      for (Pkt p : c.packets()) {
        if (p.tsMicros() < connStart) {
          if (has(p.flags(), FIN) || isRst(p)) {
            previousConnection = true;
          }
          continue;
        }
        if (before(p)) {
          anyBefore = true;
          if (isRst(p)) {
            // The first RST of the connection is what ended it; later ones are its consequences.
            if (!c.findingId().equals(p.rstId()) && (earlierRst == null || p.tsMicros() < earlierRst.tsMicros())) {
              earlierRst = p;
            }
            continue;
          }
          boolean synAck = has(p.flags(), SYN) && has(p.flags(), ACK);
          if (synAck && !p.fromClient() && (synAckBefore == null || p.tsMicros() < synAckBefore.tsMicros())) {
            synAckBefore = p;
          }
          if (p.fromClient() && p.payload() > 0 && p.hintKind() != null
              && (hint == null || p.tsMicros() >= hint.tsMicros())) {
            hint = p;
          }
          if (has(p.flags(), FIN) && !has(p.flags(), SYN) && (fin == null || p.tsMicros() < fin.tsMicros())) {
            fin = p;
          }
          if (last == null || p.tsMicros() > last.tsMicros()) {
            last = p;
          }
          long[] bytes = bytesAt.computeIfAbsent(p.point(), k -> new long[2]);
          bytes[p.fromClient() ? 0 : 1] += p.payload();
        }
        if (has(p.flags(), SYN) && has(p.flags(), ACK) && !p.fromClient() && !isRst(p)
            && (synAckAny == null || p.tsMicros() < synAckAny.tsMicros())) {
          synAckAny = p;
        }
      }
      for (long[] b : bytesAt.values()) {
        clientBytes = Math.max(clientBytes, b[0]);
        serverBytes = Math.max(serverBytes, b[1]);
      }
      for (Pkt p : c.packets()) {
        if (p.tsMicros() < connStart || !before(p) || isRst(p)) {
          continue;
        }
        boolean pureAck = has(p.flags(), ACK) && !has(p.flags(), SYN);
        if (p.fromClient() && pureAck && synAckBefore != null && p.tsMicros() >= synAckBefore.tsMicros()
            && (handshakeAck == null || p.tsMicros() < handshakeAck.tsMicros())) {
          handshakeAck = p;
        }
        if (!p.fromClient() && pureAck && synAckBefore == null && syn != null && p.payload() == 0
            && p.tsMicros() >= syn.tsMicros()) {
          serverBareAck = p;
        }
      }
      if (earlierRst != null) {
        for (Pkt p : c.packets()) {
          // The other side kept sending after the earlier reset: this RST answers such a segment.
          if (!isRst(p) && p.fromClient() != c.fromClient() && p.tsMicros() > earlierRst.tsMicros() && before(p)
              && (answeredAfterEarlierRst == null || p.tsMicros() > answeredAfterEarlierRst.tsMicros())) {
            answeredAfterEarlierRst = p;
          }
        }
      }
      for (Pkt p : c.packets()) {
        boolean fromSender = p.fromClient() == c.fromClient();
        if (fromSender && !isRst(p) && !isSyn(p) && sightingAt.containsKey(p.point()) && after(p)) {
          dataAfter.add(p);
        }
        if (fromSender && isRst(p) && !c.findingId().equals(p.rstId()) && p.seq() != c.seq()
            && Math.abs(p.tsMicros() - rstTime) <= t.burstMicros()
            && burst.stream().noneMatch(b -> b.rstId() != null && b.rstId().equals(p.rstId()))) {
          burst.add(p);
        }
      }
    }
  }

  private static boolean isSyn(Pkt p) {
    return has(p.flags(), SYN) && !has(p.flags(), ACK) && !has(p.flags(), RST);
  }

  // ---------------------------------------------------------------- location

  private Emitter emitter;
  private Location location;
  private boolean forged;
  private double locationConfidence;

  private int rank(String name) {
    if (name.equals("client")) {
      return -1;
    }
    if (name.equals("server")) {
      return Integer.MAX_VALUE;
    }
    int i = c.path().indexOf(name);
    return i < 0 ? Integer.MAX_VALUE - 1 : i;
  }

  private Location segment(String a, String b) {
    return rank(a) <= rank(b) ? Location.segment(a, b) : Location.segment(b, a);
  }

  /** TTLs of the claimed sender's own (non-RST) packets at a point, {min, max}, or null. */
  private int[] baseline(String point) {
    int min = Integer.MAX_VALUE;
    int max = Integer.MIN_VALUE;
    for (Pkt p : c.packets()) {
      if (p.point().equals(point) && p.fromClient() == c.fromClient() && !isRst(p)) {
        min = Math.min(min, p.progress() ? p.ttlMin() : p.ttl());
        max = Math.max(max, p.progress() ? p.ttlMax() : p.ttl());
      }
    }
    return min <= max ? new int[] {min, max} : null;
  }

  /** The claimed sender's non-RST packets at a point are all bare SYNs. */
  private boolean synOnlyBaseline(String point) {
    boolean any = false;
    for (Pkt p : c.packets()) {
      if (p.point().equals(point) && p.fromClient() == c.fromClient() && !isRst(p)) {
        if (!isSyn(p)) {
          return false;
        }
        any = true;
      }
    }
    return any;
  }

  private static String ttlText(int[] b) {
    return b[0] == b[1] ? Integer.toString(b[0]) : b[0] + "-" + b[1];
  }

  private void locate(Facts f) {
    List<String> travel = new ArrayList<>();
    for (String p : c.path()) {
      if (c.points().containsKey(p) || sightingAt.containsKey(p)) {
        travel.add(p);
      }
    }
    for (Sighting s : c.sightings()) {
      if (!travel.contains(s.point())) {
        travel.add(s.point());
      }
    }
    if (!c.fromClient()) {
      java.util.Collections.reverse(travel);
    }
    int first = 0;
    while (!sightingAt.containsKey(travel.get(first))) {
      first++;
    }
    String nearest = travel.get(first);
    Sighting near = sightingAt.get(nearest);

    // Sightings, in the order the RST travelled.
    StringBuilder seen = new StringBuilder();
    Sighting earliest = null;
    for (String p : travel) {
      Sighting s = sightingAt.get(p);
      if (s != null) {
        seen.append(seen.length() == 0 ? "" : ", ").append(p).append(" (TTL ").append(s.ttl()).append(")");
        if (earliest == null || s.tsMicros() < earliest.tsMicros()) {
          earliest = s;
        }
      }
    }
    if (c.sightings().size() > 1) {
      add(INFO, "SEEN_FIRST_AT", "first seen at " + earliest.point() + "; seen at " + seen
          + " in the RST's direction of travel");
    }

    // 1. Multi-point: an upstream point that was capturing this flow did not see the RST.
    String upstreamBound = null; // the point bounding the emitter on the sender's side, when not capturing
    Location multiPointLocation = null;
    double multiPointConfidence = 0;
    if (first > 0) {
      String u = travel.get(first - 1);
      PointInfo info = c.points().get(u);
      if (info != null && info.capturing() && info.sawFlow()) {
        add(STRONG, "NOT_SEEN_AT", u + " was capturing and saw this flow but not this RST, which " + nearest
            + " saw: it was emitted between them" + (info.dropping() ? " (" + u + " reported drops)" : ""));
        multiPointLocation = segment(u, nearest);
        multiPointConfidence = info.dropping() ? 0.7 : 0.95;
      } else if (info != null && info.capturing()) {
        String between = rank(u) < rank(nearest) ? u + " and " + nearest : nearest + " and " + u;
        add(GOOD, "FLOW_NOT_SEEN_AT", u + " was capturing but saw no packet of this flow: the " + other()
            + "'s packets stopped before it, and the RST claiming to be the " + sender + "'s came from between "
            + between + (info.startKnown() ? "" : " (" + u + " sent only its end-of-capture watermark here: "
                + "assumed to have captured throughout)"));
        multiPointLocation = segment(u, nearest);
        multiPointConfidence = (info.dropping() ? 0.6 : 0.85) - (info.startKnown() ? 0 : 0.1);
      } else {
        add(INFO, "NOT_CAPTURING", u + (info == null || !info.reported() ? " never reported" : " was not capturing")
            + " at the RST's time: no conclusion from its absence");
        upstreamBound = u;
      }
    }

    // 2. TTL against the claimed sender's own packets, at every point that saw the RST.
    boolean mismatch = false;
    boolean match = false;
    for (String p : travel) {
      Sighting s = sightingAt.get(p);
      int[] b = s == null ? null : baseline(p);
      if (b == null) {
        continue;
      }
      if (s.ttl() < b[0] || s.ttl() > b[1]) {
        if (synOnlyBaseline(p) && Ttl.initialGuess(s.ttl()) == Ttl.initialGuess(b[0])
            && Ttl.initialGuess(b[0]) == Ttl.initialGuess(b[1])) {
          // Scanners craft SYNs on raw sockets with their own TTLs; the kernel's RST then differs.
          add(WEAK, "CRAFTED_SYN_TTL", "at " + p + " the " + sender + "'s only packets are SYNs with TTL "
              + ttlText(b) + " and this RST has " + s.ttl() + " from the same initial "
              + Ttl.initialGuess(s.ttl()) + ": a SYN crafted on a raw socket, the RST from the host's kernel");
          continue;
        }
        mismatch = true;
        add(p.equals(nearest) ? STRONG - 5 : GOOD, "TTL_MISMATCH", "at " + p + " " + sender + " packets TTL "
            + ttlText(b) + ", this RST " + s.ttl());
      } else {
        match = true;
      }
    }
    int[] nb = baseline(nearest);
    add(INFO, "HOP_DISTANCE", "RST at " + nearest + ": TTL " + near.ttl() + ", " + Ttl.hops(near.ttl())
        + " hop(s) from an initial " + Ttl.initialGuess(near.ttl())
        + (nb == null ? "; no other " + sender + " packet seen there"
            : "; " + sender + " packets there: TTL " + ttlText(nb) + ", " + Ttl.hops(nb[0]) + " hop(s) from "
                + Ttl.initialGuess(nb[0])));

    // 3. The claimed sender kept talking after "its" RST.
    Facts facts = f;
    if (!facts.dataAfter.isEmpty()) {
      Pkt d = facts.dataAfter.get(0);
      Sighting s = sightingAt.get(d.point());
      add(STRONG - 10, "DATA_AFTER_RST", "the " + sender + " sent " + TcpFlags.letters(d.flags())
          + (d.payload() > 0 ? " with " + d.payload() + " bytes" : "") + " at " + d.point() + " "
          + ms(d.rawMicros() - s.rawMicros()) + " after this RST (" + facts.dataAfter.size() + " packet(s))");
    }
    // 4. Several RSTs with spread sequence numbers: an injector covering the receive window.
    if (!facts.burst.isEmpty()) {
      StringBuilder deltas = new StringBuilder();
      for (Pkt p : facts.burst) {
        deltas.append(deltas.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%+d", SeqMath.diff(c.seq(), p.seq())));
      }
      add(GOOD - 5, "SPREAD_SEQ_RSTS", (facts.burst.size() + 1) + " RSTs from the " + sender + " within "
          + ms(t.burstMicros()) + ": this one seq " + c.seq() + ", the others at offsets " + deltas);
    }
    boolean seqForged = seqEvidence(facts, match);

    if (multiPointLocation != null) {
      double conf = multiPointConfidence + (mismatch || !facts.dataAfter.isEmpty() ? 0.03 : 0);
      setMiddlebox(multiPointLocation, Math.min(0.99, conf));
      return;
    }
    forged = mismatch || !facts.dataAfter.isEmpty() || !facts.burst.isEmpty() || seqForged;
    if (forged) {
      String bound = upstreamBound != null ? upstreamBound : sender;
      double conf = mismatch && !facts.dataAfter.isEmpty() ? 0.95 : mismatch ? 0.9 : !facts.dataAfter.isEmpty() ? 0.85 : 0.7;
      if (upstreamBound != null) {
        // Somewhere on the sender's side of the nearest point; the first point not capturing bounds it.
        conf -= 0.15;
      }
      setMiddlebox(segment(nearest, bound), conf);
      return;
    }
    emitter = c.fromClient() ? Emitter.client : Emitter.server;
    location = c.fromClient() ? Location.CLIENT : Location.SERVER;
    locationConfidence = match ? 0.9 : 0.75;
    if (match) {
      add(MEDIUM, "TTL_MATCH", "at " + nearest + " the RST's TTL " + near.ttl() + " is the " + sender
          + "'s own (" + ttlText(nb == null ? new int[] {near.ttl(), near.ttl()} : nb) + ")");
    } else {
      add(INFO, "NO_SENDER_BASELINE", "no other packet of the " + sender
          + " at the points that saw the RST: its TTL cannot be checked");
    }
    if (upstreamBound != null) {
      locationConfidence -= 0.15;
    }
  }

  private String other() {
    return c.fromClient() ? "server" : "client";
  }

  private void setMiddlebox(Location where, double conf) {
    emitter = Emitter.middlebox;
    location = where;
    forged = true;
    locationConfidence = conf;
  }

  /** The RST's sequence number against the sender's next sequence number; true when it alone says forged. */
  private boolean seqEvidence(Facts f, boolean ttlMatched) {
    Long next = null;
    int window = 65535;
    Integer wscale = null;
    for (Pkt p : c.packets()) {
      if (p.fromClient() == c.fromClient() && !isRst(p) && before(p) && !p.progress()) {
        long end = (p.seq() + p.len() + (has(p.flags(), SYN) ? 1 : 0) + (has(p.flags(), FIN) ? 1 : 0)) & 0xffffffffL;
        if (next == null || SeqMath.after(end, next)) {
          next = end;
        }
      }
      if (p.fromClient() != c.fromClient() && before(p) && !isRst(p)) {
        window = p.window();
      }
    }
    if (next == null || !has(c.flags(), ACK) && c.seq() == 0) {
      return false;
    }
    long d = SeqMath.diff(next, c.seq());
    if (d == 0) {
      return false;
    }
    // The receiver's window scale is not in the summaries we keep per packet: assume a generous 7
    // (Linux's usual); only a RST far outside that counts.
    long scaled = (long) window << 7;
    if (Math.abs(d) > Math.max(scaled, 1L << 20)) {
      add(MEDIUM, "SEQ_OUT_OF_WINDOW", "RST seq " + c.seq() + " is " + d + " from the " + sender
          + "'s next sequence number " + next);
      return !ttlMatched;
    }
    if (Math.abs(d) > 1) {
      add(WEAK, "SEQ_NOT_NEXT", "RST seq " + c.seq() + " is " + d + " from the " + sender + "'s next sequence number " + next);
    }
    return false;
  }

  // ---------------------------------------------------------------- run

  private Verdict run() {
    Facts f = new Facts();
    for (PointInfo p : c.points().values()) {
      if (!p.reported()) {
        add(INFO, "POINT_SILENT", p.name() + " never reported progress: decided without it");
      }
    }
    locate(f);

    Phase phase;
    if (!f.anyBefore) {
      phase = f.syn != null ? Phase.handshake : Phase.unknown;
    } else if (f.fin != null) {
      phase = Phase.teardown;
    } else if (f.clientBytes + f.serverBytes > 0) {
      phase = Phase.data;
    } else {
      phase = Phase.handshake;
    }
    long silence = f.last == null ? 0 : rstTime - f.last.tsMicros();
    boolean withAck = has(c.flags(), ACK);
    if (!withAck) {
      add(phase == Phase.data || phase == Phase.teardown ? MEDIUM - 10 : INFO, "RST_WITHOUT_ACK",
          "flags " + TcpFlags.letters(c.flags()) + " without ACK"
              + (phase == Phase.data ? " on an established connection" : ""));
    }

    Cause cause;
    double causeConf;
    String related = null;
    String hintText = null;

    if (!forged && f.earlierRst != null && f.answeredAfterEarlierRst != null) {
      cause = Cause.no_socket;
      causeConf = 0.85;
      related = f.earlierRst.rstId();
      add(GOOD, "RST_AFTER_RST", "an earlier RST (" + TcpFlags.letters(f.earlierRst.flags()) + " from the "
          + (f.earlierRst.fromClient() ? "client" : "server") + ", " + ms(rstTime - f.earlierRst.tsMicros())
          + " before) ended the connection; the " + other() + " then sent "
          + TcpFlags.letters(f.answeredAfterEarlierRst.flags()) + " and the " + sender + " answered with this RST");
    } else if (phase == Phase.handshake || phase == Phase.unknown) {
      if (f.synAckBefore != null) {
        add(c.fromClient() ? GOOD : MEDIUM, "RST_AFTER_SYNACK", "RST " + ms(rstTime - f.synAckBefore.tsMicros())
            + " after the server's SYN/ACK");
      }
      if (!c.fromClient()) {
        if (forged) {
          if (f.synAckAny != null) {
            cause = Cause.bypass_block;
            causeConf = Math.abs(f.synAckAny.tsMicros() - rstTime) <= t.raceMicros() ? 0.9 : 0.75;
            add(GOOD, "RACE_WITH_SYNACK", "the server answered with SYN/ACK "
                + ms(Math.abs(f.synAckAny.tsMicros() - rstTime))
                + (f.synAckAny.tsMicros() <= rstTime ? " before" : " after") + " the RST in its name");
          } else {
            cause = Cause.firewall_reject;
            causeConf = f.syn != null ? 0.9 : 0.6;
            add(MEDIUM, "NO_SYNACK", "the server never answered the SYN: the device answered it instead");
          }
        } else if (f.syn != null && (f.syn.flags() & (FIN | URG)) != 0) {
          cause = Cause.malformed_syn;
          causeConf = 0.9;
          add(GOOD, "MALFORMED_SYN", "the client's SYN carried flags " + TcpFlags.letters(f.syn.flags()));
        } else if (f.handshakeAck != null && f.serverBytes == 0) {
          long after = rstTime - f.handshakeAck.tsMicros();
          cause = Cause.backlog_overflow;
          causeConf = after <= t.quickMicros() ? 0.8 : 0.55;
          add(GOOD, "RST_AFTER_HANDSHAKE", "the server reset " + ms(after)
              + " after the handshake completed, without sending data (accept queue overflow)");
        } else if (f.previousConnection && f.syn != null) {
          cause = Cause.time_wait_collision;
          causeConf = 0.8;
          add(GOOD, "TUPLE_REUSED", "this 4-tuple had a connection that ended before this SYN");
        } else if (f.syn != null && f.synAckBefore == null) {
          cause = Cause.port_closed;
          causeConf = withAck && SeqMath.diff(f.syn.seq(), c.ack()) == 1 ? 0.95 : 0.8;
          add(GOOD, "RST_ANSWERS_SYN", "RST " + ms(rstTime - f.syn.tsMicros()) + " after the client's SYN, ack "
              + c.ack() + (withAck && SeqMath.diff(f.syn.seq(), c.ack()) == 1 ? " = SYN seq + 1" : ""));
        } else {
          cause = Cause.unknown;
          causeConf = 0.3;
        }
      } else {
        if (forged) {
          cause = Cause.bypass_block;
          causeConf = 0.7;
        } else if (f.serverBareAck != null && f.synAckBefore == null) {
          cause = Cause.time_wait_collision;
          causeConf = 0.8;
          add(GOOD, "ACK_TO_SYN", "the server answered the SYN with a bare ACK (its TIME_WAIT of an older "
              + "connection), and the client reset it");
        } else if (f.synAckBefore != null && f.handshakeAck == null) {
          cause = Cause.syn_scan;
          causeConf = withAck ? 0.7 : 0.95;
          add(GOOD, "HALF_OPEN", "the client never completed the handshake: SYN, SYN/ACK, then this RST");
        } else if (f.handshakeAck != null && f.clientBytes == 0) {
          long after = rstTime - f.handshakeAck.tsMicros();
          cause = Cause.connect_scan;
          causeConf = after <= t.quickMicros() ? 0.9 : 0.6;
          add(GOOD, "RST_AFTER_HANDSHAKE", "the client reset " + ms(after)
              + " after completing the handshake, without sending data");
        } else {
          cause = Cause.unknown;
          causeConf = 0.3;
        }
      }
    } else if (phase == Phase.data) {
      if (f.hint != null && forged) {
        hintText = f.hint.hintText();
        boolean tls = "TLS_CLIENT_HELLO".equals(f.hint.hintKind());
        cause = tls ? Cause.tls_block : Cause.content_block;
        causeConf = 0.9;
        add(GOOD, tls ? "RST_AFTER_CLIENT_HELLO" : "RST_AFTER_HTTP_REQUEST", "RST "
            + ms(rstTime - f.hint.tsMicros()) + " after the client's " + (tls ? "TLS ClientHello" : "HTTP request")
            + (hintText == null ? "" : (tls ? " (SNI " : " (") + hintText + ")"));
      } else if (silence >= t.idleMicros()) {
        cause = Cause.idle_timeout;
        causeConf = 0.85;
      } else if (forged) {
        cause = Cause.content_block;
        causeConf = 0.5;
      } else if (!withAck) {
        cause = Cause.no_socket;
        causeConf = 0.6;
        add(WEAK, "REPLY_FORM", "a RST without ACK is how a stack answers a segment for a connection it does not have");
      } else {
        cause = Cause.abort;
        causeConf = 0.8;
      }
    } else { // teardown
      long afterFin = rstTime - f.fin.tsMicros();
      add(GOOD, "RST_AFTER_FIN", "RST " + ms(afterFin) + " after the " + (f.fin.fromClient() ? "client" : "server")
          + "'s FIN");
      if (forged || afterFin <= t.afterFinMicros()) {
        cause = Cause.accelerated_close;
        causeConf = forged ? 0.9 : 0.75;
      } else if (silence >= t.idleMicros()) {
        cause = Cause.idle_timeout;
        causeConf = 0.6;
      } else {
        cause = Cause.abort;
        causeConf = 0.6;
      }
    }
    if (silence >= t.idleMicros() || cause == Cause.idle_timeout) {
      add(cause == Cause.idle_timeout ? GOOD : INFO, "SILENCE_BEFORE_RST", "the flow was silent " + secs(silence)
          + " before the RST; the " + (f.last.fromClient() ? "client" : "server") + " had sent last");
    }
    if (f.hint != null && hintText == null && phase != Phase.handshake) {
      add(INFO, "TLS_CLIENT_HELLO".equals(f.hint.hintKind()) ? "RST_AFTER_CLIENT_HELLO" : "RST_AFTER_HTTP_REQUEST",
          "the client's last recognised payload: " + f.hint.hintText() + ", " + ms(rstTime - f.hint.tsMicros())
              + " before the RST");
    }

    double confidence = Math.round(Math.max(0.05, Math.min(0.99, locationConfidence * causeConf)) * 100) / 100.0;
    String recommendation = Recommendations.of(cause, c, location, hintText, silence);
    List<Verdict.Clue> clues = evidence.stream()
        .sorted(Comparator.comparingInt((Weighted w) -> -w.strength()).thenComparingInt(Weighted::order))
        .map(Weighted::clue).toList();
    return new Verdict(emitter, location, forged, confidence, phase, cause, clues, recommendation, related);
  }
}
