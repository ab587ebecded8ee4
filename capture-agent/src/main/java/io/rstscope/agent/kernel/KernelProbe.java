package io.rstscope.agent.kernel;

import io.rstscope.agent.AgentException;
import io.rstscope.avro.KernelReset;
import io.rstscope.avro.PointRole;
import io.rstscope.avro.PointStatus;
import io.rstscope.schemas.Endpoints;
import io.rstscope.schemas.KernelEvents;
import io.rstscope.schemas.KernelTraceLines;
import io.rstscope.schemas.Topics;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kernel probe of one host: reads the host kernel's TCP reset tracepoints from a tracefs instance of its own,
 * keeps the events whose host side is one of the host's addresses (a listening socket's wildcard source is kept:
 * it is matched by port later), converts the trace clock to UTC microseconds, and hands one {@link KernelReset} per
 * event to Kafka or to a recording.
 *
 * <p>The reading thread blocks in the kernel on {@code trace_pipe}; {@link #stop()} wakes it by writing a line
 * into the instance's own buffer ({@code trace_marker}). The instance is removed when {@link #run()} returns,
 * whatever the reason (end, failure, or a SIGTERM whose shutdown hook calls {@link #stop()}).
 *
 * <p>The events are global to the kernel: hosts in network namespaces sharing it are told apart only by address.
 * A timer thread refreshes the addresses, re-reads the clock pair and sends heartbeats ({@link PointStatus} with
 * role KERNEL_PROBE, the host's addresses, what was read, what could not be parsed, what the kernel lost).
 */
public final class KernelProbe {
  private static final Logger LOG = LoggerFactory.getLogger(KernelProbe.class);
  private static final String STOP_MARK = "rstscope-probe-stop";

  /** What to probe and where to send it. Exactly one of bootstrap and out. */
  public record Config(String host, Optional<String> netns, Optional<String> bootstrap, Map<String, String> clientProperties,
      Topics topics, Optional<Path> out, Duration heartbeatInterval, Duration addressRefresh, int maxBuffered,
      Duration startupTimeout) {
    public Config {
      if (host == null || host.isBlank()) {
        throw new AgentException("--host NAME is required: the name of the host whose kernel is probed");
      }
      if (bootstrap.isPresent() == out.isPresent()) {
        throw new AgentException("give exactly one of --bootstrap HOST:PORT (publish) and --out FILE (record)");
      }
    }

    public String pointName() {
      return "kernel:" + host;
    }
  }

  /** What a finished run did. */
  public record Report(long lines, long events, long kept, Map<String, Long> unreadable, long lost, long published,
      long dropped) {
    public String summaryLine() {
      return String.format("%d trace lines, %d reset events, %d of this host, %d unreadable, %d lost by the kernel,"
          + " %d written/published, %d dropped", lines, events, kept,
          unreadable.values().stream().mapToLong(Long::longValue).sum(), lost, published, dropped);
    }
  }

  private final Config config;
  private final CountDownLatch done = new CountDownLatch(1);
  private volatile boolean stopRequested;
  private volatile TracefsInstance instance;
  private volatile Thread runThread;
  private volatile Set<String> addresses = Set.of();
  /** Wall-clock micros minus CLOCK_MONOTONIC micros, re-read with each heartbeat. */
  private volatile long wallMinusMonoMicros;
  private volatile boolean finished;
  private Instant startedAt;
  private long lines;
  private long events;
  private long kept;
  private long lostLines;
  private volatile long newestMicros = Long.MIN_VALUE;
  private final Map<String, Long> unreadable = new LinkedHashMap<>();
  private KernelSink sink;

  public KernelProbe(Config config) {
    this.config = config;
  }

  /** Says in one line what the probe lacks to run here, or nothing. */
  public static Optional<String> missingPrivilege() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("CapEff:")) {
          long caps = Long.parseUnsignedLong(line.substring(7).trim(), 16);
          boolean sysAdmin = (caps & (1L << 21)) != 0;
          boolean perfmon = (caps & (1L << 38)) != 0;
          if (sysAdmin || perfmon) {
            return Optional.empty();
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      LOG.debug("capabilities: {}", e.getMessage());
    }
    return Optional.of("the kernel probe needs root, or CAP_SYS_ADMIN or CAP_PERFMON (tracefs instances and"
        + " tracepoints); this process has none of them");
  }

  /** Runs until {@link #stop()}; removes its tracefs instance on the way out, whatever happens. */
  public Report run() {
    runThread = Thread.currentThread();
    ScheduledExecutorService timer = null;
    try {
      missingPrivilege().ifPresent(why -> {
        throw new AgentException(why);
      });
      Path root = TracefsInstance.root();
      if (!TracefsInstance.hasReasonField(root)) {
        LOG.warn("this kernel's tcp_send_reset has no reason field (Linux 6.10+ has it): events will say which RST"
            + " the host sent, not why");
      }
      addresses = HostAddresses.of(config.netns().orElse(null));
      LOG.info("probing host {} ({}): addresses {}", config.host(),
          config.netns().map(n -> "network namespace " + n).orElse("this network namespace"), addresses);
      sink = config.out().isPresent() ? new RecordingSink(config.out().get())
          : new KafkaKernelSink(config.bootstrap().get(), config.clientProperties(), config.topics(), config.host(),
              config.maxBuffered(), config.startupTimeout());
      startedAt = Instant.now();
      sampleClock();
      instance = TracefsInstance.create(root, "rstscope-probe-" + ProcessHandle.current().pid());
      LOG.info("tracefs instance {} (clock {})", instance.dir(), TracefsInstance.CLOCK);
      timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "rstscope-probe-heartbeat");
        t.setDaemon(true);
        return t;
      });
      long ms = config.heartbeatInterval().toMillis();
      timer.scheduleAtFixedRate(this::tick, ms, ms, TimeUnit.MILLISECONDS);
      if (stopRequested) {
        return report();
      }
      readLoop(instance.openPipe());
      // Everything read is acknowledged (or failed) before the final heartbeat and the report count it.
      sink.flush();
      finished = true;
      heartbeat();
      sink.flush();
      Report report = report();
      LOG.info("probe of {} stopped: {}", config.host(), report.summaryLine());
      return report;
    } finally {
      if (timer != null) {
        timer.shutdownNow();
      }
      TracefsInstance i = instance;
      if (i != null) {
        i.close();
      }
      if (sink != null) {
        sink.close();
      }
      done.countDown();
    }
  }

  private void readLoop(BufferedReader pipe) {
    try {
      String line;
      while (!stopRequested && (line = pipe.readLine()) != null) {
        lines++;
        handle(line);
        if (!pipe.ready()) {
          sink.idle();
        }
      }
    } catch (IOException e) {
      if (!stopRequested) {
        throw new AgentException("reading " + instance.dir().resolve("trace_pipe") + ": " + e.getMessage());
      }
    }
  }

  private void handle(String line) {
    TraceLine.Parsed p = TraceLine.parse(line);
    switch (p.kind()) {
      case MARKER -> { }
      case LOST -> lostLines += p.lost();
      case UNREADABLE -> {
        synchronized (unreadable) {
          if (unreadable.merge(p.problem(), 1L, Long::sum) == 1) {
            LOG.info("first unreadable trace line ({}); further ones are only counted: {}", p.problem(), line);
          }
        }
      }
      case EVENT -> {
        events++;
        KernelReset e = KernelTraceLines.event(config.host(), p.event(), toWall(p.traceMicros()), p.src(), p.dst(),
            p.state(), p.reason());
        if (belongsToHost(e)) {
          kept++;
          newestMicros = Math.max(newestMicros, p.traceMicros() + wallMinusMonoMicros);
          sink.accept(e);
        }
      }
    }
  }

  /** The host side is one of the host's addresses, or a listening socket's wildcard (matched by port later). */
  private boolean belongsToHost(KernelReset e) {
    var side = KernelEvents.hostSide(e);
    return Endpoints.isWildcard(side.getAddress()) || addresses.contains(Endpoints.address(side.getAddress()));
  }

  private Instant toWall(long traceMicros) {
    long micros = traceMicros + wallMinusMonoMicros;
    return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L);
  }

  /**
   * Wall clock minus CLOCK_MONOTONIC: the pair read closest together (of a few tries) bounds the error by the
   * time between the two reads, about a microsecond.
   */
  private void sampleClock() {
    long best = Long.MAX_VALUE;
    long offset = 0;
    for (int i = 0; i < 5; i++) {
      long before = System.nanoTime();
      Instant wall = Instant.now();
      long after = System.nanoTime();
      if (after - before < best) {
        best = after - before;
        long monoMicros = (before + (after - before) / 2) / 1_000L;
        offset = wall.getEpochSecond() * 1_000_000L + wall.getNano() / 1_000L - monoMicros;
      }
    }
    wallMinusMonoMicros = offset;
  }

  private void tick() {
    try {
      sampleClock();
      addresses = HostAddresses.of(config.netns().orElse(null));
      heartbeat();
    } catch (RuntimeException e) {
      LOG.warn("heartbeat: {}", e.getMessage());
    }
  }

  private void heartbeat() {
    KernelSink s = sink;
    if (s != null) {
      s.heartbeat(status());
    }
  }

  /** This run's session id, on its heartbeats like a capture agent's: a new one each time the probe starts. */
  private final String session = java.util.UUID.randomUUID().toString().substring(0, 13);

  private PointStatus status() {
    TracefsInstance i = instance;
    PointStatus s = new PointStatus();
    s.setPoint(config.pointName());
    s.setSite("");
    s.setSource("tracefs" + config.netns().map(n -> " netns " + n).orElse(""));
    s.setLive(true);
    s.setAgentTime(Instant.now());
    s.setStartedAt(startedAt);
    long newest = newestMicros;
    s.setLastPacketTime(newest == Long.MIN_VALUE ? null : toWall(newest - wallMinusMonoMicros));
    s.setFinished(finished);
    s.setCaptured(lines);
    s.setDecoded(events);
    synchronized (unreadable) {
      s.setAnomalies(new LinkedHashMap<>(unreadable));
    }
    s.setSummaries(kept);
    s.setPublished(sink.published());
    // Events the kernel overwrote before they were read count as dropped: coverage is then incomplete.
    s.setPcapDropped(Math.max(lostLines, i == null ? 0 : i.overruns()));
    s.setDropped(sink.dropped());
    s.setSession(session);
    // Kernel events carry no capture-time range of their own losses; the counters above say how many.
    s.setDroppedFrom(null);
    s.setDroppedUntil(null);
    s.setRole(PointRole.KERNEL_PROBE);
    s.setHostAddresses(new ArrayList<>(addresses));
    return s;
  }

  private Report report() {
    Map<String, Long> bad;
    synchronized (unreadable) {
      bad = Map.copyOf(unreadable);
    }
    TracefsInstance i = instance;
    long lost = Math.max(lostLines, i == null ? 0 : i.overruns());
    return new Report(lines, events, kept, bad, lost, sink == null ? 0 : sink.published(),
        sink == null ? 0 : sink.dropped());
  }

  /** The addresses the probe currently counts as the host's. */
  public List<String> addresses() {
    return List.copyOf(addresses);
  }

  /**
   * Stops reading (wakes the reader through the instance's trace_marker) and waits up to 10 s for run() to have
   * removed the instance and closed its output. Safe from a shutdown hook.
   */
  public void stop() {
    stopRequested = true;
    TracefsInstance i = instance;
    if (i != null) {
      i.mark(STOP_MARK);
    }
    if (runThread != null && Thread.currentThread() != runThread) {
      try {
        if (!done.await(10, TimeUnit.SECONDS)) {
          LOG.warn("probe of {} did not stop within 10 s", config.host());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
