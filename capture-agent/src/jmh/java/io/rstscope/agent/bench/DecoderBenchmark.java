package io.rstscope.agent.bench;

import io.rstscope.agent.decode.Anomaly;
import io.rstscope.agent.decode.DecodedPacket;
import io.rstscope.agent.decode.PacketDecoder;
import io.rstscope.agent.policy.PublishPolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.*;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Decoder (and decoder + control policy) cost per packet, over frames read once from a pcap
 * file (default: the lab's tls_block capture; -Dbench.pcap=/tmp/bulk1m.pcap for the bulk one),
 * so libpcap and JNA are out of the measurement.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class DecoderBenchmark {
  private byte[][] frames;
  private long[] times;
  private PacketDecoder decoder;
  private DecodedPacket packet;
  private PublishPolicy policy;
  private int next;

  @Setup
  public void load() throws Exception {
    Path file = Path.of(System.getProperty("bench.pcap", "src/test/resources/lab/tls_block-P1.pcap"));
    byte[] all = Files.readAllBytes(file);
    // Classic pcap, little endian, as tcpdump writes it: 24-byte file header, 16-byte record headers.
    int linkType = (all[20] & 0xff) | (all[21] & 0xff) << 8;
    List<byte[]> list = new ArrayList<>();
    List<Long> ts = new ArrayList<>();
    int off = 24;
    while (off + 16 <= all.length && list.size() < 200_000) {
      long sec = u32le(all, off);
      long usec = u32le(all, off + 4);
      int caplen = (int) u32le(all, off + 8);
      if (off + 16 + caplen > all.length) {
        break;
      }
      byte[] f = new byte[caplen];
      System.arraycopy(all, off + 16, f, 0, caplen);
      list.add(f);
      ts.add(sec * 1_000_000 + usec);
      off += 16 + caplen;
    }
    frames = list.toArray(new byte[0][]);
    times = ts.stream().mapToLong(Long::longValue).toArray();
    decoder = new PacketDecoder(linkType);
    packet = new DecodedPacket();
    policy = new PublishPolicy(PublishPolicy.Mode.CONTROL, "P1", PublishPolicy.Settings.defaults(), (k, s) -> {});
  }

  private static long u32le(byte[] b, int i) {
    return (b[i] & 0xffL) | (b[i + 1] & 0xffL) << 8 | (b[i + 2] & 0xffL) << 16 | (b[i + 3] & 0xffL) << 24;
  }

  @Benchmark
  public Anomaly decode() {
    int i = next;
    next = i + 1 == frames.length ? 0 : i + 1;
    byte[] f = frames[i];
    return decoder.decode(f, f.length, times[i], packet);
  }

  @Benchmark
  public void decodeAndControlPolicy(Blackhole bh) {
    int i = next;
    next = i + 1 == frames.length ? 0 : i + 1;
    byte[] f = frames[i];
    if (decoder.decode(f, f.length, times[i], packet) == Anomaly.NONE) {
      policy.accept(packet);
    }
    bh.consume(packet.seq);
  }
}
