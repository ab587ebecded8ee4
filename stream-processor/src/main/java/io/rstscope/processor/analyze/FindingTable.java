package io.rstscope.processor.analyze;

import io.rstscope.avro.Evidence;
import io.rstscope.avro.RstFinding;
import io.rstscope.avro.Sighting;
import io.rstscope.processor.output.TimeText;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The human-readable form of findings: one block per RST, its verdict first, then its evidence.
 * The RST's time is corrected to the first point's clock; each sighting keeps its capture's own timestamp.
 */
public final class FindingTable {
  private FindingTable() {}

  public static String render(List<RstFinding> findings) {
    return render(findings, TimeText.utc());
  }

  public static String render(List<RstFinding> findings, TimeText time) {
    if (findings.isEmpty()) {
      return "No RST in these captures.\n";
    }
    StringBuilder out = new StringBuilder();
    int n = 0;
    for (RstFinding f : findings) {
      n++;
      String seen = f.getSightings().stream().map(s -> sighting(s, time)).collect(Collectors.joining(", "));
      out.append(String.format("#%d %s (corrected)  %s -> %s  %s  seq=%d ack=%d%n", n, time.format(f.getRstTime()),
          f.getRst().getSrc(), f.getRst().getDst(), f.getRst().getFlags(), f.getRst().getSeq(), f.getRst().getAck()));
      out.append(String.format("   flow %s -> %s (roles from %s)%n   seen at %s%n",
          f.getFlow().getClient(), f.getFlow().getServer(), f.getFlow().getRolesFrom(), seen));
      out.append(String.format("   cause %-19s phase %-9s emitter %-9s location %-18s forged %-5s confidence %.2f%n",
          f.getCause(), f.getPhase(), f.getEmitter(), f.getLocation(), f.getForged(), f.getConfidence()));
      for (Evidence e : f.getEvidence()) {
        out.append("     - ").append(e.getCode()).append(": ").append(e.getDetail()).append('\n');
      }
      out.append("   => ").append(f.getRecommendation()).append("\n\n");
    }
    return out.toString();
  }

  private static String sighting(Sighting s, TimeText time) {
    return s.getPoint() + " (ttl " + s.getTtl() + ", captured " + time.format(s.getTs()) + ")";
  }
}
