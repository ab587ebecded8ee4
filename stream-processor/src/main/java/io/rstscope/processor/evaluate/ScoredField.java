package io.rstscope.processor.evaluate;

import java.util.function.Function;

/** The verdict fields the lab's truth checks, each with where its right value and the verdict's value are read. */
public enum ScoredField {
  /** Who sent the RST: client, server, middlebox. */
  EMITTER("emitter", LabTruth.Expected::emitter, Verdict::emitter),
  /** Where on the path: an endpoint or the segment between two points. */
  LOCATION("location", LabTruth.Expected::location, Verdict::location),
  /** Whether the RST's source address is not its emitter's. */
  FORGED("forged", e -> Boolean.toString(e.forged()), v -> Boolean.toString(v.forged())),
  /** Handshake, data or teardown. */
  PHASE("phase", LabTruth.Expected::phase, Verdict::phase),
  /** Why the RST was sent. */
  CAUSE("cause", LabTruth.Expected::cause, Verdict::cause);

  public final String label;
  private final Function<LabTruth.Expected, String> truth;
  private final Function<Verdict, String> verdict;

  ScoredField(String label, Function<LabTruth.Expected, String> truth, Function<Verdict, String> verdict) {
    this.label = label;
    this.truth = truth;
    this.verdict = verdict;
  }

  public String truth(LabTruth.Expected expected) {
    return truth.apply(expected);
  }

  public String verdict(Verdict v) {
    return verdict.apply(v);
  }

  public boolean right(LabTruth.Expected expected, Verdict v) {
    return java.util.Objects.equals(truth(expected), verdict(v));
  }
}
