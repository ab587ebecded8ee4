package io.rstscope.agent.bench;

import io.rstscope.agent.capture.FrameHandler;
import io.rstscope.agent.capture.PcapSource;
import io.rstscope.agent.decode.Anomaly;
import io.rstscope.agent.decode.DecodedPacket;
import io.rstscope.agent.decode.PacketDecoder;
import io.rstscope.agent.policy.PublishPolicy;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;

/**
 * The capture loop's cost per core on a shared machine: reads a file several times through
 * {@link PcapSource} (pcap_next_ex, reused buffer) with nothing after it and with decode + control
 * policy, and prints wall time and the capture thread's own CPU time (user + system, from
 * ThreadMXBean), which other processes' load does not inflate. Usage: CaptureLoopCpu FILE [PASSES].
 */
public final class CaptureLoopCpu {
  private static long sink;

  public static void main(String[] args) throws Exception {
    Path file = Path.of(args[0]);
    int passes = args.length > 1 ? Integer.parseInt(args[1]) : 4;
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    for (int pass = 0; pass < passes; pass++) {
      for (boolean decode : new boolean[] {false, true}) {
        long c0 = mx.getCurrentThreadCpuTime();
        long t0 = System.nanoTime();
        long n;
        try (PcapSource s = PcapSource.openFile(file, "tcp")) {
          PacketDecoder decoder = new PacketDecoder(s.linkType());
          DecodedPacket packet = new DecodedPacket();
          PublishPolicy policy = new PublishPolicy(PublishPolicy.Mode.CONTROL, "P1", PublishPolicy.Settings.defaults(),
              (k, summary) -> sink++);
          FrameHandler h = decode
              ? (buf, caplen, len, micros) -> {
                  if (decoder.decode(buf, caplen, micros, packet) == Anomaly.NONE) {
                    policy.accept(packet);
                  }
                }
              : (buf, caplen, len, micros) -> sink += caplen + micros;
          s.loop(h);
          n = s.delivered();
        }
        double cpu = (mx.getCurrentThreadCpuTime() - c0) / 1e9;
        double wall = (System.nanoTime() - t0) / 1e9;
        System.out.printf("pass %d %-22s %,d packets: wall %.3f s (%.2f M/s), capture thread CPU %.3f s = %.3f s per 1M (%.2f M/s per core)%n",
            pass, decode ? "read+decode+control" : "read only", n, wall, n / wall / 1e6, cpu, cpu * 1e6 / n, n / cpu / 1e6);
      }
    }
  }
}
