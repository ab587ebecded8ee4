package io.rstscope.processor.analyze;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A progress line on standard error while captures are read, when standard error is a terminal:
 * how much of the input was read, the rate and the time left. The amount read is libpcap's own
 * file position, from /proc/self/fdinfo (Linux), so nothing on the packet path counts for it.
 * Elsewhere, or when standard error is no terminal, it stays silent; other lines pass through.
 */
final class Progress implements AutoCloseable {
  private final PrintStream err;
  private final Map<Path, Long> sizes;
  private final long total;
  private final long startNanos = System.nanoTime();
  private final ScheduledExecutorService timer;
  private final Map<Path, Long> lastPos = new HashMap<>();
  private boolean showing;

  private Progress(PrintStream err, Map<Path, Long> sizes, boolean on) {
    this.err = err;
    this.sizes = sizes;
    this.total = sizes.values().stream().mapToLong(Long::longValue).sum();
    if (on && total > 0) {
      timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "analyze-progress");
        t.setDaemon(true);
        return t;
      });
      timer.scheduleAtFixedRate(this::tick, 1, 1, TimeUnit.SECONDS);
    } else {
      timer = null;
    }
  }

  static Progress onTerminal(Map<String, Path> points, boolean quiet) {
    Map<Path, Long> sizes = new HashMap<>();
    for (Path p : points.values()) {
      try {
        sizes.put(p.toAbsolutePath().normalize(), Files.size(p));
      } catch (IOException e) {
        // unknown size: not counted
      }
    }
    return new Progress(System.err, sizes, !quiet && stderrIsTerminal());
  }

  /** /proc/self/fd/2 names a terminal device. */
  static boolean stderrIsTerminal() {
    try {
      String target = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
      return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
    } catch (IOException | UnsupportedOperationException e) {
      return false;
    }
  }

  /** A line of its own, after clearing the progress line. */
  synchronized void line(String text) {
    clear();
    err.println(text);
  }

  private synchronized void tick() {
    long read = 0;
    try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
      for (Path fd : (Iterable<Path>) fds::iterator) {
        try {
          Path target = Files.readSymbolicLink(fd);
          if (sizes.containsKey(target)) {
            lastPos.put(target, Math.max(lastPos.getOrDefault(target, 0L), position(fd.getFileName().toString())));
          }
        } catch (IOException e) {
          // closed meanwhile
        }
      }
    } catch (IOException e) {
      return;
    }
    for (Long p : lastPos.values()) {
      read += p;
    }
    double seconds = (System.nanoTime() - startNanos) / 1e9;
    if (read == 0 || read >= total) {
      clear();
      return;
    }
    double rate = read / seconds;
    long left = (long) ((total - read) / rate);
    err.print(String.format(Locale.ROOT, "\rrstscope: read %d%% of %.1f MB (%.1f MB/s), about %d:%02d left ",
        read * 100 / total, total / 1e6, rate / 1e6, left / 60, left % 60));
    err.flush();
    showing = true;
  }

  private static long position(String fd) throws IOException {
    for (String l : Files.readAllLines(Path.of("/proc/self/fdinfo", fd))) {
      if (l.startsWith("pos:")) {
        return Long.parseLong(l.substring(4).strip());
      }
    }
    return 0;
  }

  private void clear() {
    if (showing) {
      err.print("\r\033[K");
      err.flush();
      showing = false;
    }
  }

  @Override
  public synchronized void close() {
    if (timer != null) {
      timer.shutdownNow();
    }
    clear();
  }
}
