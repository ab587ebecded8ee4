package io.rstscope.agent.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rstscope.agent.AgentConfig;
import io.rstscope.agent.AgentReport;
import io.rstscope.agent.CaptureAgent;
import io.rstscope.avro.PacketSummary;
import io.rstscope.avro.PointStatus;
import io.rstscope.avro.SummaryKind;
import io.rstscope.deploy.testing.LocalClusterProcess;
import io.rstscope.deploy.topics.TopicProvisioner;
import io.rstscope.schemas.TcpFlags;
import io.rstscope.schemas.Topics;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The cluster goes away under live agents for longer than a minute (a site losing its uplink): one
 * real broker process (deploy/bin/kafka-cluster, 1 node, free ports) is SIGKILLed while two
 * agents capture live on {@code lo} the same bounded stream of short TCP connections that end
 * with a RST (SO_LINGER 0); it is restarted about 65 s later (80 s and more with the restart). One agent has a small buffer bound
 * (so it must drop, and count), the other a generous one (so it must drop nothing). For each:
 * it kept running, its unacknowledged summaries never exceeded its bound, it published again
 * after the restart, and summaries = read back (read_committed) + dropped, exactly.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class ClusterOutageTest {
  private static final int SMALL_BOUND = 500;
  private static final int GENEROUS_BOUND = 200_000;
  private static final Duration BEFORE_OUTAGE = Duration.ofSeconds(8);
  /** With the restart, longer than a minute: past the producer's former 60 s delivery timeout, which lost summaries. */
  private static final Duration OUTAGE = Duration.ofSeconds(65);
  private static final Duration AFTER_RESTART = Duration.ofSeconds(8);
  private static final int CONNECTIONS_PER_SECOND = 100;
  /** Upper bound of the generator, whatever the broker's restart time. */
  private static final int MAX_CONNECTIONS = 12_000;

  @Test
  void shouldBufferWithinItsBoundCountDropsAndResumeWhenTheOnlyBrokerIsKilledAndRestarted() throws Exception {
    Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "live capture on lo needs root");
    LocalClusterProcess cluster = null;
    CaptureAgent small = null;
    CaptureAgent generous = null;
    ExecutorService threads = Executors.newCachedThreadPool();
    AtomicBoolean stopTraffic = new AtomicBoolean();
    try (ServerSocket server = new ServerSocket(0, 500, InetAddress.getLoopbackAddress())) {
      cluster = LocalClusterProcess.start("outage", 1);
      Topics smallTopics = new Topics("rsf-small", 4);
      Topics generousTopics = new Topics("rsf-generous", 4);
      new TopicProvisioner(1).provision(cluster.bootstrap(), smallTopics, Map.of());
      new TopicProvisioner(1).provision(cluster.bootstrap(), generousTopics, Map.of());

      int port = server.getLocalPort();
      small = new CaptureAgent(agentConfig("O1", port, cluster.bootstrap(), smallTopics, SMALL_BOUND));
      generous = new CaptureAgent(agentConfig("O2", port, cluster.bootstrap(), generousTopics, GENEROUS_BOUND));
      CaptureAgent a = small;
      CaptureAgent b = generous;
      CompletableFuture<AgentReport> smallRun = CompletableFuture.supplyAsync(a::run, threads);
      CompletableFuture<AgentReport> generousRun = CompletableFuture.supplyAsync(b::run, threads);
      AtomicLong maxSmallBuffered = new AtomicLong();
      AtomicLong maxGenerousBuffered = new AtomicLong();
      AtomicLong maxHeapUsed = new AtomicLong();
      threads.submit(() -> sample(a, b, maxSmallBuffered, maxGenerousBuffered, maxHeapUsed, stopTraffic));
      Thread.sleep(2000); // both agents connected and libpcap open on lo
      assertTrue(small.running() && generous.running(), "agents did not start");

      threads.submit(() -> accept(server, stopTraffic));
      AtomicLong connections = new AtomicLong();
      CompletableFuture<Void> traffic = CompletableFuture.runAsync(() -> connect(port, stopTraffic, connections), threads);

      Thread.sleep(BEFORE_OUTAGE.toMillis());
      long publishedBeforeSmall = small.snapshot().published();
      long publishedBeforeGenerous = generous.snapshot().published();
      assertTrue(publishedBeforeSmall > 0 && publishedBeforeGenerous > 0, "nothing published before the outage");
      long killedAt = System.nanoTime();
      cluster.killBroker(1);
      assertFalse(cluster.process(1).isPresent(), "broker still running after SIGKILL");
      long capturedAtKill = generous.snapshot().captured();
      Thread.sleep(OUTAGE.toMillis() / 2);
      long capturedMidOutage = generous.snapshot().captured();
      if (capturedMidOutage - capturedAtKill < CONNECTIONS_PER_SECOND) {
        // Known (BENCHMARKS.md): the capture thread waits on producer metadata while the cluster is away.
        Thread.getAllStackTraces().forEach((t, st) -> {
          if (java.util.Arrays.stream(st).anyMatch(f -> f.getClassName().endsWith("CaptureAgent"))) {
            System.out.println("OUTAGE-STALL capture thread " + t.getName() + " captured " + capturedAtKill + " -> "
                + capturedMidOutage + " in " + OUTAGE.toSeconds() / 2 + " s:\n  " + java.util.Arrays.stream(st).limit(8)
                .map(Object::toString).collect(java.util.stream.Collectors.joining("\n  ")));
          }
        });
      }
      Thread.sleep(OUTAGE.toMillis() / 2);
      assertTrue(small.running() && generous.running(), "an agent stopped while the cluster was away");
      long capturedEndOfOutage = generous.snapshot().captured();
      cluster.startBroker(1);
      double outageSeconds = (System.nanoTime() - killedAt) / 1e9;
      Instant restartedAt = Instant.now();
      Thread.sleep(AFTER_RESTART.toMillis());
      stopTraffic.set(true);
      traffic.get(30, TimeUnit.SECONDS);
      Thread.sleep(1000); // the last RSTs reach the capture
      small.stop();
      generous.stop();
      AgentReport smallReport = smallRun.get(60, TimeUnit.SECONDS);
      AgentReport generousReport = generousRun.get(60, TimeUnit.SECONDS);

      Tally smallOut = readBack(cluster.bootstrap(), smallTopics, restartedAt, smallReport.published());
      Tally generousOut = readBack(cluster.bootstrap(), generousTopics, restartedAt, generousReport.published());
      PointStatus smallFinal = finalStatus(cluster.bootstrap(), smallTopics, "O1");
      PointStatus generousFinal = finalStatus(cluster.bootstrap(), generousTopics, "O2");

      System.out.printf("RELIABILITY cluster-outage: broker SIGKILLed after %d s of traffic, back after %.1f s;"
              + " %d connections (each ending with a RST) at %d/s captured live on lo; packets captured while the"
              + " broker was down (before start-broker): %d; heap used at most %d MiB%n",
          BEFORE_OUTAGE.toSeconds(), outageSeconds, connections.get(), CONNECTIONS_PER_SECOND,
          capturedEndOfOutage - capturedAtKill, maxHeapUsed.get() >> 20);
      report("small bound " + SMALL_BOUND, smallReport, smallOut, maxSmallBuffered.get(), smallFinal);
      report("generous bound " + GENEROUS_BOUND, generousReport, generousOut, maxGenerousBuffered.get(), generousFinal);

      for (AgentReport r : List.of(smallReport, generousReport)) {
        assertEquals(0, r.pcapDropped() + r.pcapIfDropped(), "kernel drops would make the two agents' counts differ");
      }
      // Small bound: it dropped, counted every drop, and never held more than its bound.
      assertTrue(smallReport.dropped() > 0, "a " + SMALL_BOUND + "-summary bound dropped nothing across the outage");
      assertTrue(maxSmallBuffered.get() <= SMALL_BOUND, "buffered " + maxSmallBuffered.get() + " > bound");
      assertEquals(smallReport.summaries(), smallOut.summaries + smallReport.dropped(),
          "summaries = read back + dropped: " + smallReport.summaryLine());
      assertEquals(smallReport.published(), smallOut.summaries, "acknowledged = read back");
      assertEquals(smallReport.dropped(), smallFinal.getDropped(), "the final heartbeat reports the drops");
      // Generous bound: the same exact accounting, and nothing dropped: the sender thread holds records
      // while the cluster is away instead of losing them to the producer's metadata wait.
      assertTrue(maxGenerousBuffered.get() <= GENEROUS_BOUND);
      assertEquals(generousReport.summaries(), generousOut.summaries + generousReport.dropped(),
          "summaries = read back + dropped: " + generousReport.summaryLine());
      assertEquals(generousReport.published(), generousOut.summaries, "acknowledged = read back");
      assertEquals(generousReport.dropped(), generousFinal.getDropped());
      assertEquals(0, generousReport.dropped(), "the generous bound dropped: " + generousReport.summaryLine());
      assertTrue(capturedEndOfOutage - capturedAtKill > 10L * CONNECTIONS_PER_SECOND,
          "capture went on while the cluster was away: " + (capturedEndOfOutage - capturedAtKill) + " packets");
      // Both reconnected and published what they captured after the restart, RSTs included.
      for (Tally t : List.of(smallOut, generousOut)) {
        assertTrue(t.afterRestart > 0, "nothing captured after the restart was read back");
        assertTrue(t.rsts > 0, "no RST read back");
      }
      assertEquals(0, generousOut.duplicates + smallOut.duplicates, "a summary was read back twice");
      // Two agents on the same packets: drops happen after the policy, so both produced about as many summaries.
      long diff = Math.abs(smallReport.summaries() - generousReport.summaries());
      assertTrue(diff <= generousReport.summaries() / 100 + 10,
          "same traffic, summaries " + smallReport.summaries() + " vs " + generousReport.summaries());
    } finally {
      stopTraffic.set(true);
      if (small != null) {
        small.close();
      }
      if (generous != null) {
        generous.close();
      }
      threads.shutdownNow();
      if (cluster != null) {
        cluster.close();
      }
    }
  }

  private static AgentConfig agentConfig(String point, int port, String bootstrap, Topics topics, int bound) {
    return AgentConfig.builder().point(point).iface("lo").filter("tcp port " + port)
        .heartbeatInterval(Duration.ofMillis(500)).bootstrap(bootstrap).topics(topics)
        .maxBufferedRecords(bound).startupTimeout(Duration.ofSeconds(30)).build();
  }

  private static void sample(CaptureAgent a, CaptureAgent b, AtomicLong maxA, AtomicLong maxB, AtomicLong maxHeap,
      AtomicBoolean stop) {
    Runtime rt = Runtime.getRuntime();
    long start = System.nanoTime();
    long nextPrint = start;
    while (!Thread.currentThread().isInterrupted() && (a.running() || b.running())) {
      if (System.nanoTime() >= nextPrint) {
        nextPrint += 2_000_000_000L;
        CaptureAgent.Snapshot x = a.snapshot();
        CaptureAgent.Snapshot y = b.snapshot();
        System.out.printf("OUTAGE-TIMELINE t=%4.1fs small: captured %d summaries %d published %d dropped %d buffered %d"
                + " | generous: captured %d summaries %d published %d dropped %d buffered %d%n",
            (System.nanoTime() - start) / 1e9, x.captured(), x.summaries(), x.published(), x.dropped(), x.buffered(),
            y.captured(), y.summaries(), y.published(), y.dropped(), y.buffered());
      }
      maxA.accumulateAndGet(a.snapshot().buffered(), Math::max);
      maxB.accumulateAndGet(b.snapshot().buffered(), Math::max);
      maxHeap.accumulateAndGet(rt.totalMemory() - rt.freeMemory(), Math::max);
      try {
        Thread.sleep(2);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /** The listener: reads each connection until its RST (or EOF). */
  private static void accept(ServerSocket server, AtomicBoolean stop) {
    byte[] buf = new byte[1024];
    try {
      server.setSoTimeout(500);
    } catch (IOException e) {
      return;
    }
    while (!stop.get()) {
      try (Socket s = server.accept()) {
        s.setSoTimeout(1000);
        InputStream in = s.getInputStream();
        while (in.read(buf) >= 0) {
          // drain
        }
      } catch (IOException e) {
        // accept timeout, or the client's RST: both expected
      }
    }
  }

  /** Bounded generator: short connections that send 64 bytes and abort (SO_LINGER 0: a RST). */
  private static void connect(int port, AtomicBoolean stop, AtomicLong count) {
    long start = System.nanoTime();
    for (int i = 0; i < MAX_CONNECTIONS && !stop.get(); i++) {
      long wait = start + i * 1_000_000_000L / CONNECTIONS_PER_SECOND - System.nanoTime();
      if (wait > 0) {
        try {
          TimeUnit.NANOSECONDS.sleep(wait);
        } catch (InterruptedException e) {
          return;
        }
      }
      try (Socket c = new Socket(InetAddress.getLoopbackAddress(), port)) {
        OutputStream out = c.getOutputStream();
        out.write(new byte[64]);
        out.flush();
        c.setSoLinger(true, 0);
        count.incrementAndGet();
      } catch (IOException e) {
        throw new IllegalStateException("traffic generator: " + e.getMessage(), e);
      }
    }
  }

  private static final class Tally {
    long summaries;
    long watermarks;
    long rsts;
    long afterRestart;
    long duplicates;
  }

  private static Tally readBack(String bootstrap, Topics topics, Instant restartedAt, long expected) {
    Tally t = new Tally();
    java.util.Set<String> seen = new java.util.HashSet<>();
    var deserializer = topics.packets.valueSerde().deserializer();
    for (ConsumerRecord<byte[], byte[]> r : readAll(bootstrap, topics.packets.name(), expected)) {
      PacketSummary s = deserializer.deserialize(r.topic(), r.value());
      if (s.getKind() == SummaryKind.WATERMARK) {
        t.watermarks++;
        continue;
      }
      t.summaries++;
      // A summary's identity: direction, capture time, seq/ack, flags (unique per captured packet here).
      if (!seen.add(s.getSrcPort() + ">" + s.getDstPort() + "@" + s.getCaptureTime() + "#" + s.getSeq() + "/"
          + s.getAck() + "/" + s.getTcpFlags() + "/" + s.getKind())) {
        t.duplicates++;
      }
      if ((s.getTcpFlags() & TcpFlags.RST) != 0) {
        t.rsts++;
      }
      if (s.getCaptureTime().isAfter(restartedAt)) {
        t.afterRestart++;
      }
    }
    return t;
  }

  private static PointStatus finalStatus(String bootstrap, Topics topics, String point) {
    PointStatus last = null;
    var deserializer = topics.points.valueSerde().deserializer();
    for (ConsumerRecord<byte[], byte[]> r : readAll(bootstrap, topics.points.name(), 1)) {
      PointStatus s = deserializer.deserialize(r.topic(), r.value());
      if (point.equals(s.getPoint()) && s.getFinished()) {
        last = s;
      }
    }
    assertNotNull(last, "no final heartbeat of " + point);
    return last;
  }

  /** Everything in the topic, read_committed, waiting until at least {@code expected} non-control records or 60 s. */
  private static List<ConsumerRecord<byte[], byte[]>> readAll(String bootstrap, String topic, long expected) {
    List<ConsumerRecord<byte[], byte[]>> out = new java.util.ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
        ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> parts = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
          .map(p -> new TopicPartition(topic, p.partition())).toList();
      consumer.assign(parts);
      consumer.seekToBeginning(parts);
      Map<TopicPartition, Long> end = consumer.endOffsets(parts, Duration.ofSeconds(30));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(out::add);
        if (parts.stream().allMatch(tp -> consumer.position(tp) >= end.get(tp)) && out.size() >= expected) {
          break;
        }
      }
    }
    return out;
  }

  private static void report(String name, AgentReport r, Tally out, long maxBuffered, PointStatus last) {
    System.out.printf("RELIABILITY cluster-outage [%s]: %s; read back %d summaries (%d captured after the restart,"
            + " %d RSTs, %d duplicates) + %d watermarks; summaries %d = read back %d + dropped %d; most unacknowledged"
            + " at once %d; final heartbeat: published %d, dropped %d, buffered %d%n",
        name, r.summaryLine(), out.summaries, out.afterRestart, out.rsts, out.duplicates, out.watermarks,
        r.summaries(), out.summaries, r.dropped(), maxBuffered, last.getPublished(), last.getDropped(),
        last.getBuffered());
  }
}
