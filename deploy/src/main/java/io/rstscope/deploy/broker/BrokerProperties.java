package io.rstscope.deploy.broker;

import java.nio.file.Path;
import java.util.Properties;

/**
 * Broker settings shared by the in-process broker and the {@code deploy/bin/kafka-local} processes,
 * so the two cannot drift apart.
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
    p.setProperty("offsets.topic.replication.factor", "1");
    p.setProperty("offsets.topic.num.partitions", "4");
    p.setProperty("transaction.state.log.replication.factor", "1");
    p.setProperty("transaction.state.log.min.isr", "1");
    p.setProperty("transaction.state.log.num.partitions", "4");
    p.setProperty("share.coordinator.state.topic.replication.factor", "1");
    p.setProperty("share.coordinator.state.topic.min.isr", "1");
    p.setProperty("group.initial.rebalance.delay.ms", "0");
    p.setProperty("num.partitions", "1");
    p.setProperty("auto.create.topics.enable", "false");
    // Small segments and indexes: one-machine use holds little data and should start fast.
    p.setProperty("log.segment.bytes", Integer.toString(64 * 1024 * 1024));
    p.setProperty("log.index.size.max.bytes", Integer.toString(1024 * 1024));
    return p;
  }
}
