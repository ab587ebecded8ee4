package io.rstscope.agent.publish;

import io.rstscope.avro.FlowKey;
import io.rstscope.avro.PacketSummary;
import io.rstscope.avro.PointStatus;
import java.time.Instant;

/** Decode-and-policy-only runs (benchmarks, dry runs): accepts and forgets. Publishes nothing. */
public final class NullPublisher implements Publisher {
  @Override public void accept(FlowKey key, PacketSummary summary) {}
  @Override public void awaitCluster() {}
  @Override public void heartbeat(PointStatus status) {}
  @Override public int watermarks(String point, String session, Instant captureTime) { return 0; }
  @Override public long[] droppedRange() { return null; }
  @Override public void flush() {}
  @Override public long published() { return 0; }
  @Override public long dropped() { return 0; }
  @Override public long buffered() { return 0; }
  @Override public long watermarksAcked() { return 0; }
  @Override public void close() {}
}
