package io.rstscope.processor.zeek;

import java.util.List;
import java.util.function.Predicate;

/**
 * Zeek's {@code conn_state} of a TCP connection, decided from the final state of both endpoints
 * (and, for RSTOS0, the history). The rules are tried in the order of {@link #RULES}; the first that
 * holds names the state. The table is Zeek's ({@code scripts/base/protocols/conn/main.zeek}).
 */
public enum ConnState {
  /** The originator sent a SYN and nothing came back. */
  S0,
  /** Established, never closed. */
  S1,
  /** Established and closed by both sides (a RST after both FINs still counts). */
  SF,
  /** The attempt was refused: the responder answered the SYN with a RST. */
  REJ,
  /** Established, the originator closed, the responder did not. */
  S2,
  /** Established, the responder closed, the originator did not. */
  S3,
  /** Established, then aborted by the originator's RST. */
  RSTO,
  /** The responder sent a RST that was not a plain refusal of a SYN. */
  RSTR,
  /** The originator sent a SYN and then a RST; no SYN-ACK came back. */
  RSTOS0,
  /** The responder sent a SYN-ACK (or data) and then a RST; no SYN from the originator was seen. */
  RSTRH,
  /** The originator sent a SYN and then a FIN; the responder never answered (half open). */
  SH,
  /** The responder sent a SYN-ACK and then a FIN; no SYN from the originator was seen. */
  SHR,
  /** Nothing above fits: mid-stream traffic, no SYN seen. */
  OTH;

  /** What the rules look at. */
  public record Ends(EndpointState orig, EndpointState resp, long origBytes, long respBytes, String history) {}

  /** One named rule: the condition, said in words, and as code. */
  public record Rule(ConnState state, String condition, Predicate<Ends> holds) {}

  /** In order; the first rule that holds wins. */
  public static final List<Rule> RULES = List.of(
      new Rule(REJ, "responder RESET, originator SYN_SENT or SYN_ACK_SENT, or both RESET without payload",
          e -> e.resp == EndpointState.RESET && (e.orig == EndpointState.SYN_SENT || e.orig == EndpointState.SYN_ACK_SENT
              || e.orig == EndpointState.RESET && e.origBytes == 0 && e.respBytes == 0)),
      new Rule(RSTRH, "responder RESET, originator inactive or partial",
          e -> e.resp == EndpointState.RESET && e.orig.inactive()),
      new Rule(RSTR, "responder RESET otherwise", e -> e.resp == EndpointState.RESET),
      new Rule(RSTOS0, "originator RESET, responder inactive, history SYN ... RST with no H, A, F, G, I or Q between",
          e -> e.orig == EndpointState.RESET && e.resp.inactive() && e.history.matches("\\^?S[^HAFGIQ]*R.*")),
      new Rule(OTH, "originator RESET, responder inactive otherwise", e -> e.orig == EndpointState.RESET && e.resp.inactive()),
      new Rule(RSTO, "originator RESET otherwise", e -> e.orig == EndpointState.RESET),
      new Rule(SF, "both CLOSED", e -> e.orig == EndpointState.CLOSED && e.resp == EndpointState.CLOSED),
      new Rule(SH, "originator CLOSED, responder inactive", e -> e.orig == EndpointState.CLOSED && e.resp.inactive()),
      new Rule(S2, "originator CLOSED otherwise", e -> e.orig == EndpointState.CLOSED),
      new Rule(SHR, "responder CLOSED, originator inactive", e -> e.resp == EndpointState.CLOSED && e.orig.inactive()),
      new Rule(S3, "responder CLOSED otherwise", e -> e.resp == EndpointState.CLOSED),
      new Rule(S0, "originator SYN_SENT, responder INACTIVE",
          e -> e.orig == EndpointState.SYN_SENT && e.resp == EndpointState.INACTIVE),
      new Rule(S1, "both ESTABLISHED", e -> e.orig == EndpointState.ESTABLISHED && e.resp == EndpointState.ESTABLISHED),
      new Rule(OTH, "anything else", e -> true));

  public static ConnState of(Ends ends) {
    for (Rule r : RULES) {
      if (r.holds.test(ends)) {
        return r.state;
      }
    }
    return OTH;
  }
}
