package io.rstscope.processor.topology;

import io.rstscope.avro.FlowKey;
import io.rstscope.avro.PacketSummary;
import io.rstscope.avro.SummaryKind;
import io.rstscope.schemas.FlowKeys;
import java.nio.ByteBuffer;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * A floor, not a benchmark: TopologyTestDriver commits after every record, so this measures the
 * locator's per-summary cost plus the driver's. The broker benchmark is the real figure.
 */
class ThroughputProbeTest {
  @Test
  void shouldJudgeFlowsAtAUsefulRateEvenUnderTheTestDriver() {
    try (TopologyFixture fx = new TopologyFixture(ProcessorConfig.defaults())) {
      Instant t0 = Instant.parse("2026-11-25T01:00:00Z");
      int n = 30_000;
      long start = System.nanoTime();
      for (int i = 0; i < n; i++) {
        int flow = i % 5000;
        byte[] c = {10, 0, (byte) (flow >> 8), (byte) flow};
        byte[] s = {10, 0, 3, 2};
        FlowKey key = FlowKeys.of(c, 40000, s, 443);
        boolean fromClient = (i / 5000) % 2 == 0;
        PacketSummary p = PacketSummary.newBuilder().setPoint("P" + (1 + i % 3)).setKind(SummaryKind.PACKET)
            .setCaptureTime(t0.plusNanos(i * 10_000L)).setIpVersion(4)
            .setSrcAddress(ByteBuffer.wrap(fromClient ? c : s)).setDstAddress(ByteBuffer.wrap(fromClient ? s : c))
            .setSrcPort(fromClient ? 40000 : 443).setDstPort(fromClient ? 443 : 40000).setTtl(64).setIpId(i & 0xffff)
            .setTcpFlags(0x18).setSeq(i).setAck(i).setWindow(1000).setPayloadLength(100).build();
        fx.packets.pipeInput(key, p);
      }
      double secs = (System.nanoTime() - start) / 1e9;
      System.out.printf("PROBE %d summaries in %.2f s: %.0f/s%n", n, secs, n / secs);
      org.junit.jupiter.api.Assertions.assertTrue(n / secs > 1_000, "under 1,000 summaries/s: " + n / secs);
    }
  }
}
