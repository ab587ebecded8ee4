package io.rstscope.processor.topology;

import io.rstscope.avro.Cause;
import io.rstscope.avro.RstFinding;
import io.rstscope.avro.ScanAlert;
import io.rstscope.processor.output.Micros;
import io.rstscope.processor.state.ScanWindow;
import java.util.ArrayList;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Counts probe resets per scanning source (findings re-keyed by the client's address) over a
 * tumbling event-time window. A probe is a syn_scan or connect_scan RST, or a port_closed
 * refusal (what a scan of a closed port gets). An alert goes out when the distinct ports reach
 * the threshold, and again each time they double, so a long scan is reported without a flood.
 */
final class ScanDetector implements Processor<String, RstFinding, String, ScanAlert> {
  private final ProcessorConfig config;
  private KeyValueStore<String, ScanWindow> windows;
  private ProcessorContext<String, ScanAlert> context;

  ScanDetector(ProcessorConfig config) {
    this.config = config;
  }

  static boolean isProbe(RstFinding f) {
    Cause c = f.getCause();
    return c == Cause.syn_scan || c == Cause.connect_scan || c == Cause.port_closed;
  }

  /** The scanning address: the flow's client, without the port. */
  static String scanner(RstFinding f) {
    String client = f.getFlow().getClient();
    String host = client.substring(0, client.lastIndexOf(':'));
    return host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
  }

  @Override
  public void init(ProcessorContext<String, ScanAlert> context) {
    this.context = context;
    windows = context.getStateStore(RstTopology.SCAN_WINDOWS_STORE);
  }

  @Override
  public void process(Record<String, RstFinding> record) {
    RstFinding f = record.value();
    if (f == null || record.key() == null) {
      return;
    }
    long sizeMicros = config.scanWindow().toNanos() / 1000;
    long t = Micros.of(f.getRstTime());
    long start = t - Math.floorMod(t, sizeMicros);
    ScanWindow w = windows.get(record.key());
    if (w == null || start > w.startMicros) {
      w = new ScanWindow();
      w.startMicros = start;
    } else if (start < w.startMicros) {
      return; // a probe of a window already replaced: too late to count
    }
    w.probes++;
    if (f.getCause() == Cause.syn_scan) {
      w.synProbes++;
    } else if (f.getCause() == Cause.connect_scan) {
      w.connectProbes++;
    }
    String server = f.getFlow().getServer();
    int colon = server.lastIndexOf(':');
    if (w.ports.size() < 1024) {
      w.ports.add(Integer.parseInt(server.substring(colon + 1)));
    }
    String target = server.substring(0, colon);
    if (w.targets.size() < 256) {
      w.targets.add(target.startsWith("[") ? target.substring(1, target.length() - 1) : target);
    }
    int distinct = w.ports.size();
    if (distinct >= config.scanThreshold() && distinct >= 2 * w.alertedAtPorts) {
      w.alertedAtPorts = distinct;
      String kind = w.connectProbes > w.synProbes ? "connect_scan" : "syn_scan";
      ScanAlert alert = new ScanAlert(record.key(), kind, Micros.toInstant(w.startMicros),
          Micros.toInstant(w.startMicros + sizeMicros), w.probes, new ArrayList<>(w.ports),
          new ArrayList<>(w.targets), "Block " + record.key() + ": it probed " + distinct + " ports on "
              + w.targets.size() + " host(s) within " + config.scanWindow().toSeconds() + " s (" + kind
              + "); look at its other traffic.");
      context.forward(new Record<>(record.key(), alert, record.timestamp()));
    }
    windows.put(record.key(), w);
  }
}
