package io.rstscope.processor.evaluate;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Pairs the findings of one run with the RSTs of its truth: same source, destination, sequence and
 * acknowledgment numbers, flags and IP ID, and among identical RSTs the n-th in the truth (which
 * the lab lists in order of appearance) with the n-th finding (analyze prints them in RST time order).
 */
public final class TruthMatching {
  private TruthMatching() {}

  /** One truth RST and the finding about it, or null when there is none (missing). */
  public record Pair(LabTruth.TruthRst truth, Verdict verdict) {
    public boolean missing() {
      return verdict == null;
    }
  }

  /** Every truth RST in its order, and the findings no truth RST claimed. */
  public record Result(List<Pair> pairs, List<Verdict> extra) {}

  public static Result match(List<LabTruth.TruthRst> truth, List<Verdict> findings) {
    Map<RstKey, Deque<Verdict>> byKey = new LinkedHashMap<>();
    for (Verdict v : findings) {
      byKey.computeIfAbsent(v.rst(), k -> new ArrayDeque<>()).addLast(v);
    }
    List<Pair> pairs = new ArrayList<>(truth.size());
    for (LabTruth.TruthRst t : truth) {
      Deque<Verdict> candidates = byKey.get(t.rst());
      pairs.add(new Pair(t, candidates == null ? null : candidates.pollFirst()));
    }
    Set<Verdict> unclaimed = Collections.newSetFromMap(new IdentityHashMap<>());
    byKey.values().forEach(unclaimed::addAll);
    return new Result(pairs, findings.stream().filter(unclaimed::contains).toList());
  }
}
