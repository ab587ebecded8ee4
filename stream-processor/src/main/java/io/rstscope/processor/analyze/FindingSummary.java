package io.rstscope.processor.analyze;

import io.rstscope.avro.RstFinding;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;

/** {@code analyze --summary}: how many RSTs by cause, by emitter, by location (segment or endpoint), forged or not. */
final class FindingSummary {
  private FindingSummary() {}

  static String render(List<RstFinding> findings) {
    StringBuilder out = new StringBuilder();
    out.append(findings.size()).append(" RST(s), ").append(findings.stream().filter(RstFinding::getForged).count())
        .append(" forged\n");
    section(out, "by cause", findings, f -> f.getCause().name());
    section(out, "by emitter", findings, f -> f.getEmitter().name());
    section(out, "by location", findings, f -> f.getLocation() + (f.getForged() ? " (forged)" : ""));
    return out.toString();
  }

  private static void section(StringBuilder out, String title, List<RstFinding> findings, Function<RstFinding, String> by) {
    Map<String, Long> counts = findings.stream().collect(Collectors.groupingBy(by, TreeMap::new, Collectors.counting()));
    if (counts.isEmpty()) {
      return;
    }
    out.append('\n').append(title).append('\n');
    int width = counts.keySet().stream().mapToInt(String::length).max().orElse(0);
    counts.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder())
            .thenComparing(Map.Entry.comparingByKey()))
        .forEach(e -> out.append(String.format("  %-" + width + "s %6d%n", e.getKey(), e.getValue())));
  }
}
