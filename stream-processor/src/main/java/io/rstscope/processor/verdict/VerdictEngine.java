package io.rstscope.processor.verdict;

import io.rstscope.avro.Cause;
import io.rstscope.avro.Phase;
import io.rstscope.processor.verdict.CauseRules.Situation;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The verdict on one RST. Pure: same case, same verdict. Facts first ({@link Facts}), then who and where
 * ({@link LocationRules}), then why ({@link CauseRules}); the finding's phase is the cause's own
 * ({@link Vocabulary#phaseOf}) or, for collateral and unknown causes, what the connection had done.
 *
 * <p>Confidence is the lower of the two deciding rules' confidences (each documented with its rule as the
 * probability that what it decides is right): a finding is as sure as its weaker half.
 *
 * <p>Evidence: the location rule's, then the cause rule's, then every other clue that holds, strongest first.
 */
public final class VerdictEngine {
  private VerdictEngine() {}

  public static Verdict decide(RstCase c) {
    Facts f = Facts.of(c);
    LocationRules.Decision where = LocationRules.decide(f);
    Situation s = new Situation(f, where);
    CauseRules.Rule why = CauseRules.decide(s);
    Phase phase = Vocabulary.phaseOf(why.cause());
    if (phase == null) {
      phase = f.packetPhase();
    }
    List<Verdict.Clue> evidence = new ArrayList<>();
    Set<EvidenceCode> done = EnumSet.noneOf(EvidenceCode.class);
    for (EvidenceCode decided : List.of(where.rule().evidence(), why.evidence())) {
      if (done.add(decided)) {
        Clues.details(decided, s, true).forEach(d -> evidence.add(new Verdict.Clue(decided, d)));
      }
    }
    List<EvidenceCode> others = new ArrayList<>(EnumSet.complementOf(EnumSet.copyOf(done)));
    others.sort(Comparator.comparing(EvidenceCode::weight)); // stable: declaration order within a weight
    for (EvidenceCode code : others) {
      Clues.details(code, s, false).forEach(d -> evidence.add(new Verdict.Clue(code, d)));
    }
    double confidence = Math.round(Math.min(where.confidence(), why.confidence()) * 100) / 100.0;
    String related = why.cause() == Cause.no_socket && why.evidence() == EvidenceCode.RST_AFTER_RST
        ? f.earlierRst().rstId() : null;
    return new Verdict(where.emitter(), where.location(), where.forged(), confidence, phase, why.cause(),
        List.copyOf(evidence), Recommendations.of(why.cause(), f, where.location()), related);
  }
}
