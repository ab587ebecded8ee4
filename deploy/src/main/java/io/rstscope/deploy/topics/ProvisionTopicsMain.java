package io.rstscope.deploy.topics;

import io.rstscope.schemas.Topics;
import java.util.Map;

/** {@code deploy/bin/kafka-local topics}: provisions the topic list on a running cluster. */
public final class ProvisionTopicsMain {
  private ProvisionTopicsMain() {}

  public static void main(String[] args) {
    if (args.length < 1 || args.length > 4) {
      System.err.println("usage: ProvisionTopicsMain BOOTSTRAP [REPLICATION_FACTOR [PARTITIONS [PREFIX]]]");
      System.exit(2);
    }
    try {
      int replication = args.length > 1 ? Integer.parseInt(args[1]) : 1;
      int partitions = args.length > 2 ? Integer.parseInt(args[2]) : 12;
      String prefix = args.length > 3 ? args[3] : Topics.DEFAULT_PREFIX;
      new TopicProvisioner(replication).provision(args[0], new Topics(prefix, partitions), Map.of())
          .forEach(System.out::println);
    } catch (RuntimeException e) {
      System.err.println("rstscope: " + e.getMessage());
      System.exit(1);
    }
  }
}
