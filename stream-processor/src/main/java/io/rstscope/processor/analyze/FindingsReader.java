package io.rstscope.processor.analyze;

import io.rstscope.avro.FlowKey;
import io.rstscope.avro.RstFinding;
import io.rstscope.schemas.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;

/** Reads every committed finding of a run back from its findings topic, from the start to the current end. */
public final class FindingsReader {
  private FindingsReader() {}

  public static List<RstFinding> readAll(String servers, Topics topics) {
    Map<String, Object> props = new HashMap<>();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, IsolationLevel.READ_COMMITTED.toString().toLowerCase());
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    List<RstFinding> out = new ArrayList<>();
    try (KafkaConsumer<FlowKey, RstFinding> consumer = new KafkaConsumer<>(props,
        topics.findings.keySerde().deserializer(), topics.findings.valueSerde().deserializer())) {
      List<TopicPartition> partitions = consumer.partitionsFor(topics.findings.name()).stream()
          .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("could not read the findings back within 60 s");
        }
        for (ConsumerRecord<FlowKey, RstFinding> r : consumer.poll(Duration.ofMillis(200))) {
          out.add(r.value());
        }
      }
    }
    return out;
  }
}
