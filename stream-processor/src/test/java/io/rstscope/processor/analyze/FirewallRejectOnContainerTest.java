package io.rstscope.processor.analyze;

import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.KafkaContainer;

/**
 * The contract on Apache Kafka's own image through Testcontainers. Skipped, not failed, where
 * no Docker engine runs (as on the project's build machines).
 */
@Testcontainers(disabledWithoutDocker = true)
class FirewallRejectOnContainerTest extends FirewallRejectOnClusterContract {

  @Container
  static final KafkaContainer KAFKA = new KafkaContainer("apache/kafka:4.1.1");

  @Override
  String bootstrap() {
    return KAFKA.getBootstrapServers();
  }
}
