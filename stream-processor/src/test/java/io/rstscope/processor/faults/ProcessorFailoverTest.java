package io.rstscope.processor.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rstscope.agent.policy.Summaries;
import io.rstscope.avro.FlowKey;
import io.rstscope.avro.PacketSummary;
import io.rstscope.avro.RstFinding;
import io.rstscope.avro.SummaryKind;
import io.rstscope.deploy.testing.KafkaTestCluster;
import io.rstscope.processor.topology.RstTopology;
import io.rstscope.schemas.FlowKeys;
import io.rstscope.schemas.TcpFlags;
import io.rstscope.schemas.Topics;
import java.io.File;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.TaskMetadata;
import org.apache.kafka.streams.processor.StateRestoreListener;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Processor failover and full restart against a real broker (in-process KRaft), with
 * the production settings (exactly_once_v2) plus one standby replica.
 *
 * <p>Instance A runs in its own JVM so it can really crash (SIGKILL: no commit, no leave-group,
 * an open transaction left behind); B runs in this JVM so the test can read its task assignment
 * and stores. Known port-closed flows are written while A dies; every finding must be in the
 * findings topic once (read_committed) and B must have taken A's tasks from its standbys. Then
 * SYNs of more flows are processed, B is closed, every state folder is wiped, and a fresh
 * instance must rebuild flow-state from the changelogs and judge the RSTs that arrive after the
 * restart with the roles learnt from the pre-restart SYNs (the client port is the LOWER one, so
 * the port heuristic would give the opposite roles).
 */
@ExtendWith(KafkaTestCluster.class)
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class ProcessorFailoverTest {
  private static final int PARTITIONS = 4;
  private static final int FLOWS = 300;
  private static final int RESTART_FLOWS = 20;
  private static final byte[] SERVER = {10, 0, 3, 2};
  private static final Instant T0 = Instant.parse("2026-11-25T01:00:00Z");

  @Test
  void shouldLoseAndDuplicateNoFindingWhenAnInstanceIsKilledAndRestoreStateAfterAFullRestart(
      KafkaTestCluster.Broker kafka) throws Exception {
    Topics topics = kafka.newTopics("failover", PARTITIONS);
    String app = "rstscope-failover-" + topics.packets.name().split("\\.")[0];
    Path base = Files.createDirectories(Path.of("target", "failover")).toAbsolutePath();
    Path dirA = Files.createTempDirectory(base, "a-");
    Path dirB = Files.createTempDirectory(base, "b-");
    Path dirC = Files.createTempDirectory(base, "c-");
    Process a = null;
    KafkaStreams b = null;
    KafkaStreams c = null;
    try (KafkaProducer<FlowKey, PacketSummary> producer = producer(kafka.bootstrap(), topics)) {
      a = startChild(kafka.bootstrap(), app, dirA, topics, base.resolve("instance-a.log"));
      b = FailoverInstance.create(kafka.bootstrap(), app, dirB, topics);
      b.start();
      awaitRunning(b, Duration.ofSeconds(90));
      awaitTwoMembers(b, Duration.ofSeconds(90));
      Set<TaskId> standbyBefore = tasks(b, false);
      Set<TaskId> activeBefore = tasks(b, true);
      assertTrue(!standbyBefore.isEmpty(), "B holds no standby task: " + b.metadataForLocalThreads());

      // Phase 1: FLOWS port-closed flows; A is SIGKILLed after the first third.
      long killedAt = 0;
      for (int i = 0; i < FLOWS; i++) {
        writeClosedPort(producer, topics, i);
        if (i % 20 == 19) {
          watermark(producer, topics, T0.plusMillis(i * 10L + 10));
          producer.flush();
          Thread.sleep(100);
        }
        if (i == FLOWS / 3) {
          Thread.sleep(1000); // A is mid-run: it has processed and committed some of its flows
          a.destroyForcibly(); // SIGKILL
          assertTrue(a.waitFor(10, TimeUnit.SECONDS));
          killedAt = System.nanoTime();
        }
      }
      watermark(producer, topics, T0.plusSeconds(60));
      producer.flush();

      Map<String, Integer> seen = awaitFindings(kafka.bootstrap(), topics, FLOWS, Duration.ofSeconds(90));
      double takeoverSeconds = (System.nanoTime() - killedAt) / 1e9;
      Set<TaskId> activeAfter = tasks(b, true);
      long duplicates = seen.values().stream().filter(n -> n > 1).count();
      assertEquals(FLOWS, seen.size(), "findings of distinct RSTs");
      assertEquals(0, duplicates, "findings written twice: " + seen);
      assertTrue(activeAfter.containsAll(standbyBefore), "B's standbys " + standbyBefore + " did not become active: "
          + activeAfter);
      Set<TaskId> all = new TreeSet<>(activeBefore);
      all.addAll(standbyBefore);
      assertTrue(activeAfter.containsAll(all), "B runs every task alone: " + activeAfter);
      System.out.printf("RELIABILITY processor-failover: A (own JVM) SIGKILLed after %d of %d flows; B active tasks %s ->"
              + " %s (its standbys %s taken over); %d findings read_committed, %d distinct, 0 lost, %d duplicated;"
              + " all findings out %.1f s after the kill%n",
          FLOWS / 3, FLOWS, activeBefore, activeAfter, standbyBefore, seen.values().stream().mapToInt(n -> n).sum(),
          seen.size(), duplicates, takeoverSeconds);

      // Phase 2: SYNs processed before a full restart, RSTs after it.
      for (int i = 0; i < RESTART_FLOWS; i++) {
        producer.send(new ProducerRecord<>(topics.packets.name(), restartKey(i), restartSyn(i)));
      }
      watermark(producer, topics, T0.plusSeconds(70));
      producer.flush();
      ReadOnlyKeyValueStore<FlowKey, Object> flowsB = b.store(StoreQueryParameters.fromNameAndType(
          RstTopology.FLOW_STATE_STORE, QueryableStoreTypes.keyValueStore()));
      awaitKeys(flowsB, Duration.ofSeconds(30));
      long flowsBefore = count(flowsB);
      b.close(Duration.ofSeconds(30));
      b = null;
      wipe(dirA);
      wipe(dirB);

      c = FailoverInstance.create(kafka.bootstrap(), app, dirC, topics);
      AtomicLong restored = new AtomicLong();
      Map<String, Long> restoredByStore = new java.util.concurrent.ConcurrentHashMap<>();
      c.setGlobalStateRestoreListener(new StateRestoreListener() {
        @Override public void onRestoreStart(TopicPartition tp, String store, long start, long end) {}
        @Override public void onBatchRestored(TopicPartition tp, String store, long end, long n) {}
        @Override public void onRestoreEnd(TopicPartition tp, String store, long total) {
          restored.addAndGet(total);
          restoredByStore.merge(store, total, Long::sum);
        }
      });
      long restartStart = System.nanoTime();
      c.start();
      awaitRunning(c, Duration.ofSeconds(90));
      double restartSeconds = (System.nanoTime() - restartStart) / 1e9;
      ReadOnlyKeyValueStore<FlowKey, Object> flowsC = c.store(StoreQueryParameters.fromNameAndType(
          RstTopology.FLOW_STATE_STORE, QueryableStoreTypes.keyValueStore()));
      awaitKeys(flowsC, Duration.ofSeconds(30));
      long flowsAfter = count(flowsC);
      assertEquals(flowsBefore, flowsAfter, "flow-state entries before the restart and after restoring from changelogs");
      assertTrue(restoredByStore.getOrDefault(RstTopology.FLOW_STATE_STORE, 0L) >= flowsBefore,
          "flow-state was not restored from its changelog: " + restoredByStore);

      for (int i = 0; i < RESTART_FLOWS; i++) {
        producer.send(new ProducerRecord<>(topics.packets.name(), restartKey(i), restartRst(i)));
      }
      watermark(producer, topics, T0.plusSeconds(80));
      producer.flush();
      Map<String, Integer> after = awaitFindings(kafka.bootstrap(), topics, FLOWS + RESTART_FLOWS, Duration.ofSeconds(60));
      assertEquals(FLOWS + RESTART_FLOWS, after.size());
      assertEquals(0, after.values().stream().filter(n -> n > 1).count(), "duplicates after the restart");
      List<RstFinding> restartFindings = new ArrayList<>();
      for (RstFinding f : readFindings(kafka.bootstrap(), topics)) {
        if (f.getFlow().getServer().endsWith(":50000")) {
          restartFindings.add(f);
        }
      }
      assertEquals(RESTART_FLOWS, restartFindings.size(), "verdicts of the flows that straddle the restart");
      for (RstFinding f : restartFindings) {
        assertTrue(f.getFlow().getClient().endsWith(":1000"), "roles from the pre-restart SYN: client "
            + f.getFlow().getClient() + " (" + f.getFlow().getRolesFrom() + ")");
        assertEquals("handshake", f.getPhase().name(), "phase from the pre-restart SYN");
        assertEquals("server", f.getEmitter().name());
        assertEquals("port_closed", f.getCause().name());
      }
      System.out.printf("RELIABILITY processor-restart: both instances closed, every state folder wiped; a fresh"
              + " instance RUNNING in %.1f s after restoring %d records from changelogs (%s); flow-state %d entries"
              + " before, %d after; %d RSTs arriving after the restart judged with the pre-restart SYNs (roles from %s,"
              + " phase handshake, port_closed); findings in total %d, duplicates 0%n",
          restartSeconds, restored.get(), restoredByStore, flowsBefore, flowsAfter, RESTART_FLOWS,
          restartFindings.get(0).getFlow().getRolesFrom(), after.size());
    } finally {
      if (a != null) {
        a.destroyForcibly();
        a.waitFor(10, TimeUnit.SECONDS);
      }
      if (b != null) {
        b.close(Duration.ofSeconds(10));
      }
      if (c != null) {
        c.close(Duration.ofSeconds(10));
      }
    }
  }

  private static Process startChild(String bootstrap, String app, Path dir, Topics topics, Path log) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd = new ArrayList<>(List.of(java, "-Xmx384m", "-XX:TieredStopAtLevel=1",
        "-Dorg.apache.avro.SERIALIZABLE_PACKAGES=" + System.getProperty("org.apache.avro.SERIALIZABLE_PACKAGES",
            "java.lang,java.math,java.io,java.net,org.apache.avro.reflect,io.rstscope.avro"),
        "-cp", System.getProperty("java.class.path"), FailoverInstance.class.getName(),
        bootstrap, app, dir.toString(), topics.packets.name().substring(0, topics.packets.name().lastIndexOf('.')),
        Integer.toString(PARTITIONS)));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (!Files.readString(log).contains("STATE RUNNING")) {
      assertTrue(p.isAlive(), "instance A exited: " + Files.readString(log));
      assertTrue(System.nanoTime() < deadline, "instance A not RUNNING in 90 s: " + log);
      Thread.sleep(200);
    }
    return p;
  }

  private static KafkaProducer<FlowKey, PacketSummary> producer(String bootstrap, Topics topics) {
    return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true),
        topics.packets.keySerde().serializer(), topics.packets.valueSerde().serializer());
  }

  private static PacketSummary summary(long ms, byte[] src, int srcPort, byte[] dst, int dstPort, String flags,
      long seq, long ack, int ttl) {
    return PacketSummary.newBuilder().setPoint("P1").setKind(SummaryKind.PACKET).setCaptureTime(T0.plusMillis(ms))
        .setIpVersion(4).setSrcAddress(ByteBuffer.wrap(src)).setDstAddress(ByteBuffer.wrap(dst))
        .setSrcPort(srcPort).setDstPort(dstPort).setTtl(ttl).setIpId(0).setTcpFlags(TcpFlags.parse(flags))
        .setSeq(seq).setAck(ack).setWindow(64240).setPayloadLength(0).build();
  }

  /** Flow i: a client (one of 250 addresses, so no single scanner) SYNs 10.0.3.2:8081 and gets RST+ACK. */
  private static void writeClosedPort(KafkaProducer<FlowKey, PacketSummary> producer, Topics topics, int i) {
    byte[] client = {10, 0, 1, (byte) (1 + i % 250)};
    int port = 40_000 + i;
    FlowKey key = FlowKeys.of(client, port, SERVER, 8081);
    producer.send(new ProducerRecord<>(topics.packets.name(), key, summary(i * 10L, client, port, SERVER, 8081, "S", 1000, 0, 64)));
    producer.send(new ProducerRecord<>(topics.packets.name(), key, summary(i * 10L + 1, SERVER, 8081, client, port, "RA", 0, 1001, 62)));
  }

  private static byte[] restartClient(int i) {
    return new byte[] {10, 0, 2, (byte) (1 + i)};
  }

  private static FlowKey restartKey(int i) {
    return FlowKeys.of(restartClient(i), 1000, SERVER, 50_000);
  }

  private static PacketSummary restartSyn(int i) {
    return summary(65_000 + i, restartClient(i), 1000, SERVER, 50_000, "S", 5000, 0, 64);
  }

  private static PacketSummary restartRst(int i) {
    return summary(65_100 + i, SERVER, 50_000, restartClient(i), 1000, "RA", 0, 5001, 62);
  }

  private static void watermark(KafkaProducer<FlowKey, PacketSummary> producer, Topics topics, Instant t) {
    FlowKey key = FlowKeys.of(new byte[4], 0, new byte[4], 0);
    for (int p = 0; p < PARTITIONS; p++) {
      producer.send(new ProducerRecord<>(topics.packets.name(), p, key, Summaries.watermark("P1", t)));
    }
  }

  private static Set<TaskId> tasks(KafkaStreams s, boolean active) {
    Set<TaskId> out = new TreeSet<>();
    s.metadataForLocalThreads().forEach(t -> (active ? t.activeTasks() : t.standbyTasks()).stream()
        .map(TaskMetadata::taskId).forEach(out::add));
    return out;
  }

  private static void awaitRunning(KafkaStreams s, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (s.state() != KafkaStreams.State.RUNNING) {
      assertTrue(System.nanoTime() < deadline, "not RUNNING within " + timeout + ": " + s.state());
      Thread.sleep(100);
    }
  }

  /** Until the group has settled with both members: B holds standbys (it has only some tasks active). */
  private static void awaitTwoMembers(KafkaStreams b, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (b.state() != KafkaStreams.State.RUNNING || tasks(b, false).isEmpty()) {
      assertTrue(System.nanoTime() < deadline, "no stable two-instance assignment: " + b.metadataForLocalThreads());
      Thread.sleep(200);
    }
  }

  private static void awaitKeys(ReadOnlyKeyValueStore<FlowKey, Object> store, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      int found = 0;
      for (int i = 0; i < RESTART_FLOWS; i++) {
        try {
          if (store.get(restartKey(i)) != null) {
            found++;
          }
        } catch (RuntimeException e) {
          // store migrating during a rebalance: ask again
        }
      }
      if (found == RESTART_FLOWS) {
        return;
      }
      assertTrue(System.nanoTime() < deadline, "SYN flows in flow-state: " + found + " of " + RESTART_FLOWS);
      Thread.sleep(200);
    }
  }

  private static long count(ReadOnlyKeyValueStore<FlowKey, Object> store) {
    return io.rstscope.processor.state.StoreEntries.count(store);
  }

  /** Finding id -> how many times it was read (read_committed), once {@code expected} distinct ids are there. */
  private static Map<String, Integer> awaitFindings(String bootstrap, Topics topics, int expected, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      Map<String, Integer> seen = new HashMap<>();
      for (RstFinding f : readFindings(bootstrap, topics)) {
        seen.merge(f.getFindingId(), 1, Integer::sum);
      }
      if (seen.size() >= expected || System.nanoTime() > deadline) {
        Thread.sleep(2000); // a duplicate would come late: read once more after a pause
        Map<String, Integer> again = new HashMap<>();
        for (RstFinding f : readFindings(bootstrap, topics)) {
          again.merge(f.getFindingId(), 1, Integer::sum);
        }
        return again;
      }
      Thread.sleep(1000);
    }
  }

  private static List<RstFinding> readFindings(String bootstrap, Topics topics) {
    List<RstFinding> out = new ArrayList<>();
    String topic = topics.findings.name();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
        new org.apache.kafka.common.serialization.ByteArrayDeserializer(),
        new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
      List<TopicPartition> parts = consumer.partitionsFor(topic).stream()
          .map(p -> new TopicPartition(topic, p.partition())).toList();
      consumer.assign(parts);
      consumer.seekToBeginning(parts);
      Map<TopicPartition, Long> end = consumer.endOffsets(parts);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      var deserializer = topics.findings.valueSerde().deserializer();
      while (System.nanoTime() < deadline && !parts.stream().allMatch(tp -> consumer.position(tp) >= end.get(tp))) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          out.add(deserializer.deserialize(topic, r.value()));
        }
      }
    }
    return out;
  }

  private static void wipe(Path dir) throws Exception {
    if (Files.exists(dir)) {
      try (var paths = Files.walk(dir)) {
        paths.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
      }
    }
    assertTrue(!Files.exists(dir), "state folder not wiped: " + dir);
  }
}
