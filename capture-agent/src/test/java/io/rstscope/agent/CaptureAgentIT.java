package io.rstscope.agent;

import static org.junit.jupiter.api.Assertions.*;

import io.rstscope.avro.FlowKey;
import io.rstscope.avro.PacketSummary;
import io.rstscope.avro.PointStatus;
import io.rstscope.avro.SummaryKind;
import io.rstscope.agent.policy.PublishPolicy;
import io.rstscope.agent.policy.Summaries;
import io.rstscope.deploy.testing.KafkaTestCluster;
import io.rstscope.schemas.Endpoints;
import io.rstscope.schemas.FlowKeys;
import io.rstscope.schemas.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Publishes real captures to a real in-process KRaft broker and reads everything back. */
@ExtendWith(KafkaTestCluster.class)
public class CaptureAgentIT {
  private static final Path LAB = Path.of("src/test/resources/lab");
  private static final Path THIRD_PARTY = Path.of("src/test/resources/third-party");

  public static List<ConsumerRecord<byte[], byte[]>> readAll(String bootstrap, String topic, int expectedAtLeast) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> parts = consumer.partitionsFor(topic).stream()
          .map(p -> new TopicPartition(topic, p.partition())).toList();
      consumer.assign(parts);
      consumer.seekToBeginning(parts);
      Map<TopicPartition, Long> end = consumer.endOffsets(parts);
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(out::add);
        boolean atEnd = parts.stream().allMatch(tp -> consumer.position(tp) >= end.get(tp));
        if (atEnd && out.size() >= expectedAtLeast) {
          break;
        }
      }
    }
    return out;
  }

  @Test
  void shouldPublishEverySummaryThenFinalWatermarksToEveryPartition(KafkaTestCluster.Broker kafka) {
    Topics topics = kafka.newTopics("agentit", 4);
    AgentConfig config = AgentConfig.builder().point("P1").site("lab")
        .file(LAB.resolve("content_block-P1.pcap"))
        .bootstrap(kafka.bootstrap()).topics(topics).build();
    AgentReport report;
    String agentSession;
    try (CaptureAgent agent = new CaptureAgent(config)) {
      report = agent.run();
      agentSession = agent.session();
    }
    assertEquals(14, report.captured());
    assertEquals(report.captured(), report.decoded());
    assertEquals(report.summaries(), report.published(), "count in = count out");
    assertEquals(0, report.dropped());
    // Under one heartbeat of capture time: the session's start, where it ended, and its end, on each partition.
    assertEquals(12, report.watermarks(), "three watermarks of the session per partition");

    List<ConsumerRecord<byte[], byte[]>> records = readAll(kafka.bootstrap(), topics.packets.name(),
        (int) report.summaries() + 12);
    var keySerde = topics.packets.keySerde();
    var valueSerde = topics.packets.valueSerde();
    Map<Integer, List<PacketSummary>> byPartition = new HashMap<>();
    long summaries = 0;
    for (ConsumerRecord<byte[], byte[]> r : records) {
      PacketSummary s = valueSerde.deserializer().deserialize(r.topic(), r.value());
      byPartition.computeIfAbsent(r.partition(), k -> new ArrayList<>()).add(s);
      assertEquals("P1", s.getPoint());
      if (s.getKind() == SummaryKind.WATERMARK) {
        assertEquals(agentSession, s.getSession(), "every watermark names the agent's session");
        continue;
      }
      assertEquals("", s.getSession(), "only watermarks carry the session");
      summaries++;
      FlowKey key = keySerde.deserializer().deserialize(r.topic(), r.key());
      assertEquals(FlowKeys.of(Endpoints.bytes(s.getSrcAddress()), s.getSrcPort(),
          Endpoints.bytes(s.getDstAddress()), s.getDstPort()), key, "canonical flow key");
      assertEquals(Utils.toPositive(Utils.murmur2(r.key())) % 4, r.partition(), "default partitioner on the key bytes");
    }
    assertEquals(report.summaries(), summaries);
    assertEquals(4, byPartition.size());
    for (List<PacketSummary> partition : byPartition.values()) {
      PacketSummary last = partition.get(partition.size() - 1);
      assertEquals(SummaryKind.WATERMARK, last.getKind(), "the final watermark comes after every summary");
      assertEquals(Long.MAX_VALUE, Summaries.micros(last.getCaptureTime()));
    }

    List<ConsumerRecord<byte[], byte[]>> points = readAll(kafka.bootstrap(), topics.points.name(), 1);
    PointStatus lastStatus = topics.points.valueSerde().deserializer()
        .deserialize(topics.points.name(), points.get(points.size() - 1).value());
    assertTrue(lastStatus.getFinished());
    assertEquals(14, lastStatus.getCaptured());
    assertEquals(report.summaries(), lastStatus.getPublished());
    assertEquals("lab", lastStatus.getSite());
    assertFalse(lastStatus.getLive());
    assertEquals(agentSession, lastStatus.getSession());
    assertNull(lastStatus.getDroppedFrom(), "nothing dropped");
  }

  @Test
  void shouldPublishEveryTcpPacketInFullMode(KafkaTestCluster.Broker kafka) {
    Topics topics = kafka.newTopics("agentfull", 3);
    AgentConfig config = AgentConfig.builder().point("P2")
        .file(THIRD_PARTY.resolve("OISF-suricata-verify-tcp-fastopen-11-reject-syn-data-tlpw-tcp-tfo-data-on-syn-nack.pcap"))
        .policy(PublishPolicy.Mode.FULL).bootstrap(kafka.bootstrap()).topics(topics).build();
    AgentReport report;
    try (CaptureAgent agent = new CaptureAgent(config)) {
      report = agent.run();
    }
    assertEquals(29, report.summaries());
    assertEquals(29, report.published());
    List<ConsumerRecord<byte[], byte[]>> records = readAll(kafka.bootstrap(), topics.packets.name(), 29 + 3 * 4);
    List<PacketSummary> values = records.stream()
        .map(r -> topics.packets.valueSerde().deserializer().deserialize(r.topic(), r.value())).toList();
    Map<SummaryKind, Long> kinds = values.stream().collect(Collectors.groupingBy(PacketSummary::getKind, Collectors.counting()));
    assertEquals(29L, kinds.get(SummaryKind.PACKET));
    // The capture spans more than one heartbeat interval of capture time: one heartbeat's watermarks, then the final ones.
    assertEquals(report.watermarks(), kinds.get(SummaryKind.WATERMARK));
    assertEquals(3L, values.stream().filter(v -> v.getKind() == SummaryKind.WATERMARK
        && Summaries.micros(v.getCaptureTime()) == Long.MAX_VALUE).count());
  }

  @Test
  void shouldMakeAFileReplayWaitForRoomInsteadOfDroppingWhenItsBufferIsSmall(KafkaTestCluster.Broker kafka) {
    Topics topics = kafka.newTopics("agentsmallbuf", 3);
    // Full mode and a bound of 2: the reader outruns the producer at once; a replay must wait, not drop.
    AgentConfig config = AgentConfig.builder().point("P2")
        .file(THIRD_PARTY.resolve("OISF-suricata-verify-tcp-fastopen-11-reject-syn-data-tlpw-tcp-tfo-data-on-syn-nack.pcap"))
        .policy(PublishPolicy.Mode.FULL).maxBufferedRecords(2).bootstrap(kafka.bootstrap()).topics(topics).build();
    AgentReport report;
    try (CaptureAgent agent = new CaptureAgent(config)) {
      report = agent.run();
    }
    assertEquals(0, report.dropped(), report.summaryLine());
    assertEquals(29, report.published());
  }

  @Test
  void shouldFailWithOneLineWhenTheTopicsDoNotExist(KafkaTestCluster.Broker kafka) {
    AgentConfig config = AgentConfig.builder().point("P1").file(LAB.resolve("tls_block-P1.pcap"))
        .bootstrap(kafka.bootstrap()).topics(new Topics("missing", 4)).startupTimeout(Duration.ofSeconds(2)).build();
    try (CaptureAgent agent = new CaptureAgent(config)) {
      AgentException e = assertThrows(AgentException.class, agent::run);
      assertTrue(e.getMessage().contains("missing.packets"), e.getMessage());
      assertFalse(e.getMessage().contains("\n"));
    }
  }
}
