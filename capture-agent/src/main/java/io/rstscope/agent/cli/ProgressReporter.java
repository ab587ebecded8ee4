package io.rstscope.agent.cli;

import io.rstscope.agent.CaptureAgent;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Replay progress on stderr once a second: packets, rate, share of the file and ETA. The file
 * share is estimated from captured bytes plus libpcap's 16-byte record header (pcap; pcapng
 * blocks are a little larger, so the ETA is slightly pessimistic there).
 */
final class ProgressReporter {
  private final Thread thread;
  private volatile boolean stopped;

  private ProgressReporter(CaptureAgent agent, long fileBytes, PrintStream err) {
    boolean tty = System.console() != null;
    long startNanos = System.nanoTime();
    thread = new Thread(() -> {
      long lastPrint = 0;
      while (!stopped) {
        try {
          Thread.sleep(1000);
        } catch (InterruptedException e) {
          return;
        }
        if (stopped) {
          return;
        }
        CaptureAgent.Snapshot s = agent.snapshot();
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        double rate = s.captured() / Math.max(seconds, 1e-3);
        double done = Math.min(1.0, (s.capturedBytes() + 16.0 * s.captured()) / Math.max(1, fileBytes));
        double eta = done > 0 ? seconds * (1 - done) / done : Double.NaN;
        String line = String.format("%s: %,d packets (%.0f%%), %,.0f packets/s, %,d summaries, ETA %s",
            agent.config().point(), s.captured(), done * 100, rate, s.summaries(),
            Double.isNaN(eta) ? "?" : String.format("%.0f s", eta));
        if (tty) {
          err.print("\r" + line + "   ");
          err.flush();
        } else if (seconds - lastPrint >= 10) {
          err.println(line);
          lastPrint = (long) seconds;
        }
      }
    }, "rstscope-agent-progress");
    thread.setDaemon(true);
  }

  static ProgressReporter start(CaptureAgent agent, Path file, PrintStream err) {
    long size;
    try {
      size = Files.size(file);
    } catch (IOException e) {
      size = 0;
    }
    ProgressReporter r = new ProgressReporter(agent, size, err);
    r.thread.start();
    return r;
  }

  void stop() {
    stopped = true;
    thread.interrupt();
    if (System.console() != null) {
      System.err.println();
    }
  }
}
