package io.rstscope.processor.app;

import io.rstscope.processor.topology.PointHealthBoard;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks the cluster for its brokers every {@link #INTERVAL} and tells the time model (through the board) and
 * the log whether it answers: one line when it stops answering, with the reason, and one when it is back,
 * with how long it was away; nothing in between. The Kafka clients' own per-connection warnings are
 * silenced in the launcher's log settings for that reason.
 */
final class ClusterWatch implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterWatch.class);
  static final Duration INTERVAL = Duration.ofSeconds(2);
  private static final Duration ASK_TIMEOUT = Duration.ofSeconds(3);

  private final String bootstrap;
  private final PointHealthBoard board;
  private final Admin admin;
  private final Thread thread;
  private volatile boolean closed;
  private long unreachableSinceNanos;

  ClusterWatch(String bootstrap, Map<String, String> clientProperties, PointHealthBoard board) {
    this.bootstrap = bootstrap;
    this.board = board;
    // The security settings, not the Streams-only or prefixed ones an Admin would warn about.
    Map<String, Object> props = new HashMap<>();
    clientProperties.forEach((k, v) -> {
      if (AdminClientConfig.configNames().contains(k)) {
        props.put(k, v);
      }
    });
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(AdminClientConfig.CLIENT_ID_CONFIG, "rstscope-cluster-watch");
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) ASK_TIMEOUT.toMillis());
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) ASK_TIMEOUT.toMillis());
    this.admin = Admin.create(props);
    this.thread = new Thread(this::run, "rstscope-cluster-watch");
    thread.setDaemon(true);
  }

  ClusterWatch start() {
    thread.start();
    return this;
  }

  private void run() {
    while (!closed) {
      String problem = ask();
      boolean reachable = problem == null;
      if (reachable != board.clusterReachable()) {
        if (reachable) {
          LOG.info("cluster {} reachable again after {} s; verdict waits run again",
              bootstrap, (System.nanoTime() - unreachableSinceNanos) / 1_000_000_000L);
        } else {
          unreachableSinceNanos = System.nanoTime();
          LOG.error("cluster {} unreachable: {}; verdict waits are paused until it answers", bootstrap, problem);
        }
        board.clusterReachable(reachable, problem);
      }
      try {
        Thread.sleep(INTERVAL.toMillis());
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /** Null when the cluster named its brokers in time, else why not. */
  private String ask() {
    try {
      int brokers = admin.describeCluster(new DescribeClusterOptions().timeoutMs((int) ASK_TIMEOUT.toMillis()))
          .nodes().get(ASK_TIMEOUT.toMillis() + 1_000, TimeUnit.MILLISECONDS).size();
      return brokers == 0 ? "no broker in the cluster's metadata" : null;
    } catch (ExecutionException e) {
      Throwable c = e.getCause() == null ? e : e.getCause();
      return c.getClass().getSimpleName() + (c.getMessage() == null ? "" : ": " + c.getMessage().replace('\n', ' '));
    } catch (TimeoutException e) {
      return "no answer within " + ASK_TIMEOUT.toSeconds() + " s";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted";
    }
  }

  @Override
  public void close() {
    closed = true;
    thread.interrupt();
    admin.close(Duration.ofSeconds(2));
  }
}
