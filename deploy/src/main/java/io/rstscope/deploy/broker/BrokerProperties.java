package io.rstscope.deploy.broker;

import java.nio.file.Path;
import java.util.Properties;
import java.util.StringJoiner;
import io.rstscope.deploy.security.ClusterSecurity;

/**
 * Broker settings shared by the in-process broker, the {@code deploy/bin/kafka-local} process and
 * the {@code deploy/bin/kafka-cluster} processes, so they cannot drift apart.
 */
public final class BrokerProperties {
  private BrokerProperties() {}

  /** One combined broker+controller on 127.0.0.1: internal topics need replication factor 1. */
  public static Properties singleNode(int nodeId, int brokerPort, int controllerPort, Path logDir) {
    Properties p = new Properties();
    p.setProperty("process.roles", "broker,controller");
    p.setProperty("node.id", Integer.toString(nodeId));
    p.setProperty("controller.quorum.voters", nodeId + "@127.0.0.1:" + controllerPort);
    p.setProperty("listeners", "PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
    p.setProperty("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
    p.setProperty("controller.listener.names", "CONTROLLER");
    p.setProperty("inter.broker.listener.name", "PLAINTEXT");
    p.setProperty("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    p.setProperty("log.dirs", logDir.toString());
    // One partition per internal topic: the first consumer group and transaction start faster.
    replicationAndLocalDefaults(p, 1, 1, 1);
    return p;
  }

  /**
   * What every broker started here shares: internal topics replicated like the data topics,
   * topics only ever created by the provisioner, no rebalance delay, and small segments and
   * indexes (one machine holds little data and should start fast).
   */
  private static void replicationAndLocalDefaults(Properties p, int replication, int minIsr, int internalPartitions) {
    p.setProperty("offsets.topic.replication.factor", Integer.toString(replication));
    p.setProperty("offsets.topic.num.partitions", Integer.toString(internalPartitions));
    p.setProperty("transaction.state.log.replication.factor", Integer.toString(replication));
    p.setProperty("transaction.state.log.min.isr", Integer.toString(minIsr));
    p.setProperty("transaction.state.log.num.partitions", Integer.toString(internalPartitions));
    p.setProperty("share.coordinator.state.topic.replication.factor", Integer.toString(replication));
    p.setProperty("share.coordinator.state.topic.min.isr", Integer.toString(minIsr));
    p.setProperty("group.initial.rebalance.delay.ms", "0");
    p.setProperty("num.partitions", "1");
    p.setProperty("auto.create.topics.enable", "false");
    p.setProperty("log.segment.bytes", Integer.toString(64 * 1024 * 1024));
    p.setProperty("log.index.size.max.bytes", Integer.toString(1024 * 1024));
  }

  /** Ports of node {@code nodeId} (1-based) of a local cluster: clients, controllers, inter-broker (secure mode). */
  public static int clientPort(int basePort, int nodeId) { return basePort + nodeId - 1; }
  public static int controllerPort(int basePort, int nodeId) { return basePort + 100 + nodeId - 1; }
  public static int internalPort(int basePort, int nodeId) { return basePort + 200 + nodeId - 1; }

  /**
   * One node of the local multi-broker cluster: every node is a combined broker+controller
   * (three voters tolerate the loss of one; three JVMs instead of six on a small machine).
   * Internal topics get replication min(3, nodes) and min.insync min(2, nodes), so with three
   * nodes an acks=all write survives the loss of any one broker and is refused, never silently
   * under-replicated, when two are gone.
   *
   * @param security null for PLAINTEXT on loopback; else TLS + SASL/SCRAM-SHA-512 and ACLs
   */
  public static Properties clusterNode(int nodeId, int nodes, int basePort, Path nodeDir, ClusterSecurity security) {
    if (nodes < 1 || nodeId < 1 || nodeId > nodes) {
      throw new IllegalArgumentException("node " + nodeId + " of " + nodes);
    }
    int replication = Math.min(3, nodes);
    int minIsr = Math.min(2, nodes);
    StringJoiner voters = new StringJoiner(",");
    for (int n = 1; n <= nodes; n++) {
      voters.add(n + "@127.0.0.1:" + controllerPort(basePort, n));
    }
    Properties p = new Properties();
    p.setProperty("process.roles", "broker,controller");
    p.setProperty("node.id", Integer.toString(nodeId));
    p.setProperty("controller.quorum.voters", voters.toString());
    p.setProperty("controller.listener.names", "CONTROLLER");
    String client = "127.0.0.1:" + clientPort(basePort, nodeId);
    String controller = "127.0.0.1:" + controllerPort(basePort, nodeId);
    if (security == null) {
      p.setProperty("listeners", "PLAINTEXT://" + client + ",CONTROLLER://" + controller);
      p.setProperty("advertised.listeners", "PLAINTEXT://" + client);
      p.setProperty("inter.broker.listener.name", "PLAINTEXT");
      p.setProperty("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    } else {
      String internal = "127.0.0.1:" + internalPort(basePort, nodeId);
      p.putAll(security.brokerProperties(nodeId));
      p.setProperty("listeners", "EXTERNAL://" + client + ",INTERNAL://" + internal + ",CONTROLLER://" + controller);
      p.setProperty("advertised.listeners", "EXTERNAL://" + client + ",INTERNAL://" + internal);
    }
    p.setProperty("log.dirs", nodeDir.resolve("data").toString());
    p.setProperty("default.replication.factor", Integer.toString(replication));
    p.setProperty("min.insync.replicas", Integer.toString(minIsr));
    p.setProperty("unclean.leader.election.enable", "false");
    replicationAndLocalDefaults(p, replication, minIsr, 12);
    return p;
  }
}
