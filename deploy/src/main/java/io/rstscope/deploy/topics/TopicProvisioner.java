package io.rstscope.deploy.topics;

import io.rstscope.schemas.TopicSpec;
import io.rstscope.schemas.Topics;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.TopicConfig;

/**
 * Creates rstscope's topics from the one declarative list ({@link Topics#all()}): partitions,
 * retention, and compaction where the topic is a table. Existing topics are left as they are
 * and reported when they differ, because repartitioning a flow-keyed topic would split flows.
 */
public final class TopicProvisioner {
  private final short replicationFactor;
  private final int minInsyncReplicas;

  /** @param replicationFactor 1 for a one-node broker, 3 for the three-broker cluster */
  public TopicProvisioner(int replicationFactor) {
    this.replicationFactor = (short) replicationFactor;
    this.minInsyncReplicas = replicationFactor >= 3 ? 2 : 1;
  }

  NewTopic newTopic(TopicSpec<?, ?> spec) {
    Map<String, String> configs = new HashMap<>();
    configs.put(TopicConfig.CLEANUP_POLICY_CONFIG, spec.compacted() ? TopicConfig.CLEANUP_POLICY_COMPACT : TopicConfig.CLEANUP_POLICY_DELETE);
    configs.put(spec.compacted() ? TopicConfig.DELETE_RETENTION_MS_CONFIG : TopicConfig.RETENTION_MS_CONFIG,
        Long.toString(spec.retention().toMillis()));
    configs.put(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, Integer.toString(minInsyncReplicas));
    return new NewTopic(spec.name(), spec.partitions(), replicationFactor).configs(configs);
  }

  /** Creation is acknowledged before every broker's metadata has the topic; clients that start at once need it there. */
  private static void awaitVisible(Admin admin, List<NewTopic> created)
      throws InterruptedException, ExecutionException, TimeoutException {
    Set<String> wanted = new java.util.HashSet<>();
    created.forEach(t -> wanted.add(t.name()));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!admin.listTopics().names().get(30, TimeUnit.SECONDS).containsAll(wanted)) {
      if (System.nanoTime() > deadline) {
        throw new TimeoutException("topics created but not visible after 30 s: " + wanted);
      }
      Thread.sleep(100);
    }
  }

  /** Creates what is missing; returns one line per topic saying what was done. */
  public List<String> provision(String bootstrap, Topics topics, Map<String, Object> clientProps) {
    Map<String, Object> props = new HashMap<>(clientProps);
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000);
    List<String> report = new ArrayList<>();
    try (Admin admin = Admin.create(props)) {
      Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
      List<NewTopic> missing = new ArrayList<>();
      for (TopicSpec<?, ?> spec : topics.all()) {
        if (existing.contains(spec.name())) {
          TopicDescription d = admin.describeTopics(List.of(spec.name())).allTopicNames().get(30, TimeUnit.SECONDS).get(spec.name());
          int partitions = d.partitions().size();
          report.add(spec.name() + ": exists, " + partitions + " partitions"
              + (partitions == spec.partitions() ? "" : " (the list says " + spec.partitions() + "; left unchanged)"));
        } else {
          missing.add(newTopic(spec));
          report.add(spec.name() + ": created, " + spec.partitions() + " partitions, replication " + replicationFactor
              + (spec.compacted() ? ", compacted" : ", retention " + spec.retention()));
        }
      }
      if (!missing.isEmpty()) {
        admin.createTopics(missing).all().get(60, TimeUnit.SECONDS);
        awaitVisible(admin, missing);
      }
      return report;
    } catch (ExecutionException e) {
      throw new IllegalStateException("cannot provision topics on " + bootstrap + ": " + e.getCause().getMessage(), e);
    } catch (TimeoutException e) {
      throw new IllegalStateException("cannot provision topics on " + bootstrap + ": no answer within the timeout", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while provisioning topics", e);
    }
  }
}
