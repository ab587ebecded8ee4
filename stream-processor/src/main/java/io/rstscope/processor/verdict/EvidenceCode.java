package io.rstscope.processor.verdict;

/**
 * Every kind of evidence a finding can carry, with a stable name (SIEM rules match on it: never rename one).
 * Evidence is listed strongest first: the clues of the rules that decided the location and the cause, then
 * the others by their {@link Weight}. The list for users is in docs/verdict-rules.md.
 */
public enum EvidenceCode {
  // ---- where the RST was made
  /** A point upstream in the RST's direction of travel was capturing and saw this flow, but not this RST. */
  NOT_SEEN_AT(Weight.DECISIVE),
  /** A point upstream was capturing but saw no packet of this flow: the other side's packets were stopped before it. */
  FLOW_NOT_SEEN_AT(Weight.DECISIVE),
  /** The upstream point also missed packets of the claimed sender that passed it: its missing the RST proves nothing. */
  UPSTREAM_MISSED_PACKETS(Weight.STRONG),
  /** The upstream point was not capturing (or never reported) at the RST's time: no conclusion from its absence. */
  NOT_CAPTURING(Weight.CONTEXT),
  /** A point expected to report never did: decided without it. */
  POINT_SILENT(Weight.CONTEXT),
  /** Where the RST was seen first, and every sighting with its TTL in the RST's direction of travel. */
  SEEN_FIRST_AT(Weight.CONTEXT),
  /** The RST's TTL differs from the claimed sender's own packets just before it at the same point. */
  TTL_MISMATCH(Weight.STRONG),
  /** The RST's TTL equals the claimed sender's own packets' just before it at every point that saw both. */
  TTL_MATCH(Weight.SUPPORTING),
  /** The claimed sender's TTL changed during the flow (a route change) and the RST matches only older packets. */
  TTL_ROUTE_CHANGE(Weight.SUPPORTING),
  /** The claimed sender's only packets at the point are SYNs, which raw-socket tools craft with their own TTL. */
  CRAFTED_SYN_TTL(Weight.SUPPORTING),
  /** No other packet of the claimed sender at the points that saw the RST: its TTL cannot be checked. */
  NO_SENDER_BASELINE(Weight.CONTEXT),
  /** The RST's TTL is used by neither endpoint's packets at the points that saw it: a device with its own TTL. */
  TTL_NO_ENDPOINT(Weight.SUPPORTING),
  /** Hop counts from the usual initial TTLs (64, 128, 255): context only, never proof. */
  HOP_DISTANCE(Weight.CONTEXT),
  /** The claimed sender kept sending after its own RST, on the same connection. */
  DATA_AFTER_RST(Weight.STRONG),
  /** Several RSTs in the claimed sender's name with spread sequence numbers: an injector covering the window. */
  SPREAD_SEQ_RSTS(Weight.STRONG),
  /** The RST's sequence number is far from anything the claimed sender used and answers no segment. */
  SEQ_OUT_OF_WINDOW(Weight.SUPPORTING),
  /** The RST's sequence number is not the claimed sender's next one (context). */
  SEQ_NOT_NEXT(Weight.CONTEXT),
  /** The evidence points both ways; the competing explanations are in the detail. */
  EVIDENCE_CONFLICT(Weight.DECISIVE),

  // ---- why: the packets around the RST
  /** An earlier RST ended the connection; the other side kept sending and this RST answered it. */
  RST_AFTER_RST(Weight.STRONG),
  /** The RST came right after the server's SYN/ACK. */
  RST_AFTER_SYNACK(Weight.SUPPORTING),
  /** The server's real SYN/ACK and the RST in its name were seen close together: an injection racing it. */
  RACE_WITH_SYNACK(Weight.STRONG),
  /** The server never answered the SYN: the RST in its name answered it instead. */
  NO_SYNACK(Weight.SUPPORTING),
  /** The packet the RST answers did not get past the place the RST came from: a reject, not an injection. */
  TRIGGER_STOPPED(Weight.STRONG),
  /** The packet the RST answers went on past the place the RST came from: an out-of-band injection. */
  TRIGGER_PASSED(Weight.SUPPORTING),
  /** The client's SYN carried flags a SYN may not carry. */
  MALFORMED_SYN(Weight.STRONG),
  /** The reset came right after the handshake completed, before the server sent anything. */
  RST_AFTER_HANDSHAKE(Weight.STRONG),
  /** This 4-tuple had a connection that ended before this SYN. */
  TUPLE_REUSED(Weight.STRONG),
  /** The RST answers the client's SYN (ack = SYN seq + 1). */
  RST_ANSWERS_SYN(Weight.STRONG),
  /** The server answered the SYN with a bare ACK (its TIME_WAIT of an older connection), and the client reset it. */
  ACK_TO_SYN(Weight.STRONG),
  /** SYN, SYN/ACK, then this RST from the client: the handshake never completed. */
  HALF_OPEN(Weight.STRONG),
  /** The server completed the handshake and never sent anything; the reset came after a silence. */
  NEVER_ACCEPTED(Weight.STRONG),
  /** The sender's keepalive probes (seq = its next sequence number - 1) went unanswered before it reset. */
  KEEPALIVE_TIMEOUT(Weight.STRONG),
  /** The other side sent data after the sender's FIN; this RST answers it. */
  DATA_AFTER_CLOSE(Weight.STRONG),
  /** The RST came after the client's TLS ClientHello (SNI in the detail). */
  RST_AFTER_CLIENT_HELLO(Weight.STRONG),
  /** The RST came after the client's HTTP request (method, host and target in the detail). */
  RST_AFTER_HTTP_REQUEST(Weight.STRONG),
  /** The RST came soon after a FIN. */
  RST_AFTER_FIN(Weight.STRONG),
  /** The flow was silent before the RST (how long, and who had sent last). */
  SILENCE_BEFORE_RST(Weight.SUPPORTING),
  /** A RST without ACK answering a segment: how a stack answers a segment for a connection it does not have. */
  REPLY_FORM(Weight.SUPPORTING),
  /** A RST+ACK at the sender's next sequence number while the flow was active: an application's abort. */
  ACTIVE_ABORT(Weight.SUPPORTING),
  /** A device reset the flow mid-stream, with no hint, FIN or silence before it to tell why. */
  MID_FLOW_RESET(Weight.SUPPORTING),
  /** The RST carries only the RST flag. */
  RST_WITHOUT_ACK(Weight.CONTEXT),
  /** No cause rule matched: the packets do not tell why. */
  NO_RULE(Weight.CONTEXT),

  // ---- the endpoints' kernels (kernel probes or their recordings), applied after the packets' verdict
  /** The claimed sender's kernel reported sending this RST (tcp_send_reset): its reason and socket state. */
  KERNEL_REASON(Weight.DECISIVE),
  /** The claimed sender's kernel was probed without loss and reported no RST of this direction, while another RST of it was reported. */
  KERNEL_SENT_NONE(Weight.DECISIVE),
  /** The receiver's kernel accepted this RST (tcp_receive_reset): it ended the connection. */
  KERNEL_ACCEPTED(Weight.STRONG),
  /** The receiver's kernel was probed and accepted another RST of this flow, not this one. */
  KERNEL_NOT_ACCEPTED(Weight.SUPPORTING),

  // ---- how the verdict was taken
  /** Decided after the wall-clock limit without every point's watermark: evidence may be incomplete. */
  VERDICT_TIMEOUT(Weight.CONTEXT),
  /** A point dropped summaries (its buffer overflowed) in the RST's window: what it did not report is unknown. */
  EVIDENCE_INCOMPLETE(Weight.CONTEXT);

  /** How much a clue weighs when it did not decide the verdict itself: orders the evidence list. */
  public enum Weight { DECISIVE, STRONG, SUPPORTING, CONTEXT }

  private final Weight weight;

  EvidenceCode(Weight weight) {
    this.weight = weight;
  }

  public Weight weight() {
    return weight;
  }
}
