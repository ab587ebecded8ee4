package io.rstscope.processor.verdict;

import static io.rstscope.processor.verdict.EvidenceCode.DATA_AFTER_RST;
import static io.rstscope.processor.verdict.EvidenceCode.EVIDENCE_CONFLICT;
import static io.rstscope.processor.verdict.EvidenceCode.FLOW_NOT_SEEN_AT;
import static io.rstscope.processor.verdict.EvidenceCode.NOT_SEEN_AT;
import static io.rstscope.processor.verdict.EvidenceCode.NO_SENDER_BASELINE;
import static io.rstscope.processor.verdict.EvidenceCode.SEQ_OUT_OF_WINDOW;
import static io.rstscope.processor.verdict.EvidenceCode.SPREAD_SEQ_RSTS;
import static io.rstscope.processor.verdict.EvidenceCode.TTL_MATCH;
import static io.rstscope.processor.verdict.EvidenceCode.TTL_MISMATCH;

import io.rstscope.avro.Emitter;
import io.rstscope.processor.verdict.Facts.SeqRelation;
import io.rstscope.processor.verdict.Facts.TtlSummary;
import io.rstscope.schemas.Location;
import java.util.List;
import java.util.function.Predicate;
import java.util.function.ToDoubleFunction;

/**
 * Who made the RST and where: a table of named rules over {@link Facts}, tried in order, the first that holds
 * decides. The order is the precedence of the evidence (docs/verdict-rules.md):
 * <ol>
 *   <li>absence at a point upstream that was capturing the flow (the decisive multi-point evidence);</li>
 *   <li>a TTL beyond what the claimed sender's own packets show at the same point just before the RST;</li>
 *   <li>do no harm: when the TTL matches the claimed sender's everywhere, the single-point tells (data after
 *       the RST, a spread burst) make the emitter unknown instead of accusing anyone;</li>
 *   <li>data from the claimed sender after its own RST; several RSTs with spread sequence numbers; a sequence
 *       number the claimed sender never used;</li>
 *   <li>otherwise the claimed sender itself.</li>
 * </ol>
 * A middlebox is placed on the segment between the point nearest the claimed sender that saw the RST and the
 * next point (or endpoint) toward the claimed sender. Confidence is the rule's, documented with it.
 */
public final class LocationRules {
  private LocationRules() {}

  /** Who a rule names as the emitter. */
  public enum Who {
    /** A device between two points, forging the claimed sender's address. */
    MIDDLEBOX,
    /** The host whose address the RST carries. */
    CLAIMED_SENDER,
    /** The evidence disagrees: nobody. */
    UNDECIDED
  }

  /**
   * One location rule.
   *
   * @param name       stable name, shown in docs
   * @param condition  the condition in words
   * @param when       the condition over the facts
   * @param who        whom it names
   * @param evidence   the evidence it rests on
   * @param confidence the probability that the emitter, location and forged it gives are right
   */
  public record Rule(String name, String condition, Predicate<Facts> when, Who who, EvidenceCode evidence,
      ToDoubleFunction<Facts> confidence) {}

  /** What the location rules decided. */
  public record Decision(Rule rule, Emitter emitter, Location location, boolean forged, double confidence) {}

  public static final List<Rule> RULES = List.of(
      new Rule("absent_upstream",
          "the point just upstream in the RST's direction of travel was capturing, saw this flow and every packet "
              + "of the claimed sender that passed it, but not this RST",
          f -> capturingUpstream(f) && f.upstream().sawFlow() && f.upstreamMissed() == 0,
          Who.MIDDLEBOX, NOT_SEEN_AT,
          // A sensor's own losses are the competing explanation: weaker when it reported drops, or when
          // nothing else about the RST differs from the sender's.
          f -> f.upstream().dropping() ? 0.75 : f.ttl() == TtlSummary.MATCH ? 0.85 : 0.97),
      new Rule("flow_stopped_upstream",
          "the point just upstream was capturing but saw no packet of this flow at all: the other side's packets "
              + "were stopped before it",
          f -> capturingUpstream(f) && !f.upstream().sawFlow(),
          Who.MIDDLEBOX, FLOW_NOT_SEEN_AT,
          f -> f.upstream().dropping() ? 0.7 : f.upstream().startKnown() ? 0.92 : 0.8),
      new Rule("ttl_differs",
          "at a point that saw the RST, its TTL is outside the range of the claimed sender's packets just before "
              + "it and of every other packet of the sender there",
          f -> f.ttl() == TtlSummary.DIFFERS,
          Who.MIDDLEBOX, TTL_MISMATCH,
          f -> f.upstream() == null ? 0.93 : 0.8),
      new Rule("ttl_matches_but_data_after",
          "the TTL matches the claimed sender's at every point, yet the sender kept sending after the RST or "
              + "several RSTs carry spread sequence numbers: a TTL-copying injector or a sender's odd stack",
          f -> f.ttl() == TtlSummary.MATCH && (!f.dataAfter().isEmpty() || !f.spreadBurst().isEmpty()),
          Who.UNDECIDED, EVIDENCE_CONFLICT,
          f -> 0.5),
      new Rule("data_after_own_rst",
          "the claimed sender sent on the same connection after its own RST, at a point that saw both",
          f -> !f.dataAfter().isEmpty(),
          Who.MIDDLEBOX, DATA_AFTER_RST,
          f -> 0.85),
      new Rule("spread_rst_burst",
          "other RSTs in the claimed sender's name within the burst window carry other sequence numbers",
          f -> !f.spreadBurst().isEmpty(),
          Who.MIDDLEBOX, SPREAD_SEQ_RSTS,
          f -> 0.8),
      new Rule("never_used_sequence",
          "the RST's sequence number is farther from the claimed sender's than any window, answers no segment, "
              + "and its TTL does not match the sender's",
          f -> f.seq() == SeqRelation.OUT_OF_WINDOW && f.ttl() != TtlSummary.MATCH,
          Who.MIDDLEBOX, SEQ_OUT_OF_WINDOW,
          f -> 0.7),
      new Rule("claimed_sender",
          "nothing above: the host whose address the RST carries sent it",
          f -> true,
          Who.CLAIMED_SENDER, TTL_MATCH,
          // Without the sender's own packets to compare with, a device answering in its name (a reject
          // seen at a single point) cannot be ruled out.
          f -> f.ttl() == TtlSummary.MATCH ? (f.upstream() != null && !f.upstream().capturing() ? 0.85 : 0.95)
              : 0.75));

  public static Decision decide(Facts f) {
    for (Rule r : RULES) {
      if (r.when().test(f)) {
        double confidence = r.confidence().applyAsDouble(f);
        return switch (r.who()) {
          case MIDDLEBOX -> new Decision(r, Emitter.middlebox, middleboxLocation(f, r), true, confidence);
          case CLAIMED_SENDER -> new Decision(evidenceFor(r, f), f.fromClient() ? Emitter.client : Emitter.server,
              f.fromClient() ? Location.CLIENT : Location.SERVER, false, confidence);
          case UNDECIDED -> new Decision(r, Emitter.unknown, Location.UNKNOWN, false, confidence);
        };
      }
    }
    throw new IllegalStateException("the last location rule always holds");
  }

  /** The claimed sender's rule rests on the TTL match when there was one, else on the lack of a baseline. */
  private static Rule evidenceFor(Rule r, Facts f) {
    return f.ttl() == TtlSummary.MATCH ? r
        : new Rule(r.name(), r.condition(), r.when(), r.who(), NO_SENDER_BASELINE, r.confidence());
  }

  private static boolean capturingUpstream(Facts f) {
    return f.upstream() != null && f.upstream().capturing();
  }

  /**
   * Between the nearest point that saw the RST and the next toward the claimed sender: the upstream point when
   * the absence there decided, else the upstream point (not capturing: it bounds nothing better) or the sender.
   */
  private static Location middleboxLocation(Facts f, Rule r) {
    String toward = f.upstream() != null ? f.upstream().name() : f.sender();
    return ordered(f, f.nearest(), toward);
  }

  static Location ordered(Facts f, String a, String b) {
    return rank(f, a) <= rank(f, b) ? Location.segment(a, b) : Location.segment(b, a);
  }

  private static int rank(Facts f, String name) {
    if (name.equals("client")) {
      return -1;
    }
    if (name.equals("server")) {
      return Integer.MAX_VALUE;
    }
    int i = f.rstCase().path().indexOf(name);
    return i < 0 ? Integer.MAX_VALUE - 1 : i;
  }
}
