package io.rstscope.processor.verdict;

import io.rstscope.avro.Cause;
import io.rstscope.avro.Emitter;
import io.rstscope.avro.Phase;
import io.rstscope.schemas.Location;
import java.util.List;

/** The judgement on one RST (RstFinding without the packet facts). Evidence strongest first. */
public record Verdict(
    Emitter emitter,
    Location location,
    boolean forged,
    double confidence,
    Phase phase,
    Cause cause,
    List<Clue> evidence,
    String recommendation,
    String relatedFindingId) {

  /** One named, checkable fact. */
  public record Clue(EvidenceCode code, String detail) {}
}
