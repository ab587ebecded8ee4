package io.rstscope.processor.analyze;

import io.rstscope.avro.KernelReset;
import io.rstscope.avro.PointRole;
import io.rstscope.avro.PointStatus;
import io.rstscope.schemas.Endpoints;
import io.rstscope.schemas.KernelEvents;
import io.rstscope.schemas.KernelTraceLines;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The kernel probes' recordings given to {@code analyze --kernel-trace [ADDR,...=]FILE}: read with the probe's own
 * reader, bad lines counted. A recording covers the hosts whose addresses are listed before '=', else the
 * addresses its events show as the host's own (the sender of a sent RST, the receiver of an accepted one). It is
 * taken to have run throughout the captures, as the probe does beside them: a RST claiming a covered address that
 * the recording does not have was not sent by that host's stack.
 */
public final class KernelTraces {
  private KernelTraces() {}

  /** One recording: its name (the file's, without extension), its events, the addresses it covers. */
  public record Trace(String name, Path file, List<KernelReset> events, Set<String> addresses,
      Map<KernelTraceLines.Malformed, Long> skipped) {
    /** The heartbeat a probe would have sent for it, finished: the topology learns the coverage from it. */
    PointStatus status(Instant now) {
      Map<String, Long> anomalies = new LinkedHashMap<>();
      skipped.forEach((k, v) -> anomalies.put(k.label, v));
      return PointStatus.newBuilder().setPoint("kernel:" + name).setSource(file.toString()).setLive(false)
          .setAgentTime(now).setStartedAt(Instant.EPOCH).setFinished(true)
          .setCaptured(events.size() + skipped.values().stream().mapToLong(Long::longValue).sum())
          .setDecoded(events.size()).setAnomalies(anomalies).setSummaries(events.size())
          .setRole(PointRole.KERNEL_PROBE).setHostAddresses(new ArrayList<>(addresses)).build();
    }
  }

  public static List<Trace> read(List<String> specs) {
    List<Trace> out = new ArrayList<>();
    Set<String> names = new TreeSet<>();
    for (String spec : specs) {
      int eq = spec.indexOf('=');
      Path file = Path.of(eq < 0 ? spec : spec.substring(eq + 1));
      Set<String> addresses = new TreeSet<>();
      if (eq >= 0) {
        for (String a : spec.substring(0, eq).split(",")) {
          try {
            addresses.add(Endpoints.address(Endpoints.parseAddress(a.trim())));
          } catch (IllegalArgumentException e) {
            throw new CaptureFiles.BadInput("--kernel-trace wants [ADDR,...=]FILE; '" + a + "' is not an IP address");
          }
        }
      }
      if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
        throw new CaptureFiles.BadInput("kernel trace " + file + ": no such readable file");
      }
      String name = file.getFileName().toString().replaceFirst("\\.[^.]*$", "");
      for (int i = 2; !names.add(name); i++) {
        name = name.replaceFirst("-\\d+$", "") + "-" + i;
      }
      KernelTraceLines.Recording r;
      try {
        r = KernelTraceLines.readFile(file, name);
      } catch (IOException e) {
        throw new CaptureFiles.BadInput("kernel trace " + file + ": " + e.getMessage());
      }
      if (eq < 0) {
        for (KernelReset e : r.events()) {
          var side = KernelEvents.hostSide(e);
          if (!Endpoints.isWildcard(side.getAddress())) {
            addresses.add(Endpoints.address(side.getAddress()));
          }
        }
      }
      out.add(new Trace(name, file, r.events(), addresses, r.skipped()));
    }
    return out;
  }
}
