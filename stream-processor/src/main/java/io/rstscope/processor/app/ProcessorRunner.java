package io.rstscope.processor.app;

import io.rstscope.processor.query.ProcessorMetrics;
import io.rstscope.processor.query.QueryServer;
import io.rstscope.processor.query.QueryService;
import io.rstscope.processor.query.Remote;
import io.rstscope.processor.topology.PointHealthBoard;
import io.rstscope.processor.topology.ProcessorConfig;
import io.rstscope.processor.topology.RstTopology;
import io.rstscope.schemas.Topics;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.apache.kafka.streams.state.HostInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one long-lived processor instance: the HTTP server first (so its port is known), then
 * Kafka Streams with {@code application.server} set to it. Only wires, starts and stops; the
 * topology is {@link RstTopology#build}. {@link #runUntilStopped()} blocks until SIGTERM (exit 0)
 * or an uncaught stream error (exit 1).
 */
public final class ProcessorRunner implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ProcessorRunner.class);
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);
  /** A stream thread failing this soon after the cluster was unreachable failed because of it: it is replaced. */
  static final Duration OUTAGE_GRACE = Duration.ofMinutes(2);

  /** Everything a run needs, resolved from the layered settings. */
  public record Options(String bootstrap, String applicationId, Path stateDir, int threads, int standbyReplicas,
      ProcessorConfig config, Topics topics, Map<String, String> clientProperties, String httpAddress, int httpPort,
      String advertisedHost, QueryServer.Tls tls, Path truststore, String truststorePassword) {}

  private final Options options;
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private ProcessorMetrics metrics;
  private QueryServer server;
  private KafkaStreams streams;
  private ClusterWatch clusterWatch;
  private final PointHealthBoard board = new PointHealthBoard();

  public ProcessorRunner(Options options) {
    this.options = options;
  }

  /**
   * The address other instances fetch remote keys from: as given, else the listen address, except
   * that a wildcard listen address (0.0.0.0, ::) is no address at all: the host's name is used.
   */
  static String advertisedHost(String advertised, String listen) {
    if (advertised != null && !advertised.isBlank()) {
      return advertised;
    }
    if (listen.equals("0.0.0.0") || listen.equals("::") || listen.equals("[::]")) {
      try {
        return java.net.InetAddress.getLocalHost().getCanonicalHostName();
      } catch (java.net.UnknownHostException e) {
        throw new IllegalArgumentException("listening on " + listen + " but this host has no resolvable name: give --http-advertised-host");
      }
    }
    return listen;
  }

  /** Starts HTTP and Kafka Streams and returns; see {@link #runUntilStopped()}. */
  public ProcessorRunner start() throws Exception {
    metrics = new ProcessorMetrics(board);
    server = QueryServer.start(options.httpAddress(), options.httpPort(), options.tls(), metrics);
    server.attachHealth(board);
    String host = advertisedHost(options.advertisedHost(), options.httpAddress());
    HostInfo self = new HostInfo(host, server.port());
    Map<String, String> overrides = new HashMap<>(options.clientProperties());
    overrides.put(StreamsConfig.APPLICATION_SERVER_CONFIG, host + ":" + server.port());
    overrides.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, Integer.toString(options.standbyReplicas()));
    Properties props = StreamsSettings.of(options.applicationId(), options.bootstrap(), options.stateDir(),
        options.threads(), overrides);
    Topology topology = RstTopology.build(options.config(), options.topics(), board);
    LOG.info("processor {} at {}:{}, topology:\n{}", options.applicationId(), host, server.port(), topology.describe());
    streams = new KafkaStreams(topology, props);
    streams.setUncaughtExceptionHandler(e -> {
      if (board.unreachableWithin(OUTAGE_GRACE)) {
        // A transaction whose commit timed out while the cluster was away (Kafka Streams then refuses the next
        // one): a new thread takes the tasks over once the cluster is back; exactly-once holds across it.
        LOG.error("stream thread failed while the cluster was unreachable ({}); replacing it", rootMessage(e));
        return StreamThreadExceptionResponse.REPLACE_THREAD;
      }
      LOG.error("stream thread failed; stopping the processor", e);
      failure.compareAndSet(null, e);
      stopped.countDown();
      return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
    });
    streams.setStateListener((now, before) -> {
      LOG.info("streams {} -> {}", before, now);
      if (now == KafkaStreams.State.ERROR) {
        failure.compareAndSet(null, new IllegalStateException("Kafka Streams went to ERROR"));
        stopped.countDown();
      }
    });
    Remote remote = new Remote(trust(), Duration.ofSeconds(2), Duration.ofSeconds(5));
    server.attach(new QueryService(streams, self, remote, options.config(), options.topics()));
    clusterWatch = new ClusterWatch(options.bootstrap(), options.clientProperties(), board).start();
    streams.start();
    return this;
  }

  /** Blocks until SIGTERM/SIGINT or a stream failure; 0 after a clean stop, 1 after a failure. */
  public int runUntilStopped() throws Exception {
    Thread hook = new Thread(stopped::countDown, "rstscope-processor-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    start();
    stopped.await();
    close();
    Throwable e = failure.get();
    if (e != null) {
      System.err.println("rstscope processor: stopped after an error: " + e);
      return 1;
    }
    return 0;
  }

  public KafkaStreams streams() {
    return streams;
  }

  public int httpPort() {
    return server.port();
  }

  /** What the time model shows: each point's state and lag, the cluster's reachability, fallback verdicts. */
  public PointHealthBoard health() {
    return board;
  }

  /** Stops in order: no new queries, then Kafka Streams (commits, closes stores), then metrics. */
  @Override
  public void close() {
    if (clusterWatch != null) {
      clusterWatch.close();
    }
    try {
      if (server != null) {
        server.close();
      }
    } finally {
      try {
        if (streams != null) {
          streams.close(CLOSE_TIMEOUT);
        }
      } finally {
        if (metrics != null) {
          metrics.close();
        }
      }
    }
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
  }

  /** Remote calls to other instances trust the configured truststore, else the keystore (one certificate for all). */
  private SSLContext trust() throws Exception {
    if (options.tls() == null) {
      return null;
    }
    Path store = options.truststore() != null ? options.truststore() : options.tls().keystore();
    String password = options.truststore() != null ? options.truststorePassword() : options.tls().password();
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(store)) {
      ks.load(in, password == null ? null : password.toCharArray());
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(ks);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, tmf.getTrustManagers(), null);
    return ctx;
  }
}
