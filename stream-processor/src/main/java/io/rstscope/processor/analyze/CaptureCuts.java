package io.rstscope.processor.analyze;

import io.rstscope.agent.AgentReport;
import io.rstscope.agent.capture.CaptureDamage;
import io.rstscope.avro.Evidence;
import io.rstscope.avro.RstFinding;
import io.rstscope.processor.output.TimeText;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Captures that were cut short or damaged: analyse what came before, say what was lost, and mark
 * each finding whose RST came after a point's cut. Such a point saw nothing after its cut, so its
 * silence about the RST proves nothing: the verdict is left as it is, the reader is told.
 */
final class CaptureCuts {
  /** Evidence code added to findings whose RST came after a capture's cut. */
  static final String CODE = "CAPTURE_CUT";

  private CaptureCuts() {}

  /** One line per damaged capture, e.g. "P2: capture truncated after 18,204 packets (cut inside ...)". */
  static List<String> lines(Map<String, AgentReport> agents, TimeText time) {
    List<String> out = new ArrayList<>();
    agents.forEach((point, r) -> {
      if (r.damage() != null) {
        out.add(point + ": " + r.damage().text()
            + (r.lastPacketTime() == null ? "" : "; last packet " + time.format(r.lastPacketTime())));
      }
    });
    return out;
  }

  /** The findings, those after a cut with one more piece of evidence naming it. */
  static List<RstFinding> mark(List<RstFinding> findings, Map<String, AgentReport> agents, TimeText time) {
    List<RstFinding> out = new ArrayList<>(findings.size());
    for (RstFinding f : findings) {
      RstFinding marked = f;
      for (Map.Entry<String, AgentReport> a : agents.entrySet()) {
        CaptureDamage d = a.getValue().damage();
        Instant cut = a.getValue().lastPacketTime();
        if (d == null || !runsPast(f, cut)) {
          continue;
        }
        if (marked == f) {
          marked = RstFinding.newBuilder(f).setEvidence(new ArrayList<>(f.getEvidence())).build();
        }
        marked.getEvidence().add(new Evidence(CODE, a.getKey() + "'s capture ends at "
            + (cut == null ? "its start" : time.format(cut)) + " (" + d.text() + "), before this RST: "
            + a.getKey() + " saw nothing of it after that, so what it did not see proves nothing"));
      }
      out.add(marked);
    }
    return out;
  }

  /** The RST, or any sighting of it, comes after the point's last packet (or the point read none). */
  private static boolean runsPast(RstFinding f, Instant cut) {
    if (cut == null) {
      return true;
    }
    if (f.getRstTime().isAfter(cut)) {
      return true;
    }
    return f.getSightings().stream().anyMatch(s -> s.getTs().isAfter(cut));
  }
}
