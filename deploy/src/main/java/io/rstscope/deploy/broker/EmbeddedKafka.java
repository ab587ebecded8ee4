package io.rstscope.deploy.broker;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;

/**
 * A real single-node Kafka (KRaft, combined broker and controller) running inside this JVM,
 * made from the broker's own classes: format the storage as {@code kafka-storage format} does,
 * then start {@link KafkaRaftServer}. It is what {@code rstscope analyze} uses when no
 * cluster is given; it depends on no test jar.
 */
public final class EmbeddedKafka implements AutoCloseable {
  private final Path dataDir;
  private final boolean deleteOnClose;
  private final String bootstrap;
  private final KafkaRaftServer server;

  private EmbeddedKafka(Path dataDir, boolean deleteOnClose, Properties extra) {
    this.dataDir = dataDir;
    this.deleteOnClose = deleteOnClose;
    int brokerPort = freePort();
    int controllerPort = freePort();
    this.bootstrap = "127.0.0.1:" + brokerPort;
    Properties props = BrokerProperties.singleNode(1, brokerPort, controllerPort, dataDir.resolve("log"));
    props.putAll(extra);
    format(props, dataDir);
    this.server = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
    server.startup();
  }

  /** Starts a broker whose data lives in a fresh temporary folder, deleted on close. */
  public static EmbeddedKafka start() {
    return start(new Properties());
  }

  public static EmbeddedKafka start(Properties brokerOverrides) {
    try {
      Path dir = Files.createTempDirectory("rstscope-kafka-");
      EmbeddedKafka kafka = new EmbeddedKafka(dir, true, brokerOverrides);
      KafkaReadiness.await(kafka.bootstrap(), Duration.ofSeconds(60));
      return kafka;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a data folder for the embedded Kafka broker", e);
    }
  }

  public String bootstrap() {
    return bootstrap;
  }

  @Override
  public void close() {
    server.shutdown();
    server.awaitShutdown();
    if (deleteOnClose) {
      deleteRecursively(dataDir);
    }
  }

  private static void format(Properties props, Path dataDir) {
    Path config = dataDir.resolve("server.properties");
    try (OutputStream out = Files.newOutputStream(config)) {
      props.store(out, "embedded rstscope broker");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + config, e);
    }
    KraftStorage.format(config, Uuid.randomUuid().toString(), List.of());
  }

  static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free TCP port on loopback", e);
    }
  }

  private static void deleteRecursively(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // The folder is a temporary one; a leftover is harmless and not worth failing shutdown for.
    }
  }
}
