package io.rstscope.deploy.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rstscope.deploy.topics.TopicProvisioner;
import io.rstscope.schemas.Topics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class EmbeddedKafkaTest {

  @Test
  void shouldStartARealBrokerProvisionTopicsAndCarryRecords() throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
      Topics topics = new Topics("embedded", 3);
      List<String> report = new TopicProvisioner(1).provision(kafka.bootstrap(), topics, Map.of());
      assertEquals(topics.all().size(), report.size());
      assertTrue(report.stream().allMatch(line -> line.contains("created")), report.toString());
      // Provisioning twice leaves existing topics alone.
      assertTrue(new TopicProvisioner(1).provision(kafka.bootstrap(), topics, Map.of()).stream()
          .allMatch(line -> line.contains("exists")));

      Properties p = new Properties();
      p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrap());
      p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
      try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
        producer.send(new ProducerRecord<>(topics.hops.name(), "segment:P1-P2", "{\"count\":1}")).get();
      }
      Properties c = new Properties();
      c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrap());
      c.put(ConsumerConfig.GROUP_ID_CONFIG, "embedded-test");
      c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
      try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(c, new StringDeserializer(), new StringDeserializer())) {
        consumer.subscribe(List.of(topics.hops.name()));
        ConsumerRecords<String, String> records = ConsumerRecords.empty();
        for (int i = 0; i < 60 && records.isEmpty(); i++) {
          records = consumer.poll(Duration.ofMillis(500));
        }
        assertEquals(1, records.count());
        assertEquals("segment:P1-P2", records.iterator().next().key());
      }
    }
  }
}
