package io.rstscope.deploy.security;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.rstscope.deploy.testing.LocalClusterProcess;
import io.rstscope.schemas.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TransactionalIdAuthorizationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A real broker process secured by {@code deploy/bin/kafka-secure-setup} (TLS + SASL/SCRAM-SHA-512,
 * StandardAuthorizer, the role ACLs), and clients of each role trying what they may and may not do.
 * One node keeps the test short; the three-node secured cluster is the same configuration
 * (BENCHMARKS.md, Reliability, has the manual run).
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class SecureClusterTest {
  private static final Topics TOPICS = Topics.defaults();
  private static LocalClusterProcess cluster;
  private static ClusterSecurity security;

  @BeforeAll
  static void startSecuredBroker() {
    assumeTrue(LocalClusterProcess.onPath("keytool"), "keytool is missing");
    cluster = LocalClusterProcess.create("secure", 1, Map.of());
    LocalClusterProcess.Result setup = cluster.script("kafka-secure-setup");
    if (setup.exitCode() != 0) {
      cluster.close();
      throw new IllegalStateException("kafka-secure-setup failed:\n" + setup.output());
    }
    security = ClusterSecurity.load(cluster.home().resolve("security"));
  }

  @AfterAll
  static void stopBroker() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void shouldRefuseAnAgentWithoutCredentials() {
    Map<String, Object> plaintext = new HashMap<>(producerBase());
    plaintext.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 5000);
    try (KafkaProducer<byte[], byte[]> p = producer(plaintext)) {
      assertThrows(TimeoutException.class, () -> p.partitionsFor(TOPICS.packets.name()),
          "a PLAINTEXT client got metadata from the SASL_SSL listener");
    }
    Map<String, Object> wrongPassword = new HashMap<>(producerBase());
    wrongPassword.putAll(security.clientProperties("agent"));
    wrongPassword.put("sasl.jaas.config", ClusterSecurity.jaas("agent", "not-the-password"));
    try (KafkaProducer<byte[], byte[]> p = producer(wrongPassword)) {
      Exception e = assertThrows(Exception.class, () -> p.partitionsFor(TOPICS.packets.name()));
      assertTrue(hasCause(e, AuthenticationException.class), "expected an authentication failure, got " + e);
    }
  }

  @Test
  void shouldLetAnAgentWriteSummariesAndHeartbeatsButNotReadFindings() throws Exception {
    try (KafkaProducer<byte[], byte[]> agent = producer(as("agent"))) {
      RecordMetadata m = agent.send(record(TOPICS.packets.name())).get(30, TimeUnit.SECONDS);
      assertTrue(m.offset() >= 0);
      agent.send(record(TOPICS.points.name())).get(30, TimeUnit.SECONDS);
      ExecutionException e = assertThrows(ExecutionException.class,
          () -> agent.send(record(TOPICS.findings.name())).get(30, TimeUnit.SECONDS));
      assertInstanceOf(TopicAuthorizationException.class, e.getCause());
    }
    try (KafkaConsumer<byte[], byte[]> agentReading = consumer(as("agent"), null)) {
      agentReading.assign(List.of(new TopicPartition(TOPICS.findings.name(), 0)));
      agentReading.seekToBeginning(agentReading.assignment());
      assertThrows(TopicAuthorizationException.class, () -> pollUntilError(agentReading));
    }
  }

  @Test
  void shouldLetTheSiemReadFindingsButNotWriteOrReadPackets() throws Exception {
    byte[] marker = ("finding-" + System.nanoTime()).getBytes(StandardCharsets.UTF_8);
    try (KafkaProducer<byte[], byte[]> admin = producer(as("admin"))) {
      admin.send(new ProducerRecord<>(TOPICS.findingsJson.name(), 0, null, marker)).get(30, TimeUnit.SECONDS);
    }
    try (KafkaConsumer<byte[], byte[]> siem = consumer(as("siem"), "rstscope-siem-test")) {
      siem.subscribe(List.of(TOPICS.findingsJson.name()));
      List<byte[]> got = new ArrayList<>();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (got.stream().noneMatch(v -> java.util.Arrays.equals(v, marker)) && System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : siem.poll(Duration.ofMillis(500))) {
          got.add(r.value());
        }
      }
      assertTrue(got.stream().anyMatch(v -> java.util.Arrays.equals(v, marker)), "the SIEM did not read the finding");
    }
    try (KafkaProducer<byte[], byte[]> siem = producer(as("siem"))) {
      Exception e = assertThrows(Exception.class, () -> siem.send(record(TOPICS.packets.name())).get(30, TimeUnit.SECONDS));
      assertTrue(hasCause(e, TopicAuthorizationException.class)
          || hasCause(e, org.apache.kafka.common.errors.ClusterAuthorizationException.class), "expected a refusal, got " + e);
    }
    try (KafkaConsumer<byte[], byte[]> siem = consumer(as("siem"), null)) {
      siem.assign(List.of(new TopicPartition(TOPICS.packets.name(), 0)));
      siem.seekToBeginning(siem.assignment());
      assertThrows(TopicAuthorizationException.class, () -> pollUntilError(siem));
    }
  }

  @Test
  void shouldLetTheProcessorWriteTransactionallyOnlyUnderItsOwnTransactionalIds() {
    Map<String, Object> own = new HashMap<>(as("processor"));
    own.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "rstscope-processor-0_1");
    try (KafkaProducer<byte[], byte[]> p = producer(own)) {
      p.initTransactions();
      p.beginTransaction();
      p.send(record(TOPICS.findings.name()));
      p.commitTransaction();
    }
    Map<String, Object> foreign = new HashMap<>(as("processor"));
    foreign.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "someone-else");
    try (KafkaProducer<byte[], byte[]> p = producer(foreign)) {
      assertThrows(TransactionalIdAuthorizationException.class, p::initTransactions);
    }
  }

  private static void pollUntilError(KafkaConsumer<byte[], byte[]> c) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (System.nanoTime() < deadline) {
      c.poll(Duration.ofMillis(500));
    }
  }

  private static boolean hasCause(Throwable t, Class<? extends Throwable> type) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (type.isInstance(c)) {
        return true;
      }
    }
    return false;
  }

  private static Map<String, Object> producerBase() {
    Map<String, Object> p = new HashMap<>();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrap());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 15_000);
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 20_000);
    p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
    return p;
  }

  private static Map<String, Object> as(String user) {
    Map<String, Object> p = new HashMap<>(producerBase());
    p.putAll(security.clientProperties(user));
    return p;
  }

  private static KafkaProducer<byte[], byte[]> producer(Map<String, Object> props) {
    return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
  }

  private static KafkaConsumer<byte[], byte[]> consumer(Map<String, Object> clientProps, String group) {
    Map<String, Object> p = new HashMap<>();
    clientProps.forEach((k, v) -> {
      if (!k.startsWith("acks") && !k.startsWith("enable.idempotence") && !k.startsWith("max.block")
          && !k.startsWith("delivery.timeout") && !k.startsWith("transactional")) {
        p.put(k, v);
      }
    });
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    if (group != null) {
      p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    }
    return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  private static ProducerRecord<byte[], byte[]> record(String topic) {
    return new ProducerRecord<>(topic, 0, "k".getBytes(StandardCharsets.UTF_8), "v".getBytes(StandardCharsets.UTF_8));
  }
}
