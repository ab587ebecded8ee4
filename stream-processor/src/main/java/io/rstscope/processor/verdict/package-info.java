/**
 * The verdict on one RST, pure and unit-tested apart from Kafka: {@link io.rstscope.processor.verdict.RstJudge}.
 *
 * <p>Order of reasoning, strongest evidence first (RST-FIELD-GUIDE.md section 6):
 * <ol>
 *   <li>Where: the point nearest the claimed sender that saw the RST, and the one just upstream of
 *       it in the RST's direction of travel. If that upstream point was capturing and saw the flow
 *       but not the RST (NOT_SEEN_AT), or was capturing and saw nothing of the flow because the
 *       other side's packets were stopped before it (FLOW_NOT_SEEN_AT: a firewall answering the
 *       SYN), the RST was made between the two: a middlebox, forged.</li>
 *   <li>Otherwise the single-point tells: TTL against the claimed sender's own packets at the same
 *       point (a raw-socket SYN with its own TTL, as scanners send, is not held against the kernel's
 *       RST when both share an initial TTL), data from the claimed sender after its own RST, several
 *       RSTs with spread sequence numbers, a sequence number far outside any window.</li>
 *   <li>Phase from what the connection (since its newest SYN) did before the RST; then the cause
 *       from phase, emitter and the packets just before it, with Linux's RST forms in mind: an
 *       active reset (abort, linger 0) carries ACK; a reset answering an ACK-bearing segment for a
 *       socket that does not exist (no_socket, an overflowing accept queue, a half-open probe) has
 *       seq = that segment's ack and no ACK.</li>
 * </ol>
 * The idle threshold defaults to 3 s (the lab's idle servers time out after about 3 s; devices
 * often use 120 s or more, which are idle_timeout under any threshold below them).
 */
package io.rstscope.processor.verdict;
