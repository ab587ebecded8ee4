package io.rstscope.deploy.topics;

import io.rstscope.schemas.Topics;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

/**
 * {@code deploy/bin/kafka-local topics} and {@code kafka-cluster topics}: provisions the topic list
 * on a running cluster. CLIENT_CONFIG is a client property file (security settings of a secured
 * cluster, e.g. the admin file written by kafka-secure-setup).
 */
public final class ProvisionTopicsMain {
  private ProvisionTopicsMain() {}

  public static void main(String[] args) {
    if (args.length < 1 || args.length > 5) {
      System.err.println("usage: ProvisionTopicsMain BOOTSTRAP [REPLICATION_FACTOR [PARTITIONS [PREFIX [CLIENT_CONFIG]]]]");
      System.exit(2);
    }
    try {
      int replication = args.length > 1 ? Integer.parseInt(args[1]) : 1;
      int partitions = args.length > 2 ? Integer.parseInt(args[2]) : 12;
      String prefix = args.length > 3 ? args[3] : Topics.DEFAULT_PREFIX;
      Map<String, Object> client = args.length > 4 && !args[4].isEmpty() ? load(Path.of(args[4])) : Map.of();
      new TopicProvisioner(replication).provision(args[0], new Topics(prefix, partitions), client)
          .forEach(System.out::println);
    } catch (RuntimeException e) {
      System.err.println("rstscope: " + e.getMessage());
      System.exit(1);
    }
  }

  /** A client property file as a map (shared by the deploy tools that take one). */
  public static Map<String, Object> load(Path file) {
    Properties p = new Properties();
    try (InputStream in = Files.newInputStream(file)) {
      p.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read client config " + file, e);
    }
    Map<String, Object> out = new HashMap<>();
    p.stringPropertyNames().forEach(k -> out.put(k, p.getProperty(k)));
    return out;
  }
}
