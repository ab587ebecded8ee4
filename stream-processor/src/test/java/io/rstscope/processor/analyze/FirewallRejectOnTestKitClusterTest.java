package io.rstscope.processor.analyze;

import io.rstscope.deploy.testing.KafkaTestCluster;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;

/** The contract on Kafka's own in-process KRaft cluster (KafkaClusterTestKit). */
@ExtendWith(KafkaTestCluster.class)
class FirewallRejectOnTestKitClusterTest extends FirewallRejectOnClusterContract {
  private String bootstrap;

  @BeforeEach
  void connect(KafkaTestCluster.Broker kafka) {
    bootstrap = kafka.bootstrap();
  }

  @Override
  String bootstrap() {
    return bootstrap;
  }
}
