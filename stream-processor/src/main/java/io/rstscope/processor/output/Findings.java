package io.rstscope.processor.output;

import io.rstscope.avro.Evidence;
import io.rstscope.avro.FlowRoles;
import io.rstscope.avro.RstFinding;
import io.rstscope.avro.RstIdentity;
import io.rstscope.avro.Sighting;
import io.rstscope.processor.verdict.RstCase;
import io.rstscope.processor.verdict.Verdict;
import io.rstscope.schemas.TcpFlags;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Puts a case and its verdict into the RstFinding contract. */
public final class Findings {
  private Findings() {}

  public static RstFinding of(RstCase c, Verdict v, String communityId, Instant decidedAt) {
    String src = c.fromClient() ? c.client() : c.server();
    String dst = c.fromClient() ? c.server() : c.client();
    List<Sighting> sightings = new ArrayList<>();
    long first = Long.MAX_VALUE;
    // In path order, client side first; points off the path last.
    List<RstCase.Sighting> ordered = new ArrayList<>(c.sightings());
    ordered.sort(java.util.Comparator.comparingInt((RstCase.Sighting s) -> {
      int i = c.path().indexOf(s.point());
      return i < 0 ? Integer.MAX_VALUE : i;
    }).thenComparing(RstCase.Sighting::point));
    for (RstCase.Sighting s : ordered) {
      sightings.add(new Sighting(s.point(), Micros.toInstant(s.rawMicros()), s.ttl()));
      first = Math.min(first, s.tsMicros());
    }
    List<Evidence> evidence = v.evidence().stream().map(e -> new Evidence(e.code(), e.detail())).toList();
    return RstFinding.newBuilder()
        .setFindingId(c.findingId())
        .setCommunityId(communityId)
        .setFlow(new FlowRoles(c.client(), c.server(), "tcp", c.rolesFrom()))
        .setRst(new RstIdentity(src, dst, c.seq(), TcpFlags.has(c.flags(), TcpFlags.ACK) ? c.ack() : 0,
            TcpFlags.letters(c.flags()), c.ipId()))
        .setSightings(sightings)
        .setEmitter(v.emitter())
        .setLocation(v.location())
        .setForged(v.forged())
        .setConfidence(v.confidence())
        .setPhase(v.phase())
        .setCause(v.cause())
        .setEvidence(new ArrayList<>(evidence))
        .setRecommendation(v.recommendation())
        .setRelatedFindingId(v.relatedFindingId())
        .setRstTime(Micros.toInstant(first))
        .setDecidedAt(decidedAt)
        .build();
  }
}
