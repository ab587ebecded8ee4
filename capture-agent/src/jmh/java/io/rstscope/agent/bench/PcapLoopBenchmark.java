package io.rstscope.agent.bench;

import io.rstscope.agent.capture.FrameHandler;
import io.rstscope.agent.capture.PcapSource;
import io.rstscope.agent.decode.Anomaly;
import io.rstscope.agent.decode.DecodedPacket;
import io.rstscope.agent.decode.PacketDecoder;
import io.rstscope.agent.policy.PublishPolicy;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.*;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The capture loop itself: libpcap's pcap_next_ex through JNA direct mapping over a whole file
 * (page cache warm), with nothing after it ({@code read}) and with decode + control policy
 * ({@code readDecodeControlPolicy}, what the agent does per packet before Kafka). One operation
 * is one whole file: packets/s = packets in the file / score. Default file: the 1M-packet bulk
 * capture of BENCHMARKS.md ({@code -Dbench.pcap=...} for another).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3)
@Measurement(iterations = 8)
@Fork(value = 1, jvmArgsAppend = "-Xmx256m")
public class PcapLoopBenchmark {
  private Path file;
  private long packets = -1;

  @Setup
  public void setup() {
    file = Path.of(System.getProperty("bench.pcap", "/tmp/bulk1m.pcap"));
  }

  private void count(long n) {
    if (packets >= 0 && packets != n) {
      throw new IllegalStateException("packet count changed: " + packets + " then " + n);
    }
    packets = n;
  }

  @TearDown
  public void report() {
    System.out.println("packets per file: " + packets);
  }

  @Benchmark
  public long read(Blackhole bh) throws InterruptedException {
    try (PcapSource s = PcapSource.openFile(file, "tcp")) {
      s.loop((FrameHandler) (buf, caplen, len, micros) -> bh.consume(micros + caplen));
      count(s.delivered());
      return s.delivered();
    }
  }

  @Benchmark
  public long readDecodeControlPolicy(Blackhole bh) throws InterruptedException {
    try (PcapSource s = PcapSource.openFile(file, "tcp")) {
      PacketDecoder decoder = new PacketDecoder(s.linkType());
      DecodedPacket packet = new DecodedPacket();
      PublishPolicy policy = new PublishPolicy(PublishPolicy.Mode.CONTROL, "P1", PublishPolicy.Settings.defaults(),
          (k, summary) -> bh.consume(summary));
      s.loop((FrameHandler) (buf, caplen, len, micros) -> {
        if (decoder.decode(buf, caplen, micros, packet) == Anomaly.NONE) {
          policy.accept(packet);
        }
      });
      count(s.delivered());
      return s.delivered();
    }
  }
}
