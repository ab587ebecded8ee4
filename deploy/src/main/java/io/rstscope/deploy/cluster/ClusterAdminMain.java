package io.rstscope.deploy.cluster;

import io.rstscope.deploy.broker.KafkaReadiness;
import io.rstscope.deploy.topics.ProvisionTopicsMain;
import io.rstscope.deploy.topics.TopicProvisioner;
import io.rstscope.schemas.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * {@code deploy/bin/kafka-cluster}'s last start step, in one JVM: wait until all NODES brokers are
 * registered (a replication factor of 3 is refused before), then provision the topic registry
 * with replication min(3, NODES) and min.insync.replicas 2 from three nodes up.
 *
 * <p>usage: {@code ClusterAdminMain BOOTSTRAP NODES PARTITIONS [CLIENT_CONFIG [PREFIX]]}
 */
public final class ClusterAdminMain {
  private ClusterAdminMain() {}

  public static void main(String[] args) {
    if (args.length < 3 || args.length > 5) {
      System.err.println("usage: ClusterAdminMain BOOTSTRAP NODES PARTITIONS [CLIENT_CONFIG [PREFIX]]");
      System.exit(2);
    }
    try {
      String bootstrap = args[0];
      int nodes = Integer.parseInt(args[1]);
      int partitions = Integer.parseInt(args[2]);
      Map<String, Object> client = args.length > 3 && !args[3].isEmpty() ? ProvisionTopicsMain.load(Path.of(args[3])) : Map.of();
      String prefix = args.length > 4 ? args[4] : Topics.DEFAULT_PREFIX;
      KafkaReadiness.await(bootstrap, nodes, Duration.ofSeconds(90), client);
      new TopicProvisioner(Math.min(3, nodes)).provision(bootstrap, new Topics(prefix, partitions), client)
          .forEach(System.out::println);
    } catch (RuntimeException e) {
      System.err.println("kafka-cluster: " + e.getMessage());
      System.exit(1);
    }
  }
}
