package io.rstscope.processor.evaluate;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The bars a score must reach; a null bar is not checked. Percentages are compared unrounded, so
 * 98.96% fails a 99% bar although the score line prints it as 99.0%.
 */
public record Thresholds(Double minLocationPercent, Double minForgedPercent, Double minCausePercent, Integer maxFalseForged) {

  public static final Thresholds NONE = new Thresholds(null, null, null, null);

  /** One phrase per bar not reached, e.g. "cause 93.20% < 95%"; empty when all hold. */
  public List<String> unmet(Scoreboard score) {
    List<String> unmet = new ArrayList<>();
    atLeast(unmet, ScoredField.LOCATION, minLocationPercent, score);
    atLeast(unmet, ScoredField.FORGED, minForgedPercent, score);
    atLeast(unmet, ScoredField.CAUSE, minCausePercent, score);
    int falseForged = score.falseForged().size();
    if (maxFalseForged != null && falseForged > maxFalseForged) {
      unmet.add("false-forged " + falseForged + " > " + maxFalseForged);
    }
    return unmet;
  }

  private static void atLeast(List<String> unmet, ScoredField field, Double min, Scoreboard score) {
    double value = score.percentRight(field);
    if (min != null && value < min) {
      unmet.add(String.format(Locale.ROOT, "%s %.2f%% < %s%%", field.label, value, plain(min)));
    }
  }

  private static String plain(double v) {
    return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
  }
}
