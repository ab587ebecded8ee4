package io.rstscope.agent.kernel;

import io.rstscope.agent.AgentException;
import java.io.BufferedReader;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A tracefs instance of the probe's own ({@code instances/NAME}): its own ring buffer, clock and enabled events, so
 * other users of tracefs (perf, bpftrace, another probe) are neither disturbed nor seen. Created with the two TCP
 * reset tracepoints enabled and the {@code mono} clock; {@link #close()} disables them and removes the instance.
 */
final class TracefsInstance implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(TracefsInstance.class);
  static final List<String> EVENTS = List.of("tcp/tcp_send_reset", "tcp/tcp_receive_reset");
  /**
   * CLOCK_MONOTONIC: the JVM reads the same clock (System.nanoTime), so one pair of readings taken together converts
   * it to the wall clock; it is the same on every CPU (unlike {@code local}) and does not jump when the wall clock is
   * set (unlike a converted wall time). {@code boot} would also count suspend, which the JVM cannot read.
   */
  static final String CLOCK = "mono";
  /** Where the kernel mounts tracefs; the older debugfs path is tried too. */
  private static final List<Path> ROOTS = List.of(Path.of("/sys/kernel/tracing"), Path.of("/sys/kernel/debug/tracing"));

  private final Path dir;
  private volatile boolean closed;
  private FileInputStream pipe;

  private TracefsInstance(Path dir) {
    this.dir = dir;
  }

  Path dir() {
    return dir;
  }

  /** The tracefs root, mounted at /sys/kernel/tracing when nothing is mounted yet. */
  static Path root() {
    for (Path root : ROOTS) {
      if (Files.isDirectory(root.resolve("instances"))) {
        return root;
      }
    }
    Path root = ROOTS.get(0);
    if (!Files.isDirectory(root)) {
      throw new AgentException("no tracefs: " + root + " does not exist (kernel built without tracing?)");
    }
    run(List.of("mount", "-t", "tracefs", "nodev", root.toString()),
        "tracefs is not mounted and mounting it failed (needs root or CAP_SYS_ADMIN)");
    if (!Files.isDirectory(root.resolve("instances"))) {
      throw new AgentException("tracefs mounted at " + root + " but it has no instances/ directory");
    }
    LOG.info("mounted tracefs at {}", root);
    return root;
  }

  /** Whether this kernel's tcp_send_reset carries the reset reason (6.10 and later). */
  static boolean hasReasonField(Path root) {
    try {
      return Files.readString(root.resolve("events/tcp/tcp_send_reset/format")).contains("reason");
    } catch (IOException e) {
      return false;
    }
  }

  /** Creates {@code instances/NAME}, sets its clock and enables the TCP reset events there. */
  static TracefsInstance create(Path root, String name) {
    return create(root, name, DEFAULT_BUFFER_KB);
  }

  /**
   * Ring buffer per CPU, in KiB, of the probe's instance: about 40,000 events per CPU, so a burst is held while a
   * busy machine gets round to the reader (the kernel's default for an instance, 1410 KiB, held a quarter of a
   * 20,000-connection burst on the loaded lab machine; BENCHMARKS.md).
   */
  static final int DEFAULT_BUFFER_KB = 4096;

  static TracefsInstance create(Path root, String name, int bufferKb) {
    for (String event : EVENTS) {
      if (!Files.isDirectory(root.resolve("events").resolve(event))) {
        throw new AgentException("this kernel has no tracepoint " + event.replace('/', ':')
            + " (needs Linux 4.15+; reasons need 6.10+)");
      }
    }
    Path dir = root.resolve("instances").resolve(name);
    try {
      Files.createDirectory(dir);
    } catch (java.nio.file.AccessDeniedException e) {
      throw new AgentException("cannot create tracefs instance " + dir + ": permission denied"
          + " (the probe needs root, or CAP_SYS_ADMIN or CAP_PERFMON with write access to tracefs)");
    } catch (IOException e) {
      throw new AgentException("cannot create tracefs instance " + dir + ": " + e.getMessage());
    }
    TracefsInstance instance = new TracefsInstance(dir);
    try {
      instance.write("trace_clock", CLOCK);
      instance.write("buffer_size_kb", Integer.toString(bufferKb));
      for (String event : EVENTS) {
        instance.write("events/" + event + "/enable", "1");
      }
      return instance;
    } catch (RuntimeException e) {
      instance.close();
      throw e;
    }
  }

  private void write(String file, String value) {
    try {
      Files.writeString(dir.resolve(file), value);
    } catch (IOException e) {
      throw new AgentException("cannot write " + dir.resolve(file) + ": " + e.getMessage());
    }
  }

  /** The instance's trace_pipe: reading blocks in the kernel until events arrive (no polling). */
  BufferedReader openPipe() {
    try {
      pipe = new FileInputStream(dir.resolve("trace_pipe").toFile());
      return new BufferedReader(new InputStreamReader(pipe, StandardCharsets.UTF_8), 1 << 16);
    } catch (IOException e) {
      throw new AgentException("cannot open " + dir.resolve("trace_pipe") + ": " + e.getMessage());
    }
  }

  /** Writes a line into this instance's buffer: wakes a reader blocked on trace_pipe. */
  void mark(String text) {
    try {
      Files.writeString(dir.resolve("trace_marker"), text);
    } catch (IOException e) {
      LOG.debug("trace_marker: {}", e.getMessage());
    }
  }

  /** Events the ring buffer had to overwrite, summed over CPUs (per_cpu/cpuN/stats "overrun"). */
  long overruns() {
    long total = 0;
    try (var cpus = Files.newDirectoryStream(dir.resolve("per_cpu"), "cpu*")) {
      for (Path cpu : cpus) {
        for (String line : Files.readAllLines(cpu.resolve("stats"))) {
          if (line.startsWith("overrun:")) {
            total += Long.parseLong(line.substring("overrun:".length()).trim());
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      LOG.debug("per-CPU stats: {}", e.getMessage());
    }
    return total;
  }

  /** Disables the events and removes the instance; safe to call more than once. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (String event : EVENTS) {
      try {
        Files.writeString(dir.resolve("events/" + event + "/enable"), "0");
      } catch (IOException e) {
        LOG.debug("disabling {}: {}", event, e.getMessage());
      }
    }
    if (pipe != null) {
      try {
        pipe.close();
      } catch (IOException e) {
        LOG.debug("closing trace_pipe: {}", e.getMessage());
      }
    }
    // rmdir refuses (EBUSY) while a reader still holds trace_pipe open: retry briefly.
    for (int attempt = 0; attempt < 50; attempt++) {
      try {
        Files.deleteIfExists(dir);
        return;
      } catch (IOException e) {
        if (attempt == 49) {
          LOG.warn("could not remove tracefs instance {}: {} (remove it with: rmdir {})", dir, e.getMessage(), dir);
        }
        sleep(20);
      }
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void run(List<String> command, String failure) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new AgentException(failure + (output.isEmpty() ? "" : ": " + output.replace('\n', ' ')));
      }
    } catch (IOException e) {
      throw new AgentException(failure + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AgentException(failure + ": interrupted");
    }
  }
}
