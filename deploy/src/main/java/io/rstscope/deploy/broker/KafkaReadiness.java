package io.rstscope.deploy.broker;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;

/** Waits until a cluster answers metadata requests with at least the expected number of brokers. */
public final class KafkaReadiness {
  private KafkaReadiness() {}

  public static void await(String bootstrap, Duration timeout) {
    await(bootstrap, 1, timeout, Map.of());
  }

  public static void await(String bootstrap, int brokers, Duration timeout, Map<String, Object> clientProps) {
    Instant deadline = Instant.now().plus(timeout);
    Map<String, Object> props = new java.util.HashMap<>(clientProps);
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3000);
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5000);
    String last = "no answer";
    try (Admin admin = Admin.create(props)) {
      while (Instant.now().isBefore(deadline)) {
        try {
          int seen = admin.describeCluster(new DescribeClusterOptions().timeoutMs(3000)).nodes().get(4, TimeUnit.SECONDS).size();
          if (seen >= brokers) {
            return;
          }
          last = seen + " of " + brokers + " brokers up";
        } catch (ExecutionException | TimeoutException e) {
          last = e.getCause() == null ? e.toString() : e.getCause().getMessage();
        }
        Thread.sleep(250);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for Kafka at " + bootstrap, e);
    }
    throw new IllegalStateException("Kafka at " + bootstrap + " not ready after " + timeout.toSeconds() + " s: " + last);
  }
}
