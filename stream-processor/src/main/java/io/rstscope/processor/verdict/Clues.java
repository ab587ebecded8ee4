package io.rstscope.processor.verdict;

import static io.rstscope.schemas.TcpFlags.letters;

import io.rstscope.processor.state.SeqMath;
import io.rstscope.processor.verdict.CauseRules.Situation;
import io.rstscope.processor.verdict.Facts.PointTtl;
import io.rstscope.processor.verdict.Facts.TtlComparison;
import io.rstscope.processor.verdict.Facts.TtlSummary;
import io.rstscope.processor.verdict.RstCase.Pkt;
import io.rstscope.processor.verdict.RstCase.PointInfo;
import io.rstscope.processor.verdict.RstCase.Sighting;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The human detail of every evidence code, and whether it is present as context when no rule chose it. One
 * place per code, so a code always reads the same; the switch is exhaustive, so a new code needs its text.
 */
final class Clues {
  private Clues() {}

  /**
   * The details of a code for this RST: empty when it does not hold (a rule's own code always holds when the
   * rule fired: {@code decided}); several for codes that hold per point.
   */
  static List<String> details(EvidenceCode code, Situation s, boolean decided) {
    Facts f = s.f();
    String sender = f.sender();
    PointInfo up = f.upstream();
    List<String> out = new ArrayList<>();
    switch (code) {
      case NOT_SEEN_AT -> {
        if (up != null && up.capturing() && up.sawFlow()) {
          out.add(up.name() + " was capturing and saw this flow but not this RST, which " + f.nearest()
              + " saw: it was emitted between them" + (up.dropping() ? " (" + up.name() + " reported drops)" : ""));
        }
      }
      case FLOW_NOT_SEEN_AT -> {
        if (up != null && up.capturing() && !up.sawFlow()) {
          out.add(up.name() + " was capturing but saw no packet of this flow: the " + f.other()
              + "'s packets stopped before it, and the RST claiming to be the " + sender + "'s came from "
              + between(f, up.name(), f.nearest()) + (up.startKnown() ? "" : " (" + up.name() + " sent only its "
              + "end-of-capture watermark here: assumed to have captured throughout)"));
        }
      }
      case UPSTREAM_MISSED_PACKETS -> {
        if (f.upstreamMissed() > 0) {
          out.add(up.name() + " missed " + f.upstreamMissed() + " SYN/FIN packet(s) of the " + sender + " that "
              + f.nearest() + " saw: its capture loses packets, so its missing this RST proves nothing");
        }
      }
      case NOT_CAPTURING -> {
        if (up != null && !up.capturing()) {
          out.add(up.name() + (up.reported() ? " was not capturing" : " never reported")
              + " at the RST's time: no conclusion from its absence");
        }
      }
      case POINT_SILENT -> {
        for (PointInfo p : f.rstCase().points().values()) {
          if (!p.reported()) {
            out.add(p.name() + " never reported progress: decided without it");
          }
        }
        out.sort(null);
      }
      case SEEN_FIRST_AT -> {
        if (f.rstCase().sightings().size() > 1) {
          Sighting earliest = null;
          StringBuilder seen = new StringBuilder();
          for (PointTtl t : f.ttls()) {
            seen.append(seen.length() == 0 ? "" : ", ").append(t.point()).append(" (TTL ").append(t.rstTtl()).append(")");
          }
          for (Sighting x : f.rstCase().sightings()) {
            if (earliest == null || x.tsMicros() < earliest.tsMicros()) {
              earliest = x;
            }
          }
          out.add("first seen at " + earliest.point() + "; seen at " + seen + " in the RST's direction of travel");
        }
      }
      case TTL_MISMATCH -> perPoint(f, TtlComparison.DIFFERS, out,
          t -> "at " + t.point() + " " + sender + " packets TTL " + t.range() + ", this RST " + t.rstTtl());
      case TTL_MATCH -> {
        if (f.ttl() == TtlSummary.MATCH) {
          PointTtl t = f.ttls().stream().filter(x -> x.comparison() == TtlComparison.MATCH).findFirst().orElseThrow();
          out.add("at " + t.point() + " the RST's TTL " + t.rstTtl() + " is the " + sender + "'s own (" + t.range()
              + ")" + (f.ttls().size() > 1 ? ", and wherever else it could be compared" : ""));
        }
      }
      case TTL_ROUTE_CHANGE -> perPoint(f, TtlComparison.ROUTE_CHANGE, out,
          t -> "at " + t.point() + " the " + sender + "'s TTL moved during the flow (" + t.allMin() + "-" + t.allMax()
              + ", lately " + t.range() + "); this RST's " + t.rstTtl() + " matches older packets only: a route "
              + "change, no conclusion");
      case CRAFTED_SYN_TTL -> perPoint(f, TtlComparison.ONLY_SYNS, out,
          t -> "at " + t.point() + " the " + sender + "'s only packets are SYNs with TTL " + t.range()
              + " and this RST has " + t.rstTtl() + ": a SYN crafted on a raw socket carries its own TTL, the "
              + "host's kernel answers with its own; no conclusion");
      case NO_SENDER_BASELINE -> {
        if (f.ttl() == TtlSummary.NO_BASELINE) {
          out.add("no other packet of the " + sender + " at the points that saw the RST: its TTL cannot be checked, "
              + "and a device answering in its name cannot be ruled out");
        }
      }
      case TTL_NO_ENDPOINT -> {
        PointTtl t = f.ttlAt(f.nearest());
        if (t != null && t.comparison() == TtlComparison.DIFFERS && t.otherTtl() >= 0 && t.otherTtl() != t.rstTtl()) {
          out.add("at " + t.point() + " the RST's TTL " + t.rstTtl() + " is neither the " + sender + "'s ("
              + t.range() + ") nor the " + f.other() + "'s (" + t.otherTtl() + "): a device with its own initial TTL");
        }
      }
      case HOP_DISTANCE -> {
        PointTtl t = f.ttlAt(f.nearest());
        out.add("RST at " + t.point() + ": TTL " + t.rstTtl() + ", " + Ttl.hops(t.rstTtl()) + " hop(s) from an initial "
            + Ttl.initialGuess(t.rstTtl()) + (t.recentMin() < 0 ? "; no other " + sender + " packet seen there"
            : "; " + sender + " packets there: TTL " + t.range() + ", " + Ttl.hops(t.recentMin()) + " hop(s) from "
                + Ttl.initialGuess(t.recentMin())));
      }
      case DATA_AFTER_RST -> {
        if (!f.dataAfter().isEmpty()) {
          Pkt d = f.dataAfter().get(0);
          Sighting at = f.rstCase().sightings().stream().filter(x -> x.point().equals(d.point())).findFirst().orElseThrow();
          out.add("the " + sender + " sent " + letters(d.flags()) + (d.payload() > 0 ? " with " + d.payload() + " bytes" : "")
              + " at " + d.point() + " " + ms(d.rawMicros() - at.rawMicros()) + " after this RST ("
              + f.dataAfter().size() + " packet(s))");
        }
      }
      case SPREAD_SEQ_RSTS -> {
        if (!f.spreadBurst().isEmpty()) {
          StringBuilder deltas = new StringBuilder();
          for (Pkt p : f.spreadBurst()) {
            deltas.append(deltas.length() == 0 ? "" : ", ")
                .append(String.format(Locale.ROOT, "%+d", SeqMath.diff(f.rstCase().seq(), p.seq())));
          }
          out.add((f.spreadBurst().size() + 1) + " RSTs from the " + sender + " within "
              + ms(f.thresholds().burstMicros()) + ": this one seq " + f.rstCase().seq() + ", the others at offsets " + deltas);
        }
      }
      case SEQ_OUT_OF_WINDOW -> {
        if (f.seq() == Facts.SeqRelation.OUT_OF_WINDOW) {
          out.add("RST seq " + f.rstCase().seq() + " is " + f.seqDelta() + " from the " + sender
              + "'s next sequence number " + f.senderNextSeq() + " and answers no segment");
        }
      }
      case SEQ_NOT_NEXT -> {
        if (f.seq() == Facts.SeqRelation.IN_WINDOW && Math.abs(f.seqDelta()) > 1 && !f.answersSegment()) {
          out.add("RST seq " + f.rstCase().seq() + " is " + f.seqDelta() + " from the " + sender
              + "'s next sequence number " + f.senderNextSeq());
        }
      }
      case EVIDENCE_CONFLICT -> {
        if (decided) {
          out.add("the RST's TTL is the " + sender + "'s own wherever it could be compared, yet "
              + (!f.dataAfter().isEmpty() ? "the " + sender + " kept sending after it" : "other RSTs in its name "
              + "carry spread sequence numbers") + ": either a device copying the " + sender + "'s TTL, or the "
              + sender + "'s own stack; the emitter is left unknown rather than accusing anyone");
        }
      }
      case RST_AFTER_RST -> {
        if (decided) {
          Pkt e = f.earlierRst();
          out.add("an earlier RST (" + letters(e.flags()) + " from the " + (e.fromClient() ? "client" : "server") + ", "
              + ms(f.before(e)) + " before) ended the connection; the " + f.other() + " then sent "
              + letters(f.answeredAfterEarlierRst().flags()) + " and the " + sender + " answered with this RST");
        }
      }
      case RST_AFTER_SYNACK -> {
        if (f.synAck() != null) {
          out.add("RST " + ms(f.before(f.synAck())) + " after the server's SYN/ACK");
        }
      }
      case RACE_WITH_SYNACK -> {
        Pkt sa = f.synAckClosest();
        if (decided && sa != null) {
          out.add("the server answered with SYN/ACK " + ms(Math.abs(f.before(sa)))
              + (f.before(sa) >= 0 ? " before" : " after") + " the RST in its name");
        }
      }
      case NO_SYNACK -> {
        if (decided) {
          out.add("the server never answered the SYN: the device answered it instead");
        }
      }
      case TRIGGER_STOPPED -> {
        if (Boolean.FALSE.equals(f.triggerPassed())) {
          out.add("the " + f.other() + "'s " + letters(f.trigger().flags()) + " that this RST answers was seen at "
              + f.nearest() + " but did not reach " + up.name() + ": it was stopped where the RST came from (a reject)");
        }
      }
      case TRIGGER_PASSED -> {
        if (Boolean.TRUE.equals(f.triggerPassed())) {
          out.add("the " + f.other() + "'s " + letters(f.trigger().flags()) + " before this RST went on from "
              + f.nearest() + " to " + up.name() + ": whatever made the RST did not stop it");
        }
      }
      case MALFORMED_SYN -> {
        if (f.synIllegalFlags()) {
          out.add("the client's SYN carried flags " + letters(f.syn().flags()));
        }
      }
      case RST_AFTER_HANDSHAKE -> {
        if (decided && f.handshakeAck() != null) {
          out.add("the " + sender + " reset " + ms(f.before(f.handshakeAck())) + " after the handshake completed, "
              + (f.fromClient() ? "without sending data" : "before sending anything (accept queue overflow)"));
        }
      }
      case TUPLE_REUSED -> {
        if (f.tupleReused() && f.syn() != null) {
          out.add("this 4-tuple had a connection that ended before this SYN");
        }
      }
      case RST_ANSWERS_SYN -> {
        if (decided) {
          out.add("RST " + ms(f.before(f.syn())) + " after the client's SYN, ack " + f.rstCase().ack()
              + (CauseRules.acksSyn(f) ? " = SYN seq + 1" : ""));
        }
      }
      case ACK_TO_SYN -> {
        if (decided) {
          out.add("the server answered the SYN with a bare ACK (its TIME_WAIT of an older connection), and the "
              + "client reset it");
        }
      }
      case HALF_OPEN -> {
        if (decided) {
          out.add("the client never completed the handshake: SYN, SYN/ACK, then this RST");
        }
      }
      case NEVER_ACCEPTED -> {
        if (decided) {
          out.add("the server completed the handshake " + ms(f.before(f.handshakeAck())) + " before and never "
              + "sent anything: a connection its program never accepted, reset when the program exited (or the "
              + "program's own timeout: the packets cannot tell)");
        }
      }
      case KEEPALIVE_TIMEOUT -> {
        if (f.keepaliveProbes() > 0) {
          out.add(f.keepaliveProbes() + " keepalive probe(s) from the " + sender + " at " + f.nearest()
              + (f.keepalivesAnswered() ? ", answered" : " went unanswered") + " before the RST");
        }
      }
      case DATA_AFTER_CLOSE -> {
        if (f.otherDataAfterFin() != null) {
          out.add("the " + sender + " sent its FIN " + ms(f.before(f.senderFin())) + " before the RST; the "
              + f.other() + " still sent " + f.otherDataAfterFin().payload() + " bytes "
              + ms(f.before(f.otherDataAfterFin())) + " before it, and this RST answers them");
        }
      }
      case RST_AFTER_CLIENT_HELLO, RST_AFTER_HTTP_REQUEST -> {
        Pkt h = f.hint();
        boolean tls = h != null && "TLS_CLIENT_HELLO".equals(h.hintKind());
        if (h != null && tls == (code == EvidenceCode.RST_AFTER_CLIENT_HELLO)) {
          String text = h.hintText();
          out.add(decided ? "RST " + ms(f.before(h)) + " after the client's " + (tls ? "TLS ClientHello" : "HTTP request")
              + (text == null ? "" : (tls ? " (SNI " : " (") + text + ")")
              : "the client's last recognised payload: " + text + ", " + ms(f.before(h)) + " before the RST");
        }
      }
      case RST_AFTER_FIN -> {
        Pkt fin = s.fin();
        if (fin != null) {
          out.add("RST " + ms(f.before(fin)) + " after the " + (fin.fromClient() ? "client" : "server") + "'s FIN");
        }
      }
      case SILENCE_BEFORE_RST -> {
        if (s.silent()) {
          out.add("the flow was silent " + secs(f.silenceMicros()) + " before the RST; the "
              + (f.last().fromClient() ? "client" : "server") + " had sent last");
        }
      }
      case REPLY_FORM -> {
        if (decided) {
          out.add("a RST without ACK" + (f.answersSegment() ? " whose seq is the ack of the " + f.other()
              + "'s segment before it" : "") + " is how a stack answers a segment for a connection it does not have");
        }
      }
      case ACTIVE_ABORT -> {
        if (decided) {
          out.add("RST+ACK from the " + sender + " " + ms(f.silenceMicros()) + " after the flow's last packet, "
              + "without a FIN: the application aborted (SO_LINGER 0, close with unread data, a crash)");
        }
      }
      case MID_FLOW_RESET -> {
        if (decided) {
          out.add("a device reset the flow mid-stream; no hint, FIN or silence before it says why: a stateful "
              + "device losing its entry is the likeliest");
        }
      }
      case RST_WITHOUT_ACK -> {
        if (!f.withAck()) {
          out.add("flags " + letters(f.rstCase().flags()) + " without ACK"
              + (f.packetPhase() == io.rstscope.avro.Phase.data ? " on an established connection" : ""));
        }
      }
      case NO_RULE -> {
        if (decided) {
          out.add("no cause rule matched what the packets show");
        }
      }
      // Said by the kernel step after the packets' verdict (KernelVerdict) and by the locator, not from the packets.
      case VERDICT_TIMEOUT, KERNEL_REASON, KERNEL_SENT_NONE, KERNEL_ACCEPTED, KERNEL_NOT_ACCEPTED -> { }
    }
    return out;
  }

  private static void perPoint(Facts f, TtlComparison which, List<String> out,
      java.util.function.Function<PointTtl, String> text) {
    for (PointTtl t : f.ttls()) {
      if (t.comparison() == which) {
        out.add(text.apply(t));
      }
    }
  }

  private static String between(Facts f, String a, String b) {
    return ((io.rstscope.schemas.Location.Segment) LocationRules.ordered(f, a, b)).between();
  }

  static String ms(long micros) {
    return String.format(Locale.ROOT, "%.1f ms", micros / 1000.0);
  }

  static String secs(long micros) {
    return String.format(Locale.ROOT, "%.1f s", micros / 1e6);
  }
}
