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
import org.apache.avro.AvroRuntimeException;

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
    List<Evidence> evidence = new ArrayList<>(v.evidence().size());
    for (Verdict.Clue e : v.evidence()) {
      evidence.add(new Evidence(e.code().name(), e.detail()));
    }
    // The all-fields constructor, not RstFinding.newBuilder(): the builder costs an allocation of its own
    // and a schema check per field, on a path taken once per RST. It also refused nulls where the
    // schema has none, so those checks stay here: a null must fail now, not in the sink's serializer.
    return new RstFinding(
        required(c.findingId(), "findingId"),
        required(communityId, "communityId"),
        new FlowRoles(c.client(), c.server(), "tcp", c.rolesFrom()),
        new RstIdentity(src, dst, c.seq(), TcpFlags.has(c.flags(), TcpFlags.ACK) ? c.ack() : 0,
            TcpFlags.letters(c.flags()), c.ipId()),
        sightings,
        required(v.emitter(), "emitter"),
        required(v.location(), "location").text(),
        v.forged(),
        v.confidence(),
        required(v.phase(), "phase"),
        required(v.cause(), "cause"),
        evidence,
        required(v.recommendation(), "recommendation"),
        v.relatedFindingId(),
        Micros.toInstant(first),
        required(decidedAt, "decidedAt"),
        null, null, null);
  }

  private static <T> T required(T value, String field) {
    if (value == null) {
      throw new AvroRuntimeException("Field " + field + " of RstFinding does not accept null values");
    }
    return value;
  }
}
