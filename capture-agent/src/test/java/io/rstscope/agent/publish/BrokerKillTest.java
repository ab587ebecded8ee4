package io.rstscope.agent.publish;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rstscope.deploy.testing.LocalClusterProcess;
import io.rstscope.schemas.Topics;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * SIGKILL one broker of three real broker processes (deploy/bin/kafka-cluster) while a producer
 * configured like the capture agent publishes, and count: every record sent is read back once
 * with read_committed, none is refused, none is duplicated. The killed node is the active
 * KRaft controller, so controller and partition-leader failover happen together.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class BrokerKillTest {
  private static final int RECORDS = 100_000;
  private static final int RATE_PER_SECOND = 20_000;

  private static LocalClusterProcess cluster;

  @BeforeAll
  static void startCluster() {
    cluster = LocalClusterProcess.start("brokerkill", 3);
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  /** Exactly the capture agent's producer settings, taken from the publisher itself. */
  static Map<String, Object> agentProducer(String bootstrap) {
    return new java.util.HashMap<>(KafkaPublisher.defaults(bootstrap, "rstscope-agent-faults"));
  }

  @Test
  void shouldLoseAndDuplicateNoRecordWhenTheControllerBrokerIsKilledMidStream() throws Exception {
    String topic = Topics.defaults().packets.name();
    int victim;
    try (Admin admin = admin()) {
      TopicDescription packets = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic);
      for (TopicPartitionInfo p : packets.partitions()) {
        assertEquals(3, p.replicas().size(), "replication factor of " + topic + "-" + p.partition());
      }
      Config config = admin.describeConfigs(List.of(new ConfigResource(ConfigResource.Type.TOPIC, topic)))
          .all().get(30, TimeUnit.SECONDS).values().iterator().next();
      assertEquals("2", config.get("min.insync.replicas").value());
      victim = admin.describeMetadataQuorum().quorumInfo().get(30, TimeUnit.SECONDS).leaderId();
      int v = victim;
      assertTrue(packets.partitions().stream().anyMatch(p -> p.leader().id() == v),
          "the controller node leads no partition of " + topic + "; the kill would not move a leader");
    }

    AtomicLong acked = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    AtomicLong refusedAtSend = new AtomicLong();
    AtomicLong ackedWhileDown = new AtomicLong();
    AtomicReference<Exception> firstError = new AtomicReference<>();
    long killAt = RECORDS / 4;
    long killedAtNanos = 0;
    boolean down = false;
    long start = System.nanoTime();
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(agentProducer(cluster.bootstrap()), new ByteArraySerializer(), new ByteArraySerializer())) {
      for (int i = 0; i < RECORDS; i++) {
        if (i == killAt) {
          cluster.killBroker(victim);
          assertFalse(cluster.process(victim).isPresent(), "node " + victim + " still running after kill-broker");
          killedAtNanos = System.nanoTime();
          down = true;
        }
        long due = start + (long) i * 1_000_000_000L / RATE_PER_SECOND;
        long wait = due - System.nanoTime();
        if (wait > 0) {
          TimeUnit.NANOSECONDS.sleep(wait);
        }
        boolean whileDown = down;
        try {
          producer.send(new ProducerRecord<>(topic, flowKey(), value(i)), (m, e) -> {
            if (e == null) {
              acked.incrementAndGet();
              if (whileDown) {
                ackedWhileDown.incrementAndGet();
              }
            } else {
              failed.incrementAndGet();
              firstError.compareAndSet(null, e);
            }
          });
        } catch (RuntimeException e) {
          refusedAtSend.incrementAndGet();
          firstError.compareAndSet(null, e);
        }
      }
      producer.flush();
    }
    double streamSeconds = (System.nanoTime() - start) / 1e9;
    double downSeconds = (System.nanoTime() - killedAtNanos) / 1e9;

    assertEquals(0, refusedAtSend.get(), () -> "sends refused (the agent would count them as drops): " + firstError.get());
    assertEquals(0, failed.get(), () -> "records not acknowledged: " + firstError.get());
    assertEquals(RECORDS, acked.get());
    assertTrue(ackedWhileDown.get() > 0, "no record was acknowledged while a broker was down");

    BitSet seen = new BitSet(RECORDS);
    long duplicates = 0;
    long read = 0;
    try (KafkaConsumer<byte[], byte[]> consumer = consumer()) {
      List<TopicPartition> parts = new ArrayList<>();
      consumer.partitionsFor(topic).forEach(p -> parts.add(new TopicPartition(topic, p.partition())));
      consumer.assign(parts);
      consumer.seekToBeginning(parts);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
      while (seen.cardinality() < RECORDS && System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          int seq = ByteBuffer.wrap(r.value()).getInt();
          read++;
          if (seen.get(seq)) {
            duplicates++;
          }
          seen.set(seq);
        }
      }
    }
    assertEquals(RECORDS, seen.cardinality(), "records read back (read_committed) with node " + victim + " down");
    assertEquals(0, duplicates, "duplicates despite the idempotent producer");
    assertEquals(RECORDS, read);

    long restartStart = System.nanoTime();
    cluster.startBroker(victim);
    awaitFullIsr(topic, Duration.ofSeconds(90));
    double recoverySeconds = (System.nanoTime() - restartStart) / 1e9;
    System.out.printf("RELIABILITY broker-kill: %d records at %d/s over %.1f s, killed node %d (active controller)"
            + " after %d; %d acknowledged while it was down (%.1f s); read back %d, lost 0, duplicates %d;"
            + " node restarted and every ISR back to 3 in %.1f s%n",
        RECORDS, RATE_PER_SECOND, streamSeconds, victim, killAt, ackedWhileDown.get(), downSeconds, read, duplicates,
        recoverySeconds);
  }

  private static void awaitFullIsr(String topic, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    try (Admin admin = admin()) {
      while (true) {
        TopicDescription d = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic);
        long shrunk = d.partitions().stream().filter(p -> p.isr().size() < 3).count();
        if (shrunk == 0) {
          return;
        }
        assertTrue(System.nanoTime() < deadline, shrunk + " partitions still under-replicated after the restart");
        Thread.sleep(500);
      }
    }
  }

  private static Admin admin() {
    return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrap()));
  }

  private static KafkaConsumer<byte[], byte[]> consumer() {
    return new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrap(),
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
        ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000,
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
        new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  /** A flow-like key: random endpoints, so records spread over partitions as real flows do. */
  private static byte[] flowKey() {
    byte[] k = new byte[13];
    ThreadLocalRandom.current().nextBytes(k);
    return k;
  }

  /** About the size of an Avro PacketSummary; the sequence number first. */
  private static byte[] value(int seq) {
    return ByteBuffer.allocate(96).putInt(seq).array();
  }
}
