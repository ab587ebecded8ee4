package io.rstscope.deploy.cluster;

import io.rstscope.deploy.broker.BrokerProperties;
import io.rstscope.deploy.broker.KraftStorage;
import io.rstscope.deploy.security.ClusterSecurity;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.Uuid;

/**
 * {@code deploy/bin/kafka-cluster}'s configuration step: writes {@code HOME/node-N/server.properties}
 * from {@link BrokerProperties#clusterNode} and formats every node not yet formatted with one
 * cluster id, all in one JVM (a JVM start per node would add about 7 s each on two cores).
 * With a security folder, SCRAM users are added at format time so inter-broker SCRAM works on
 * the very first start.
 *
 * <p>usage: {@code LocalClusterMain HOME NODES BASE_PORT [SECURITY_DIR]}
 */
public final class LocalClusterMain {
  private LocalClusterMain() {}

  public static void main(String[] args) {
    if (args.length < 3 || args.length > 4) {
      System.err.println("usage: LocalClusterMain HOME NODES BASE_PORT [SECURITY_DIR]");
      System.exit(2);
    }
    try {
      Path home = Path.of(args[0]).toAbsolutePath();
      int nodes = Integer.parseInt(args[1]);
      int basePort = Integer.parseInt(args[2]);
      ClusterSecurity security = args.length > 3 && !args[3].isEmpty() ? ClusterSecurity.load(Path.of(args[3])) : null;
      configure(home, nodes, basePort, security).forEach(System.out::println);
    } catch (RuntimeException e) {
      System.err.println("kafka-cluster: " + e.getMessage());
      System.exit(1);
    }
  }

  /** Returns one line per node saying what was done. */
  public static List<String> configure(Path home, int nodes, int basePort, ClusterSecurity security) {
    List<String> report = new ArrayList<>();
    String clusterId = clusterId(home);
    for (int n = 1; n <= nodes; n++) {
      Path nodeDir = home.resolve("node-" + n);
      Properties props = BrokerProperties.clusterNode(n, nodes, basePort, nodeDir, security);
      Path config = nodeDir.resolve("server.properties");
      write(props, config, security != null);
      if (Files.exists(nodeDir.resolve("data").resolve("meta.properties"))) {
        report.add("node " + n + ": configured (" + (security == null ? "plaintext" : "TLS + SASL/SCRAM") + ")");
        continue;
      }
      KraftStorage.format(config, clusterId, security == null ? List.of() : security.formatScramArguments());
      report.add("node " + n + ": formatted, cluster " + clusterId
          + (security == null ? "" : ", " + security.users().size() + " SCRAM users"));
    }
    return report;
  }

  private static String clusterId(Path home) {
    Path file = home.resolve("cluster.id");
    try {
      Files.createDirectories(home);
      if (Files.exists(file)) {
        return Files.readString(file).strip();
      }
      String id = Uuid.randomUuid().toString();
      Files.writeString(file, id + "\n");
      return id;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read or write " + file, e);
    }
  }

  private static void write(Properties props, Path config, boolean secret) {
    try {
      Files.createDirectories(config.getParent());
      try (OutputStream out = Files.newOutputStream(config)) {
        props.store(out, "Written by deploy/bin/kafka-cluster; change BrokerProperties.clusterNode, not this file");
      }
      if (secret) {
        // It holds the inter-broker SCRAM password and the keystore password.
        Files.setPosixFilePermissions(config, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + config, e);
    }
  }
}
