package io.rstscope.processor.verdict;

import static io.rstscope.schemas.TcpFlags.ACK;
import static io.rstscope.schemas.TcpFlags.RST;
import static io.rstscope.schemas.TcpFlags.SYN;
import static io.rstscope.schemas.TcpFlags.has;

import io.rstscope.avro.Cause;
import io.rstscope.avro.Emitter;
import io.rstscope.processor.verdict.KernelView.Probe;
import io.rstscope.processor.verdict.KernelView.Report;
import io.rstscope.processor.verdict.RstCase.Pkt;
import io.rstscope.schemas.Location;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The endpoints' kernels' word on a RST, applied after the packets' verdict (RST-FIELD-GUIDE.md section 7). Pure.
 *
 * <ul>
 *   <li>The claimed sender's kernel logged a matching {@code tcp_send_reset}: the RST is that host's, not forged,
 *       and its cause follows from the kernel's reason and state ({@link KernelCauses}); evidence KERNEL_REASON.
 *   <li>The claimed sender was probed (without loss) at the RST's time and its kernel logged none for it: the RST
 *       in its name is forged; evidence KERNEL_SENT_NONE. Silence alone is not proof against packets that fit the
 *       host exactly (see {@link #silenceIsProof}): a recording may have been filtered and lack the event.
 *   <li>The receiver's kernel logged a matching {@code tcp_receive_reset}: this RST ended the connection
 *       (KERNEL_ACCEPTED); when the receiver was probed and accepted another RST instead, KERNEL_NOT_ACCEPTED.
 * </ul>
 *
 * Matching: a kernel report and a RST match when they go the same way and their times (the host's clock, the
 * points' reference clock) are within the view's tolerance. Several RSTs of one direction and several reports
 * are paired closest first, each used once, so an injected RST is not credited with the real one a few
 * milliseconds later. Without kernel reports and probes the verdict is returned unchanged.
 */
public final class KernelVerdict {
  /** Causes that name a device in the middle: a forged RST's packet cause of this kind stands. */
  private static final Set<Cause> MIDDLEBOX_CAUSES = Set.of(Cause.firewall_reject, Cause.bypass_block,
      Cause.tls_block, Cause.content_block, Cause.accelerated_close, Cause.state_lost);

  private KernelVerdict() {}

  public static Verdict apply(RstCase c, Verdict v, KernelView k) {
    if (k.isEmpty()) {
      return v;
    }
    boolean fromClient = c.fromClient();
    String sender = fromClient ? "client" : "server";
    String receiver = fromClient ? "server" : "client";
    Report sent = paired(c, k, true);
    Report accepted = paired(c, k, false);
    List<Verdict.Clue> kernelClues = new ArrayList<>();
    Verdict out = v;
    if (sent != null) {
      KernelCauses.Situation s = new KernelCauses.Situation(sent.reason(), sent.state(), fromClient, answered(c), v.cause());
      KernelCauses.Row row = KernelCauses.match(s);
      Cause cause = row == null || row.cause() == null ? v.cause() : row.cause();
      Location at = fromClient ? Location.CLIENT : Location.SERVER;
      kernelClues.add(new Verdict.Clue(EvidenceCode.KERNEL_REASON, "the " + sender + "'s kernel (" + sent.host()
          + ") sent this RST: " + sent.event() + " " + offset(sent, c) + ", reason " + (sent.reason() == null
          ? "not given (kernel before 6.10)" : sent.reason()) + ", state " + sent.state()
          + (sent.listener() ? " (a listening socket, matched by port)" : "")
          + (row == null ? "; the cause is the packets'" : ": " + row.meaning())));
      out = new Verdict(fromClient ? Emitter.client : Emitter.server, at, false, Math.max(v.confidence(), 0.99),
          v.phase(), cause, v.evidence(), Recommendations.of(cause, Facts.of(c), at), v.relatedFindingId());
    } else if (k.probe(fromClient) == Probe.COMPLETE && silenceIsProof(c, v, k)) {
      Location at = injectedAt(c, v.location());
      Cause cause = v.forged() || MIDDLEBOX_CAUSES.contains(v.cause()) ? v.cause() : forgedCause(c);
      kernelClues.add(new Verdict.Clue(EvidenceCode.KERNEL_SENT_NONE, "the " + sender + "'s kernel was probed and sent no RST"
          + " on this flow within " + ms(k.toleranceMicros()) + " of this one: the RST in its name is forged"));
      out = new Verdict(Emitter.middlebox, at, true, Math.max(v.confidence(), 0.95), v.phase(), cause, v.evidence(),
          Recommendations.of(cause, Facts.of(c), at), v.relatedFindingId());
    }
    if (accepted != null) {
      kernelClues.add(new Verdict.Clue(EvidenceCode.KERNEL_ACCEPTED, "the " + receiver + "'s kernel (" + accepted.host()
          + ") accepted this RST (tcp_receive_reset " + offset(accepted, c) + "): it ended the connection"));
    } else if (k.probe(!fromClient) == Probe.COMPLETE && k.reports().stream()
        .anyMatch(r -> !r.sent() && r.rstFromClient() == fromClient && r.hostIsClient() != fromClient)) {
      kernelClues.add(new Verdict.Clue(EvidenceCode.KERNEL_NOT_ACCEPTED, "the " + receiver + "'s kernel accepted another RST"
          + " of this flow, not this one"));
    }
    if (kernelClues.isEmpty()) {
      return out;
    }
    List<Verdict.Clue> evidence = new ArrayList<>(kernelClues);
    evidence.addAll(out.evidence());
    return new Verdict(out.emitter(), out.location(), out.forged(), out.confidence(), out.phase(), out.cause(),
        evidence, out.recommendation(), out.relatedFindingId());
  }

  /**
   * Whether the claimed sender's kernel saying nothing about this RST proves it forged. It does when the packets
   * already doubt the host (forged, another emitter, or no TTL match at the points) or when that kernel reported
   * another RST of this flow's direction within the tolerance (it watched this flow then, and that report belongs
   * to another RST). It does not when the RST's TTL and sightings fit the host exactly and the kernel reported
   * nothing at all for this direction at that time: a recording may lack events (the lab's, filtered by address,
   * lost a listener's resets without a named peer), and a forged verdict needs proof, not absence.
   */
  static boolean silenceIsProof(RstCase c, Verdict packets, KernelView k) {
    boolean fromClient = c.fromClient();
    boolean fitsTheHost = !packets.forged() && packets.emitter() == (fromClient ? Emitter.client : Emitter.server)
        && packets.evidence().stream().anyMatch(e -> e.code() == EvidenceCode.TTL_MATCH)
        && packets.evidence().stream().noneMatch(e -> e.code() == EvidenceCode.TTL_MISMATCH);
    if (!fitsTheHost) {
      return true;
    }
    long t = firstSighting(c);
    return k.reports().stream().anyMatch(r -> r.sent() && r.rstFromClient() == fromClient
        && Math.abs(r.tsMicros() - t) <= k.toleranceMicros());
  }

  /**
   * The report paired with this RST: the RSTs of its direction (this one and the flow's others, each at its first
   * sighting) and the reports of the same kind about that direction, paired closest in time first, each once.
   */
  static Report paired(RstCase c, KernelView k, boolean sent) {
    boolean fromClient = c.fromClient();
    List<Report> reports = k.reports().stream()
        .filter(r -> r.sent() == sent && r.rstFromClient() == fromClient).toList();
    if (reports.isEmpty()) {
      return null;
    }
    Map<String, Long> rsts = new LinkedHashMap<>();
    rsts.put(c.findingId(), firstSighting(c));
    for (Pkt p : c.packets()) {
      if (p.rstId() != null && has(p.flags(), RST) && p.fromClient() == fromClient) {
        rsts.merge(p.rstId(), p.tsMicros(), Math::min);
      }
    }
    record Pair(String rst, int report, long distance) {}
    List<Pair> pairs = new ArrayList<>();
    for (Map.Entry<String, Long> rst : rsts.entrySet()) {
      for (int i = 0; i < reports.size(); i++) {
        long d = Math.abs(reports.get(i).tsMicros() - rst.getValue());
        if (d <= k.toleranceMicros()) {
          pairs.add(new Pair(rst.getKey(), i, d));
        }
      }
    }
    pairs.sort(Comparator.comparingLong(Pair::distance));
    Map<String, Integer> rstTaken = new HashMap<>();
    boolean[] reportTaken = new boolean[reports.size()];
    for (Pair p : pairs) {
      if (rstTaken.containsKey(p.rst()) || reportTaken[p.report()]) {
        continue;
      }
      rstTaken.put(p.rst(), p.report());
      reportTaken[p.report()] = true;
    }
    Integer mine = rstTaken.get(c.findingId());
    return mine == null ? null : reports.get(mine);
  }

  private static long firstSighting(RstCase c) {
    return c.sightings().stream().mapToLong(RstCase.Sighting::tsMicros).min().orElse(0);
  }

  private static String offset(Report r, RstCase c) {
    long d = r.tsMicros() - firstSighting(c);
    return String.format(Locale.ROOT, "%+.1f ms from the first sighting", d / 1000.0);
  }

  private static String ms(long micros) {
    return String.format(Locale.ROOT, "%.0f ms", micros / 1000.0);
  }

  /** The last segment of the other side before the RST. */
  static KernelCauses.Answered answered(RstCase c) {
    long t = firstSighting(c);
    Pkt last = null;
    for (Pkt p : c.packets()) {
      if (p.fromClient() != c.fromClient() && !p.progress() && !has(p.flags(), RST) && p.tsMicros() <= t) {
        last = p;
      }
    }
    if (last != null && has(last.flags(), SYN)) {
      return has(last.flags(), ACK) ? KernelCauses.Answered.SYN_ACK : KernelCauses.Answered.SYN;
    }
    return KernelCauses.Answered.OTHER;
  }

  /**
   * Where a RST the claimed host did not send came from: the packets' segment when they found one; when they
   * took it for the host's own, the stretch between the host and the point nearest it (it passed every point).
   */
  static Location injectedAt(RstCase c, Location packets) {
    if (packets instanceof Location.Segment) {
      return packets;
    }
    if (c.path().isEmpty()) {
      return Location.UNKNOWN;
    }
    return c.fromClient() ? Location.segment("client", c.path().get(0))
        : Location.segment(c.path().get(c.path().size() - 1), "server");
  }

  /** A cause for a forged RST the packets had taken for the host's: what it answered, or the payload it followed. */
  static Cause forgedCause(RstCase c) {
    Pkt hint = null;
    boolean synAck = false;
    long t = firstSighting(c);
    for (Pkt p : c.packets()) {
      if (p.tsMicros() > t) {
        continue;
      }
      if (p.hintKind() != null) {
        hint = p;
      }
      synAck |= !p.fromClient() && has(p.flags(), SYN) && has(p.flags(), ACK);
    }
    if (hint != null) {
      return "TLS_CLIENT_HELLO".equals(hint.hintKind()) ? Cause.tls_block : Cause.content_block;
    }
    if (answered(c) == KernelCauses.Answered.SYN && !synAck) {
      return Cause.firewall_reject;
    }
    return synAck ? Cause.bypass_block : Cause.unknown;
  }
}
