package io.rstscope.agent;

import io.rstscope.agent.capture.NetworkNamespace;
import io.rstscope.agent.capture.PcapSource;
import io.rstscope.agent.decode.Anomaly;
import io.rstscope.agent.decode.DecodedPacket;
import io.rstscope.agent.decode.PacketDecoder;
import io.rstscope.agent.policy.PublishPolicy;
import io.rstscope.agent.policy.Summaries;
import io.rstscope.agent.publish.KafkaPublisher;
import io.rstscope.agent.publish.NullPublisher;
import io.rstscope.agent.publish.Publisher;
import io.rstscope.avro.PointRole;
import io.rstscope.avro.PointStatus;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One observation point: capture -> decode -> publish policy -> Kafka, all on the thread that
 * calls {@link #run()} (libpcap's callback thread), so the flow table needs no locks.
 *
 * <p>Heartbeats and watermarks. Each heartbeat first flushes every pending PROGRESS summary and
 * expires idle flows, then sends a WATERMARK to every partition of the packets topic with the
 * capture time of the newest packet handled so far (everything up to it has been handed to the
 * producer, which keeps order per partition), then the PointStatus. When replaying a file,
 * heartbeats follow capture time: one each {@code heartbeatInterval} of the packets' own
 * timestamps, because event-time progress is what the processor measures, and a replay at
 * millions of packets per second would otherwise emit one per many seconds of traffic. Live,
 * they follow the wall clock: a timer asks libpcap to break its loop and the capture thread
 * sends the heartbeat between two loops. At the end of a file or on {@link #stop()}: pending
 * progress, then the final watermarks ({@code Long.MAX_VALUE} micros), a flush, then the final
 * PointStatus with {@code finished=true}.
 *
 * <p>Sessions. Every run is a capture session with an id of its own, carried on its watermarks and
 * heartbeats, so the processor can tell "this run ended" from "this point is gone for good": a
 * point whose agent starts again is waited for again. The session's first watermark marks where
 * its capture began (just before its first packet in a replay, the start time live), and the last
 * one before the final watermark where it ended (its newest packet in a replay, the stop time live).
 */
public final class CaptureAgent implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(CaptureAgent.class);

  private final AgentConfig config;
  private final long heartbeatMicros;
  private final DecodedPacket packet = new DecodedPacket();
  private final long[] anomalies = new long[Anomaly.count()];
  private final boolean[] anomalyLogged = new boolean[Anomaly.count()];
  private final CountDownLatch done = new CountDownLatch(1);
  /** This run's capture session: a new id each time an agent starts. */
  private final String session = java.util.UUID.randomUUID().toString().substring(0, 13);

  private volatile boolean stopRequested;
  private volatile boolean heartbeatDue;
  private volatile boolean running;
  private volatile PcapSource source;
  private volatile Thread runThread;
  private Publisher publisher;
  private PublishPolicy policy;
  private PacketDecoder decoder;

  // Counters: written by the capture thread, read racily by metrics and progress display.
  private long captured;
  private long capturedBytes;
  private boolean live;
  private long decoded;
  private long newestMicros = Long.MIN_VALUE;
  private long nextHeartbeatMicros = Long.MIN_VALUE;
  private long heartbeats;
  private long watermarksSent;
  private long[] pcapStats = new long[3];
  private Instant startedAt;
  private long captureNanos;
  private long captureCpuNanos;

  public CaptureAgent(AgentConfig config) {
    this.config = config;
    this.heartbeatMicros = config.heartbeatInterval().toNanos() / 1_000;
  }

  public AgentConfig config() {
    return config;
  }

  /** This run's capture session id, as on its watermarks and heartbeats. */
  public String session() {
    return session;
  }

  /**
   * Captures until the end of the file (everything published, flushed and acknowledged when
   * this returns) or, live, until {@link #stop()}. Throws AgentException for problems the user
   * must fix. One run per agent.
   */
  public AgentReport run() {
    if (runThread != null) {
      throw new IllegalStateException("an agent runs once");
    }
    runThread = Thread.currentThread();
    long startNanos = System.nanoTime();
    startedAt = Instant.now();
    ScheduledExecutorService timer = null;
    running = true;
    try {
      source = config.live()
          ? NetworkNamespace.within(config.netns().orElse(null), () -> PcapSource.openLive(config.iface().orElseThrow(),
              config.snapLength(), config.promiscuous(), config.bufferBytes(), config.immediate(), config.filter()))
          : PcapSource.openFile(config.file().orElseThrow(), config.filter());
      decoder = new PacketDecoder(source.linkType());
      if (!PacketDecoder.supports(source.linkType())) {
        log.warn("{}: link type {} ({}) is not supported; its packets are counted as unsupported_link_type",
            source.description(), source.linkType(), source.linkTypeName());
      }
      publisher = config.publish()
          ? new KafkaPublisher(config.bootstrap(), config.clientProperties(), config.topics(),
              "rstscope-agent-" + config.point(), config.maxBufferedRecords(), config.startupTimeout(), !config.live())
          : new NullPublisher();
      publisher.awaitCluster();
      policy = new PublishPolicy(config.policy(), config.point(), config.policySettings(), publisher);
      log.info("point {} capturing from {} ({} {}), filter '{}', policy {}", config.point(),
          source.description(), source.live() ? "interface" : "file", source.linkTypeName(),
          config.filter(), config.policy());
      if (source.live()) {
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
          Thread t = new Thread(r, "rstscope-agent-heartbeat");
          t.setDaemon(true);
          return t;
        });
        long ms = config.heartbeatInterval().toMillis();
        PcapSource s = source;
        timer.scheduleAtFixedRate(() -> {
          heartbeatDue = true;
          s.breakLoop();
        }, ms, ms, TimeUnit.MILLISECONDS);
      }
      long captureStart = System.nanoTime();
      long captureCpuStart = threadCpuNanos();
      captureLoop();
      if (source.damage() != null) {
        log.warn("point {}: {} ({}); everything before it is published", config.point(), source.damage().text(),
            source.damage().libpcap());
      }
      captureNanos = System.nanoTime() - captureStart;
      captureCpuNanos = captureCpuStart < 0 ? 0 : Math.max(0, threadCpuNanos() - captureCpuStart);
      finish();
      return report(System.nanoTime() - startNanos);
    } finally {
      running = false;
      if (timer != null) {
        timer.shutdownNow();
      }
      closeQuietly();
      done.countDown();
    }
  }

  private void captureLoop() {
    PcapSource s = source;
    live = s.live();
    if (live) {
      // The session's start: live, the capture covers everything from now on.
      startSession(Summaries.micros(Instant.now()));
    }
    while (!stopRequested) {
      try {
        s.loop(this::onPacket);
        if (!live) {
          return; // end of file
        }
      } catch (InterruptedException e) {
        // pcap_breakloop: a heartbeat is due or stop() was called.
        if (heartbeatDue && !stopRequested) {
          heartbeatDue = false;
          heartbeat();
        }
      }
    }
  }

  /** The per-packet path: no allocation (the frame buffer is reused, see PcapSource.loop). */
  private void onPacket(byte[] frame, int capturedLength, int wireLength, long micros) {
    if (!live && micros >= nextHeartbeatMicros) {
      if (nextHeartbeatMicros != Long.MIN_VALUE) {
        heartbeat();
      } else {
        // The session's start in a replay: everything before its first packet is (trivially) published.
        startSession(micros - 1);
      }
      nextHeartbeatMicros = micros + heartbeatMicros;
    }
    captured++;
    capturedBytes += capturedLength;
    Anomaly anomaly = decoder.decode(frame, capturedLength, micros, packet);
    if (anomaly == Anomaly.NONE) {
      decoded++;
      if (packet.note != Anomaly.NONE) {
        count(packet.note);
      }
      policy.accept(packet);
    } else {
      count(anomaly);
    }
    if (micros > newestMicros) {
      newestMicros = micros;
    }
  }

  /**
   * The session's first watermarks, acknowledged before anything else is sent: a partition's first batch from
   * this producer must not be in flight beside a later one. A broker that has no state for the producer takes a
   * later batch first when the first one is refused (a partition whose leader is still being elected), and then
   * refuses the first for ever as out of sequence.
   */
  private void startSession(long micros) {
    watermarksSent += publisher.watermarks(config.point(), session, Summaries.instant(micros));
    publisher.flush();
  }

  private void count(Anomaly anomaly) {
    int i = anomaly.ordinal();
    anomalies[i]++;
    if (!anomalyLogged[i]) {
      anomalyLogged[i] = true;
      log.info("{}: first {} packet (#{}); further ones are only counted", config.point(), anomaly.label(), captured);
    }
  }

  private void heartbeat() {
    policy.flushProgress();
    if (newestMicros != Long.MIN_VALUE) {
      policy.expireIdle(newestMicros);
      watermarksSent += publisher.watermarks(config.point(), session, Summaries.instant(newestMicros));
    }
    pcapStats = source.stats();
    publisher.heartbeat(status(false));
    heartbeats++;
  }

  private void finish() {
    policy.flushProgress();
    // Where this session's capture ended, then its end: live it ran until now, a replay until its newest packet.
    long endMicros = live ? Math.max(newestMicros, Summaries.micros(Instant.now())) : newestMicros;
    if (endMicros != Long.MIN_VALUE) {
      watermarksSent += publisher.watermarks(config.point(), session, Summaries.instant(endMicros));
    }
    watermarksSent += publisher.watermarks(config.point(), session, Summaries.END_OF_CAPTURE);
    publisher.flush();
    pcapStats = source.stats();
    publisher.heartbeat(status(true));
    heartbeats++;
    publisher.flush();
    log.info("point {} finished: {} packets captured, {} summaries, {} published, {} dropped",
        config.point(), captured, policy.summaries(), publisher.published(), publisher.dropped());
  }

  private PointStatus status(boolean finished) {
    PointStatus s = new PointStatus();
    s.setPoint(config.point());
    s.setSite(config.site());
    s.setSource(config.source());
    s.setLive(config.live());
    s.setAgentTime(Instant.now());
    s.setStartedAt(startedAt);
    s.setLastPacketTime(newestMicros == Long.MIN_VALUE ? null : Summaries.instant(newestMicros));
    s.setFinished(finished);
    s.setPcapReceived(pcapStats[0]);
    s.setPcapDropped(pcapStats[1]);
    s.setPcapIfDropped(pcapStats[2]);
    s.setCaptured(captured);
    s.setDecoded(decoded);
    s.setAnomalies(anomalyMap());
    s.setSummaries(policy.summaries());
    s.setPublished(publisher.published());
    s.setBuffered(publisher.buffered());
    s.setDropped(publisher.dropped());
    s.setFlowsTracked(policy.flowsTracked());
    s.setFlowEvictions(policy.flowEvictions());
    s.setRole(PointRole.CAPTURE);
    s.setHostAddresses(List.of());
    s.setSession(session);
    long[] droppedRange = publisher.droppedRange();
    s.setDroppedFrom(droppedRange == null ? null : Summaries.instant(droppedRange[0]));
    s.setDroppedUntil(droppedRange == null ? null : Summaries.instant(droppedRange[1]));
    return s;
  }

  private Map<String, Long> anomalyMap() {
    Map<String, Long> out = new LinkedHashMap<>();
    for (int i = 0; i < anomalies.length; i++) {
      if (anomalies[i] > 0) {
        out.put(Anomaly.of(i).label(), anomalies[i]);
      }
    }
    return out;
  }

  private AgentReport report(long elapsedNanos) {
    return new AgentReport(captured, decoded, anomalyMap(), policy.summaries(), policy.progressSummaries(),
        publisher.published(), publisher.dropped(), policy.flowEvictions(), policy.flowsExpired(), heartbeats,
        publisher.watermarksAcked(), pcapStats[0], pcapStats[1], pcapStats[2],
        newestMicros == Long.MIN_VALUE ? null : Summaries.instant(newestMicros), Duration.ofNanos(elapsedNanos),
        Duration.ofNanos(captureNanos), Duration.ofNanos(captureCpuNanos), source.damage());
  }

  /** This thread's CPU time (user + system) in ns, or -1 where the JVM cannot tell. */
  private static long threadCpuNanos() {
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    return mx.isCurrentThreadCpuTimeSupported() ? mx.getCurrentThreadCpuTime() : -1;
  }

  /**
   * Stops capturing; run() then publishes pending progress, the final watermarks and heartbeat,
   * flushes and returns. Called from another thread (e.g. a shutdown hook), waits up to 30 s for that.
   */
  public void stop() {
    stopRequested = true;
    PcapSource s = source;
    if (s != null && running) { // a finished run has closed its source
      s.breakLoop();
    }
    if (runThread != null && Thread.currentThread() != runThread) {
      try {
        if (!done.await(30, TimeUnit.SECONDS)) {
          log.warn("point {}: final flush did not complete within 30 s", config.point());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  public boolean running() {
    return running;
  }

  /** Live counters for metrics and progress display (racy reads, good enough for display). */
  public Snapshot snapshot() {
    Publisher p = publisher;
    PublishPolicy pol = policy;
    return new Snapshot(captured, capturedBytes, decoded, anomalyMap(), pol == null ? 0 : pol.summaries(),
        p == null ? 0 : p.published(), p == null ? 0 : p.dropped(), p == null ? 0 : p.buffered(),
        pol == null ? 0 : pol.flowsTracked(), pol == null ? 0 : pol.flowEvictions(),
        pcapStats[0], pcapStats[1], pcapStats[2], heartbeats);
  }

  /** Counters at one moment. */
  public record Snapshot(long captured, long capturedBytes, long decoded, Map<String, Long> anomalies,
      long summaries, long published, long dropped, long buffered, long flowsTracked, long flowEvictions,
      long pcapReceived, long pcapDropped, long pcapIfDropped, long heartbeats) {}

  private void closeQuietly() {
    if (publisher != null) {
      publisher.close();
    }
    if (source != null) {
      source.close();
    }
  }

  @Override
  public void close() {
    if (running) {
      stop();
    }
  }
}
