package io.rstscope.processor.evaluate;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Verdicts against the lab's truth, over many configurations and both ways of running analyze.
 * A truth RST without a finding counts as wrong in every field; findings no truth RST claims are
 * counted apart. "Fully right" means all five fields right.
 */
public final class Scoreboard {
  /** Shown in the confusion matrix for a truth RST without a finding. */
  static final String NO_FINDING = "(none)";

  /** Confidence bins of the calibration table: lower bound inclusive, upper exclusive except the last. */
  static final double[] CALIBRATION_BOUNDS = {0.0, 0.5, 0.7, 0.9, 1.0};

  /** Counts of one run mode. */
  static final class Tally {
    int judged;
    int missing;
    int extra;
    int fullyRight;
    final Map<ScoredField, Integer> right = new EnumMap<>(ScoredField.class);

    int right(ScoredField field) {
      return right.getOrDefault(field, 0);
    }
  }

  /** One false accusation of forgery: the truth says the RST's own source sent it. */
  public record FalseForged(String configuration, RunMode mode, RstKey rst, String truthEmitter, List<String> evidence) {}

  private final Map<RunMode, Tally> tallies = new EnumMap<>(RunMode.class);
  private final Map<String, Map<String, Integer>> confusion = new TreeMap<>();
  private final int[] calibrationCount = new int[CALIBRATION_BOUNDS.length - 1];
  private final int[] calibrationRight = new int[CALIBRATION_BOUNDS.length - 1];
  private final List<FalseForged> falseForged = new ArrayList<>();
  private final List<String> details = new ArrayList<>();
  private final List<String> failures = new ArrayList<>();
  private int configurations;
  private int truthRsts;

  public Scoreboard() {
    for (RunMode mode : RunMode.values()) {
      tallies.put(mode, new Tally());
    }
  }

  /** A configuration about to be scored: its truth RSTs count once in N, whatever the runs do. */
  public void configuration(LabTruth truth) {
    configurations++;
    truthRsts += truth.rsts().size();
  }

  /** One analyze run's findings, matched against its configuration's truth. */
  public void add(String configuration, RunMode mode, TruthMatching.Result matched) {
    Tally tally = tallies.get(mode);
    for (TruthMatching.Pair pair : matched.pairs()) {
      LabTruth.Expected expected = pair.truth().expected();
      tally.judged++;
      String where = configuration + " [" + mode.label + "] " + pair.truth().rst();
      if (pair.missing()) {
        tally.missing++;
        confusion(expected.cause(), NO_FINDING);
        details.add(where + ": no finding (truth " + expected.emitter() + " " + expected.location() + " forged "
            + expected.forged() + " " + expected.phase() + " " + expected.cause() + ")");
        continue;
      }
      Verdict v = pair.verdict();
      List<String> wrong = new ArrayList<>();
      for (ScoredField field : ScoredField.values()) {
        if (field.right(expected, v)) {
          tally.right.merge(field, 1, Integer::sum);
        } else {
          wrong.add(field.label + " " + field.truth(expected) + " vs " + field.verdict(v));
        }
      }
      confusion(expected.cause(), v.cause());
      int bin = calibrationBin(v.confidence());
      calibrationCount[bin]++;
      if (wrong.isEmpty()) {
        tally.fullyRight++;
        calibrationRight[bin]++;
      } else {
        details.add(where + ": " + String.join(", ", wrong) + " (truth vs verdict; confidence "
            + String.format(Locale.ROOT, "%.2f", v.confidence()) + kernel(pair.truth()) + "; evidence " + v.evidenceCodes() + ")");
      }
      if (v.forged() && !expected.forged()) {
        falseForged.add(new FalseForged(configuration, mode, v.rst(), expected.emitter(), v.evidenceCodes()));
      }
    }
    for (Verdict v : matched.extra()) {
      tally.extra++;
      details.add(configuration + " [" + mode.label + "] " + v.rst() + ": finding for a RST not in the truth ("
          + v.emitter() + " " + v.location() + " " + v.cause() + ")");
    }
  }

  /** analyze could not run on a configuration: its truth RSTs count as missing in that mode. */
  public void failed(String configuration, RunMode mode, LabTruth truth, String reason) {
    failures.add(configuration + " [" + mode.label + "]: " + reason);
    add(configuration, mode, TruthMatching.match(truth.rsts(), List.of()));
  }

  private static String kernel(LabTruth.TruthRst t) {
    return t.kernel() == null ? "" : "; kernel " + t.kernel().reason() + " in " + t.kernel().state();
  }

  private void confusion(String truthCause, String verdictCause) {
    confusion.computeIfAbsent(truthCause, k -> new TreeMap<>()).merge(verdictCause, 1, Integer::sum);
  }

  static int calibrationBin(double confidence) {
    for (int i = 1; i < CALIBRATION_BOUNDS.length - 1; i++) {
      if (confidence < CALIBRATION_BOUNDS[i]) {
        return i - 1;
      }
    }
    return CALIBRATION_BOUNDS.length - 2;
  }

  public int truthRsts() {
    return truthRsts;
  }

  public int configurations() {
    return configurations;
  }

  public List<FalseForged> falseForged() {
    return List.copyOf(falseForged);
  }

  public List<String> failures() {
    return List.copyOf(failures);
  }

  /** Per cent of verdicts right in a field, both run modes pooled; 100 when nothing was judged. */
  public double percentRight(ScoredField field) {
    int judged = 0;
    int right = 0;
    for (Tally t : tallies.values()) {
      judged += t.judged;
      right += t.right(field);
    }
    return percent(right, judged);
  }

  Tally tally(RunMode mode) {
    return tallies.get(mode);
  }

  int confusionCount(String truthCause, String verdictCause) {
    return confusion.getOrDefault(truthCause, Map.of()).getOrDefault(verdictCause, 0);
  }

  int[] calibrationCounts() {
    return calibrationCount.clone();
  }

  int[] calibrationRight() {
    return calibrationRight.clone();
  }

  static double percent(int part, int whole) {
    return whole == 0 ? 100.0 : 100.0 * part / whole;
  }

  private static String pct(double value) {
    return String.format(Locale.ROOT, "%.1f%%", value);
  }

  /** The last line of {@code lab score}. */
  public String scoreLine() {
    return String.format(Locale.ROOT, "score: %d RSTs, location %.1f%%, forged %.1f%%, cause %.1f%%, false-forged %d",
        truthRsts, percentRight(ScoredField.LOCATION), percentRight(ScoredField.FORGED), percentRight(ScoredField.CAUSE),
        falseForged.size());
  }

  /** Everything but the score line: accuracy per field and mode, confusion matrix, false forgeries, calibration. */
  public String report() {
    StringBuilder out = new StringBuilder();
    out.append(String.format(Locale.ROOT, "%d configurations, %d RSTs in their truth, each judged twice (with and without --path)%n",
        configurations, truthRsts));
    out.append(String.format(Locale.ROOT, "%nfield accuracy%n%-14s %8s", "run", "judged"));
    for (ScoredField f : ScoredField.values()) {
      out.append(String.format(Locale.ROOT, " %9s", f.label));
    }
    out.append(String.format(Locale.ROOT, " %11s %7s %5s%n", "fully right", "missing", "extra"));
    for (RunMode mode : RunMode.values()) {
      Tally t = tallies.get(mode);
      out.append(String.format(Locale.ROOT, "%-14s %8d", mode.label, t.judged));
      for (ScoredField f : ScoredField.values()) {
        out.append(String.format(Locale.ROOT, " %9s", pct(percent(t.right(f), t.judged))));
      }
      out.append(String.format(Locale.ROOT, " %11s %7d %5d%n", pct(percent(t.fullyRight, t.judged)), t.missing, t.extra));
    }

    out.append(String.format(Locale.ROOT, "%ncause confusion, both runs (rows: truth, columns: verdict; %s = no finding)%n", NO_FINDING));
    TreeSet<String> columns = new TreeSet<>();
    confusion.values().forEach(row -> columns.addAll(row.keySet()));
    int width = Math.max(12, columns.stream().mapToInt(String::length).max().orElse(0));
    int rowWidth = Math.max(20, confusion.keySet().stream().mapToInt(String::length).max().orElse(0));
    out.append(String.format(Locale.ROOT, "%-" + rowWidth + "s", "truth \\ verdict"));
    columns.forEach(c -> out.append(String.format(Locale.ROOT, " %" + width + "s", c)));
    out.append('\n');
    confusion.forEach((truth, row) -> {
      out.append(String.format(Locale.ROOT, "%-" + rowWidth + "s", truth));
      columns.forEach(c -> {
        Integer n = row.get(c);
        out.append(String.format(Locale.ROOT, " %" + width + "s", n == null ? "." : n.toString()));
      });
      out.append('\n');
    });

    out.append(String.format(Locale.ROOT, "%nfalse forged=true on endpoint RSTs: %d%n", falseForged.size()));
    for (FalseForged f : falseForged) {
      out.append(String.format(Locale.ROOT, "  %s [%s] %s: sent by the %s, evidence %s%n",
          f.configuration(), f.mode().label, f.rst(), f.truthEmitter(), f.evidence()));
    }

    out.append(String.format(Locale.ROOT, "%nconfidence calibration, both runs (fully right = all five fields)%n%-10s %7s %12s%n",
        "confidence", "count", "fully right"));
    for (int i = 0; i < calibrationCount.length; i++) {
      out.append(String.format(Locale.ROOT, "%.1f-%.1f    %7d %12s%n", CALIBRATION_BOUNDS[i], CALIBRATION_BOUNDS[i + 1],
          calibrationCount[i], calibrationCount[i] == 0 ? "-" : pct(percent(calibrationRight[i], calibrationCount[i]))));
    }
    if (!failures.isEmpty()) {
      out.append(String.format(Locale.ROOT, "%nanalyze failed (its RSTs count as missing): %d%n", failures.size()));
      failures.forEach(f -> out.append("  ").append(f).append('\n'));
    }
    return out.toString();
  }

  /** Every wrong, missing and extra verdict, one per line. */
  public List<String> details() {
    return List.copyOf(details);
  }
}
