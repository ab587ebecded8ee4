package io.rstscope.deploy.testing;

import io.rstscope.deploy.topics.TopicProvisioner;
import io.rstscope.schemas.Topics;
import java.util.Map;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension giving integration tests a real in-process KRaft cluster (Kafka's own
 * {@link KafkaClusterTestKit}). One cluster per test JVM, started on first use (10-20 s the
 * first time in a JVM) and closed when the test run ends; tests isolate themselves with their
 * own topic prefix ({@link #newTopics}).
 *
 * <pre>{@code
 * @ExtendWith(KafkaTestCluster.class)
 * class SomethingIT {
 *   @Test void shouldX(KafkaTestCluster.Broker kafka) { ... kafka.bootstrap() ... }
 * }
 * }</pre>
 */
public final class KafkaTestCluster implements ParameterResolver {

  /** Handle to the running cluster. */
  public static final class Broker implements AutoCloseable {
    private final KafkaClusterTestKit cluster;
    private int topicSets;

    private Broker(KafkaClusterTestKit cluster) {
      this.cluster = cluster;
    }

    public String bootstrap() {
      return cluster.bootstrapServers();
    }

    /** A fresh set of rstscope topics under a prefix no other test uses, already created. */
    public synchronized Topics newTopics(String testName, int flowPartitions) {
      Topics topics = new Topics("t" + (++topicSets) + "-" + testName.replaceAll("[^A-Za-z0-9]", ""), flowPartitions);
      new TopicProvisioner(1).provision(bootstrap(), topics, Map.of());
      return topics;
    }

    @Override
    public void close() throws Exception {
      cluster.close();
    }
  }

  private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(KafkaTestCluster.class);

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == Broker.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return context.getRoot().getStore(NAMESPACE).getOrComputeIfAbsent(Broker.class, k -> start(), Broker.class);
  }

  private static Broker start() {
    try {
      KafkaClusterTestKit cluster = new KafkaClusterTestKit.Builder(
          new TestKitNodes.Builder().setCombined(true).setNumBrokerNodes(1).setNumControllerNodes(1).build())
          .setConfigProp("offsets.topic.replication.factor", "1")
          .setConfigProp("offsets.topic.num.partitions", "4")
          .setConfigProp("transaction.state.log.replication.factor", "1")
          .setConfigProp("transaction.state.log.min.isr", "1")
          .setConfigProp("transaction.state.log.num.partitions", "4")
          .setConfigProp("group.initial.rebalance.delay.ms", "0")
          .setConfigProp("auto.create.topics.enable", "false")
          .build();
      cluster.format();
      cluster.startup();
      cluster.waitForReadyBrokers();
      return new Broker(cluster);
    } catch (Exception e) {
      throw new IllegalStateException("cannot start the in-process Kafka test cluster: " + e.getMessage(), e);
    }
  }
}
