package io.rstscope.processor.topology;

import io.rstscope.deploy.testing.LabCaptures;
import io.rstscope.agent.capture.PcapSource;
import io.rstscope.agent.decode.Anomaly;
import io.rstscope.agent.decode.DecodedPacket;
import io.rstscope.agent.decode.PacketDecoder;
import io.rstscope.agent.policy.PublishPolicy;
import io.rstscope.agent.policy.Summaries;
import io.rstscope.avro.FlowKey;
import io.rstscope.avro.PacketSummary;
import io.rstscope.processor.output.Micros;
import io.rstscope.schemas.FlowKeys;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.KeyValue;

/**
 * Turns a lab scenario's captures into the records the agents would publish: the agent's own
 * decoder and publish policy, a watermark every {@code heartbeat} of capture time (after flushing
 * pending progress, as the agent does) and a final Long.MAX_VALUE watermark. The points'
 * records are then interleaved by capture time, keeping each point's own order, as concurrently
 * running agents would deliver them to one partition.
 */
final class LabReplay {
  static final Path CAPTURES = LabCaptures.root();
  private static final long HEARTBEAT_MICROS = 2_000_000L;
  private static final FlowKey WATERMARK_KEY = FlowKeys.of(new byte[4], 0, new byte[4], 0);

  private LabReplay() {}

  record Timed(long orderMicros, KeyValue<FlowKey, PacketSummary> record) {}

  /** One point's records in publish order. */
  static List<Timed> point(String point, Path pcap) {
    List<Timed> out = new ArrayList<>();
    long[] newest = {Long.MIN_VALUE};
    long[] nextHeartbeat = {Long.MIN_VALUE};
    PublishPolicy[] policy = new PublishPolicy[1];
    policy[0] = new PublishPolicy(PublishPolicy.Mode.CONTROL, point, PublishPolicy.Settings.defaults(),
        (k, s) -> out.add(new Timed(Math.max(newest[0], Micros.of(s.getCaptureTime())), KeyValue.pair(k, s))));
    DecodedPacket packet = new DecodedPacket();
    try (PcapSource source = PcapSource.openFile(pcap, "tcp")) {
      PacketDecoder decoder = new PacketDecoder(source.linkType());
      source.loop((frame, micros) -> {
        if (micros >= nextHeartbeat[0]) {
          if (nextHeartbeat[0] != Long.MIN_VALUE) {
            policy[0].flushProgress();
            out.add(new Timed(newest[0], KeyValue.pair(WATERMARK_KEY,
                Summaries.watermark(point, Summaries.instant(newest[0])))));
          }
          nextHeartbeat[0] = micros + HEARTBEAT_MICROS;
        }
        if (decoder.decode(frame, frame.length, micros, packet) == Anomaly.NONE) {
          policy[0].accept(packet);
        }
        newest[0] = Math.max(newest[0], micros);
      });
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    policy[0].flushProgress();
    out.add(new Timed(Long.MAX_VALUE, KeyValue.pair(WATERMARK_KEY, Summaries.watermark(point, Summaries.END_OF_CAPTURE))));
    return out;
  }

  /**
   * Every point's records one point after the other (each point's final watermark kept at the
   * very end): the worst arrival order agents can produce, for verdicts that must not depend on it.
   */
  static List<KeyValue<FlowKey, PacketSummary>> sequential(String scenario, List<String> points) {
    List<KeyValue<FlowKey, PacketSummary>> out = new ArrayList<>();
    List<KeyValue<FlowKey, PacketSummary>> finals = new ArrayList<>();
    for (String p : points) {
      List<Timed> records = point(p, CAPTURES.resolve(scenario).resolve(p + ".pcap"));
      for (Timed t : records) {
        (t.orderMicros() == Long.MAX_VALUE ? finals : out).add(t.record());
      }
    }
    out.addAll(finals);
    return out;
  }

  /** Every point of a scenario, interleaved by capture time (stable per point). */
  static List<KeyValue<FlowKey, PacketSummary>> scenario(String scenario, List<String> points) {
    List<List<Timed>> perPoint = new ArrayList<>();
    for (String p : points) {
      perPoint.add(point(p, CAPTURES.resolve(scenario).resolve(p + ".pcap")));
    }
    List<KeyValue<FlowKey, PacketSummary>> merged = new ArrayList<>();
    int[] idx = new int[perPoint.size()];
    while (true) {
      int best = -1;
      for (int i = 0; i < perPoint.size(); i++) {
        if (idx[i] < perPoint.get(i).size() && (best < 0
            || perPoint.get(i).get(idx[i]).orderMicros() < perPoint.get(best).get(idx[best]).orderMicros())) {
          best = i;
        }
      }
      if (best < 0) {
        return merged;
      }
      merged.add(perPoint.get(best).get(idx[best]++).record());
    }
  }
}
