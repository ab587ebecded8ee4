package io.rstscope.processor.verdict;

import static io.rstscope.processor.verdict.EvidenceCode.ACK_TO_SYN;
import static io.rstscope.processor.verdict.EvidenceCode.ACTIVE_ABORT;
import static io.rstscope.processor.verdict.EvidenceCode.DATA_AFTER_CLOSE;
import static io.rstscope.processor.verdict.EvidenceCode.HALF_OPEN;
import static io.rstscope.processor.verdict.EvidenceCode.KEEPALIVE_TIMEOUT;
import static io.rstscope.processor.verdict.EvidenceCode.MALFORMED_SYN;
import static io.rstscope.processor.verdict.EvidenceCode.MID_FLOW_RESET;
import static io.rstscope.processor.verdict.EvidenceCode.NEVER_ACCEPTED;
import static io.rstscope.processor.verdict.EvidenceCode.NO_RULE;
import static io.rstscope.processor.verdict.EvidenceCode.NO_SYNACK;
import static io.rstscope.processor.verdict.EvidenceCode.RACE_WITH_SYNACK;
import static io.rstscope.processor.verdict.EvidenceCode.REPLY_FORM;
import static io.rstscope.processor.verdict.EvidenceCode.RST_AFTER_CLIENT_HELLO;
import static io.rstscope.processor.verdict.EvidenceCode.RST_AFTER_FIN;
import static io.rstscope.processor.verdict.EvidenceCode.RST_AFTER_HANDSHAKE;
import static io.rstscope.processor.verdict.EvidenceCode.RST_AFTER_HTTP_REQUEST;
import static io.rstscope.processor.verdict.EvidenceCode.RST_AFTER_RST;
import static io.rstscope.processor.verdict.EvidenceCode.RST_ANSWERS_SYN;
import static io.rstscope.processor.verdict.EvidenceCode.SILENCE_BEFORE_RST;
import static io.rstscope.processor.verdict.EvidenceCode.TRIGGER_PASSED;
import static io.rstscope.processor.verdict.EvidenceCode.TRIGGER_STOPPED;
import static io.rstscope.processor.verdict.EvidenceCode.TUPLE_REUSED;

import io.rstscope.avro.Cause;
import io.rstscope.avro.Emitter;
import io.rstscope.avro.Phase;
import io.rstscope.processor.state.SeqMath;
import io.rstscope.processor.verdict.RstCase.Pkt;
import java.util.List;
import java.util.function.Predicate;

/**
 * Why the RST was sent: named rules over the {@link Facts} and the location decision, in groups. Groups are
 * tried in order, and inside the first group that applies and has a matching rule, the first matching rule
 * decides (first match wins). Groups are by who sent the RST (the claimed sender's own stack, or a device)
 * and by how far the connection got (handshake, data, teardown). Each rule gives a cause, the evidence it rests
 * on and its confidence: the probability that the cause is right when the rule fires (docs/verdict-rules.md).
 *
 * <p>Adding a cause: one rule here (in the group where it belongs), one {@link EvidenceCode}, one case in
 * {@link Recommendations} (the compiler asks for it) and in {@link Vocabulary#phaseOf}.
 */
public final class CauseRules {
  private CauseRules() {}

  /** What a cause rule looks at: the facts and where the RST was found to come from. */
  public record Situation(Facts f, LocationRules.Decision where) {
    boolean genuine() {
      return where.emitter() == Emitter.client || where.emitter() == Emitter.server;
    }

    boolean serverSent() {
      return where.emitter() == Emitter.server;
    }

    boolean clientSent() {
      return where.emitter() == Emitter.client;
    }

    /** A device, or nobody could tell (then the device's rules are the likelier explanation). */
    boolean device() {
      return !genuine();
    }

    long idle() {
      return f.thresholds().idleMicros();
    }

    long quick() {
      return f.thresholds().quickMicros();
    }

    boolean silent() {
      return f.last() != null && f.silenceMicros() >= idle();
    }

    /** The newest FIN before the RST, from either side. */
    Pkt fin() {
      Pkt a = f.senderFin();
      Pkt b = f.otherFin();
      return a == null ? b : b == null ? a : a.tsMicros() >= b.tsMicros() ? a : b;
    }

    boolean handshakePhase() {
      return f.packetPhase() == Phase.handshake || f.packetPhase() == Phase.unknown;
    }

    /** The RST answers a segment that arrived just before it (the trigger, within the quick window). */
    boolean answersFreshSegment() {
      return f.trigger() != null && f.before(f.trigger()) <= quick();
    }
  }

  /**
   * One cause rule.
   *
   * @param name       stable name, shown in docs
   * @param condition  the condition in words
   * @param when       the condition
   * @param cause      the cause it gives
   * @param evidence   the evidence it rests on
   * @param confidence the probability that the cause is right when the rule fires
   */
  public record Rule(String name, String condition, Predicate<Situation> when, Cause cause, EvidenceCode evidence,
      double confidence) {}

  /** Rules that apply together. */
  public record Group(String name, String appliesWhen, Predicate<Situation> applies, List<Rule> rules) {}

  private static Rule rule(String name, String condition, Predicate<Situation> when, Cause cause, EvidenceCode code,
      double confidence) {
    return new Rule(name, condition, when, cause, code, confidence);
  }

  // ---- rules used in several groups

  private static final Rule TLS_BLOCK = rule("block_after_client_hello",
      "the client's TLS ClientHello came before the RST", s -> hinted(s, "TLS_CLIENT_HELLO"),
      Cause.tls_block, RST_AFTER_CLIENT_HELLO, 0.9);
  private static final Rule CONTENT_BLOCK = rule("block_after_http_request",
      "the client's HTTP request came before the RST", s -> hinted(s, "HTTP_REQUEST"),
      Cause.content_block, RST_AFTER_HTTP_REQUEST, 0.9);
  private static final Rule KEEPALIVE = rule("keepalive_timeout",
      "the sender's keepalive probes (seq = next - 1) went unanswered, then it reset",
      s -> s.f().keepaliveProbes() > 0 && !s.f().keepalivesAnswered(),
      Cause.idle_timeout, KEEPALIVE_TIMEOUT, 0.9);

  private static boolean hinted(Situation s, String kind) {
    return s.f().hint() != null && kind.equals(s.f().hint().hintKind());
  }

  /** The groups, in the order they are tried. */
  public static final List<Group> GROUPS = List.of(
      new Group("kernel", "an endpoint's kernel reported a reset of this flow (strongest evidence: runs first)",
          s -> !s.f().kernelEvents().isEmpty(),
          // Rules over the kernel's own reset reasons (KERNEL_REASON, KERNEL_SENT_NONE) go here.
          List.of()),
      new Group("collateral", "an endpoint sent it",
          Situation::genuine,
          List.of(rule("answer_after_earlier_rst",
              "an earlier RST ended the connection; the other side kept sending and this RST answers it",
              s -> s.f().earlierRst() != null && s.f().answeredAfterEarlierRst() != null,
              Cause.no_socket, RST_AFTER_RST, 0.85))),
      new Group("server_before_accept", "the server sent it and had sent no payload and no FIN",
          s -> s.serverSent() && s.f().serverBytes() == 0 && s.f().senderFin() == null,
          List.of(
              rule("malformed_syn", "the SYN it answers carried FIN or URG",
                  s -> s.f().synIllegalFlags() && s.f().synAck() == null,
                  Cause.malformed_syn, MALFORMED_SYN, 0.9),
              rule("accept_queue_overflow",
                  "the handshake completed and a RST without ACK answers the client's ACK or first data at once "
                      + "(the listener's full accept queue refusing it)",
                  s -> s.f().handshakeAck() != null && !s.f().withAck() && s.answersFreshSegment(),
                  Cause.backlog_overflow, RST_AFTER_HANDSHAKE, 0.85),
              rule("time_wait_server", "the 4-tuple had an older connection; the server refused the new SYN",
                  s -> s.f().tupleReused() && s.f().syn() != null && s.f().synAck() == null,
                  Cause.time_wait_collision, TUPLE_REUSED, 0.8),
              rule("port_closed", "the RST answers the client's SYN, which got no SYN/ACK",
                  s -> s.f().syn() != null && s.f().synAck() == null,
                  Cause.port_closed, RST_ANSWERS_SYN, 0.9),
              KEEPALIVE,
              rule("never_accepted",
                  "the handshake completed, the server never sent anything, and reset after a silence: a queued "
                      + "connection its program never accepted, reset when the program exited",
                  s -> s.f().handshakeAck() != null,
                  Cause.abort, NEVER_ACCEPTED, 0.65))),
      new Group("client_in_handshake", "the client sent it before any payload or FIN from either side",
          s -> s.clientSent() && s.handshakePhase(),
          List.of(
              rule("time_wait_client",
                  "the server answered the SYN with a bare ACK (its TIME_WAIT socket's challenge), the client reset it",
                  s -> s.f().ackToSyn() != null && s.f().synAck() == null,
                  Cause.time_wait_collision, ACK_TO_SYN, 0.85),
              rule("syn_scan", "SYN, SYN/ACK, then this RST: the client never completed the handshake",
                  s -> s.f().synAck() != null && s.f().handshakeAck() == null,
                  Cause.syn_scan, HALF_OPEN, 0.9),
              rule("connect_scan", "the client completed the handshake and reset at once, without data",
                  s -> s.f().handshakeAck() != null && s.f().before(s.f().handshakeAck()) <= s.quick(),
                  Cause.connect_scan, RST_AFTER_HANDSHAKE, 0.9))),
      new Group("endpoint_established", "an endpoint sent it after payload or a FIN",
          s -> s.genuine() && !s.handshakePhase(),
          List.of(
              KEEPALIVE,
              rule("data_after_close",
                  "the sender had sent its FIN; the other side's data came after it and this RST answers it",
                  s -> s.f().otherDataAfterFin() != null
                      && s.f().before(s.f().otherDataAfterFin()) <= Math.max(s.quick(), s.idle()),
                  Cause.data_after_close, DATA_AFTER_CLOSE, 0.85),
              rule("answer_without_socket",
                  "a RST without ACK whose seq is the ack of the segment it answers, right after it",
                  s -> !s.f().withAck() && s.f().answersSegment() && s.answersFreshSegment() && !s.silent(),
                  Cause.no_socket, REPLY_FORM, 0.7),
              rule("idle_timeout", "the flow was silent for the idle threshold or longer before the RST",
                  Situation::silent,
                  Cause.idle_timeout, SILENCE_BEFORE_RST, 0.8),
              rule("reset_after_peer_fin", "the other side's FIN came shortly before; the sender had not closed",
                  s -> s.f().otherFin() != null && s.f().senderFin() == null
                      && s.f().before(s.f().otherFin()) <= s.f().thresholds().afterFinMicros(),
                  Cause.accelerated_close, RST_AFTER_FIN, 0.6),
              rule("active_abort", "a RST+ACK while the flow was active: the application aborted",
                  s -> s.f().withAck(),
                  Cause.abort, ACTIVE_ABORT, 0.8),
              rule("reply_form", "a RST without ACK: a stack answering a segment for a connection it does not have",
                  s -> !s.f().withAck(),
                  Cause.no_socket, REPLY_FORM, 0.6))),
      new Group("device_in_handshake", "a device sent it (or nobody could tell) before any payload or FIN",
          s -> s.device() && s.handshakePhase(),
          List.of(
              rule("reject_of_syn", "in the server's name, and the server never answered the SYN",
                  s -> !s.f().fromClient() && s.f().synAckClosest() == null,
                  Cause.firewall_reject, NO_SYNACK, 0.9),
              rule("reject_of_synack",
                  "in the client's name toward the server, answering the server's SYN/ACK, which did not get past "
                      + "the device (not seen beyond it, or the client sent its SYN again)",
                  s -> s.f().fromClient() && s.f().trigger() != null && Facts.isSynAck(s.f().trigger())
                      && (Boolean.FALSE.equals(s.f().triggerPassed())
                          || s.f().triggerPassed() == null && s.f().synRepeated() != null),
                  Cause.firewall_reject, TRIGGER_STOPPED, 0.85),
              rule("reject_stopped_trigger", "the segment it answers did not get past the device",
                  s -> Boolean.FALSE.equals(s.f().triggerPassed()),
                  Cause.firewall_reject, TRIGGER_STOPPED, 0.75),
              rule("race_with_synack", "the server's SYN/ACK passed, close in time to the RST: an out-of-band injection",
                  s -> s.f().synAckClosest() != null,
                  Cause.bypass_block, RACE_WITH_SYNACK, 0.85))),
      new Group("device_established", "a device sent it (or nobody could tell) after payload or a FIN",
          CauseRules.Situation::device,
          List.of(
              TLS_BLOCK,
              CONTENT_BLOCK,
              rule("state_lost_reject",
                  "the segment it answers did not get past the device: a stateful device without the flow's "
                      + "entry rejected it",
                  s -> Boolean.FALSE.equals(s.f().triggerPassed()),
                  Cause.state_lost, TRIGGER_STOPPED, 0.8),
              rule("reset_after_fin", "a FIN passed shortly before: a device releasing the session",
                  s -> s.fin() != null && s.f().before(s.fin()) <= s.f().thresholds().afterFinMicros(),
                  Cause.accelerated_close, RST_AFTER_FIN, 0.85),
              rule("state_lost_after_silence",
                  "after a silence: a stateful device's entry expired and it reset the flow",
                  Situation::silent,
                  Cause.state_lost, SILENCE_BEFORE_RST, 0.7),
              rule("injected_mid_flow", "the segment it answers went on past the device: an out-of-band injection",
                  s -> Boolean.TRUE.equals(s.f().triggerPassed()),
                  Cause.content_block, TRIGGER_PASSED, 0.5),
              rule("device_mid_flow", "a device reset the flow mid-stream with nothing else to tell why",
                  s -> true,
                  Cause.state_lost, MID_FLOW_RESET, 0.4))),
      new Group("fallback", "nothing above matched", s -> true,
          List.of(rule("no_rule", "no rule matched", s -> true, Cause.unknown, NO_RULE, 0.3))));

  /** The first matching rule of the first group that applies and has one. */
  public static Rule decide(Situation s) {
    for (Group g : GROUPS) {
      if (!g.applies().test(s)) {
        continue;
      }
      for (Rule r : g.rules()) {
        if (r.when().test(s)) {
          return r;
        }
      }
    }
    throw new IllegalStateException("the fallback rule always holds");
  }

  /** True when the RST's ack is the SYN's sequence number plus one (the answer to that SYN). */
  static boolean acksSyn(Facts f) {
    return f.withAck() && f.syn() != null && SeqMath.diff(f.syn().seq(), f.rstCase().ack()) == 1;
  }
}
