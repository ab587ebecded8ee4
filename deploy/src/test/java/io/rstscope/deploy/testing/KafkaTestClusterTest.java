package io.rstscope.deploy.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rstscope.schemas.Topics;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(KafkaTestCluster.class)
class KafkaTestClusterTest {

  @Test
  void shouldGiveEachTestItsOwnProvisionedTopics(KafkaTestCluster.Broker kafka) throws Exception {
    Topics a = kafka.newTopics("same", 2);
    Topics b = kafka.newTopics("same", 2);
    try (Admin admin = Admin.create(java.util.Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrap()))) {
      Set<String> names = admin.listTopics().names().get(30, TimeUnit.SECONDS);
      assertTrue(names.contains(a.packets.name()) && names.contains(b.packets.name()), names.toString());
      assertEquals(2, admin.describeTopics(java.util.List.of(a.packets.name())).allTopicNames().get()
          .get(a.packets.name()).partitions().size());
    }
  }
}
