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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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
  /** Completes with the started server; formatting and start-up run on a thread of their own. */
  private final CompletableFuture<KafkaRaftServer> server;

  private EmbeddedKafka(Path dataDir, boolean deleteOnClose, Properties extra) {
    this.dataDir = dataDir;
    this.deleteOnClose = deleteOnClose;
    int brokerPort = freePort();
    int controllerPort = freePort();
    this.bootstrap = "127.0.0.1:" + brokerPort;
    Properties props = BrokerProperties.singleNode(1, brokerPort, controllerPort, dataDir.resolve("log"));
    // The only broker: a controlled shutdown has no other broker to move leadership to, only a round trip to wait for.
    props.setProperty("controlled.shutdown.enable", "false");
    props.putAll(extra);
    this.server = new CompletableFuture<>();
    Thread starter = new Thread(() -> {
      try {
        format(props, dataDir);
        KafkaRaftServer s = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
        s.startup();
        server.complete(s);
      } catch (Throwable e) {
        server.completeExceptionally(e);
      }
    }, "embedded-kafka-start");
    starter.setDaemon(true);
    starter.start();
  }

  /** Starts a broker whose data lives in a fresh temporary folder, deleted on close. */
  public static EmbeddedKafka start() {
    return start(new Properties());
  }

  public static EmbeddedKafka start(Properties brokerOverrides) {
    return launch(brokerOverrides).awaitReady(Duration.ofSeconds(60));
  }

  /**
   * Begins starting a broker and returns at once: its address is known, so a caller can prepare
   * its own work (a topology, class loading) on the other core while the broker starts, then
   * call {@link #awaitReady}. {@link #close} is safe at any point.
   */
  public static EmbeddedKafka launch(Properties brokerOverrides) {
    try {
      return new EmbeddedKafka(Files.createTempDirectory("rstscope-kafka-"), true, brokerOverrides);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a data folder for the embedded Kafka broker", e);
    }
  }

  /** Waits until the broker has started and answers metadata requests; rethrows why it could not start. */
  public EmbeddedKafka awaitReady(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      server.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while the embedded Kafka broker was starting", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("the embedded Kafka broker did not start: " + e.getCause().getMessage(), e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException("the embedded Kafka broker did not start within " + timeout.toSeconds() + " s", e);
    }
    KafkaReadiness.await(bootstrap, Duration.ofNanos(Math.max(deadline - System.nanoTime(), TimeUnit.SECONDS.toNanos(1))));
    return this;
  }

  public String bootstrap() {
    return bootstrap;
  }

  @Override
  public void close() {
    try {
      // A start-up still running is waited for (stopping a half-started server is not supported);
      // null when it failed, which awaitReady reported.
      KafkaRaftServer s = server.handle((started, failure) -> started).join();
      if (s != null) {
        s.shutdown();
        s.awaitShutdown();
      }
    } finally {
      if (deleteOnClose) {
        deleteRecursively(dataDir);
      }
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
