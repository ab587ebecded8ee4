package io.rstscope.processor.analyze;

import io.rstscope.schemas.TopicSpec;
import io.rstscope.schemas.Topics;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.streams.TopologyDescription;

/**
 * The changelog and repartition topics Kafka Streams would create for a topology, so that a
 * one-shot {@code analyze} run can create them in the same request as its own topics. Left to
 * Streams, they are created during the first rebalance and waited for in 100 ms retries, and their
 * appearance triggers a second rebalance: about a second on this machine.
 *
 * <p>Derived from {@link TopologyDescription}, with Streams' own rules: a repartition topic
 * without an explicit partition count gets as many partitions as the sub-topology writing it, a
 * changelog as many as its store's sub-topology, which is the largest partition count of that
 * sub-topology's sources. Should a rule ever differ (an explicit {@code Repartitioned} count, a
 * store without logging), Streams does not silently misbehave: it refuses a topic with the wrong
 * partition count at start-up, and an extra unused topic is harmless.
 */
final class InternalTopics {
  private InternalTopics() {}

  static final String REPARTITION_SUFFIX = "-repartition";
  static final String CHANGELOG_SUFFIX = "-changelog";

  /**
   * @param applicationId the Streams application id: every internal topic name starts with it
   * @throws IllegalStateException if a sub-topology reads a topic of unknown size
   */
  static List<NewTopic> of(TopologyDescription topology, String applicationId, Topics topics) {
    Map<String, Integer> partitions = new HashMap<>();
    for (TopicSpec<?, ?> spec : topics.all()) {
      partitions.put(spec.name(), spec.partitions());
    }
    Map<String, NewTopic> internal = new LinkedHashMap<>();
    List<TopologyDescription.Subtopology> pending = new ArrayList<>(topology.subtopologies());
    while (!pending.isEmpty()) {
      boolean progress = false;
      for (var it = pending.iterator(); it.hasNext(); ) {
        TopologyDescription.Subtopology sub = it.next();
        Optional<Integer> tasks = taskCount(sub, partitions);
        if (tasks.isEmpty()) {
          continue;
        }
        it.remove();
        progress = true;
        for (TopologyDescription.Node node : sub.nodes()) {
          if (node instanceof TopologyDescription.Sink sink && sink.topic() != null && sink.topic().endsWith(REPARTITION_SUFFIX)) {
            partitions.putIfAbsent(sink.topic(), tasks.get());
            internal.putIfAbsent(sink.topic(), repartition(applicationId + "-" + sink.topic(), partitions.get(sink.topic())));
          } else if (node instanceof TopologyDescription.Processor processor) {
            for (String store : processor.stores()) {
              String name = applicationId + "-" + store + CHANGELOG_SUFFIX;
              internal.putIfAbsent(name, changelog(name, tasks.get()));
            }
          }
        }
      }
      if (!progress) {
        throw new IllegalStateException("cannot size the internal topics of sub-topologies " + pending
            + ": they read topics that are neither rstscope's nor written by another sub-topology");
      }
    }
    return List.copyOf(internal.values());
  }

  /** Streams' rule: as many tasks as the largest source topic has partitions; empty while a source is not sized yet. */
  private static Optional<Integer> taskCount(TopologyDescription.Subtopology sub, Map<String, Integer> partitions) {
    int max = 0;
    for (TopologyDescription.Node node : sub.nodes()) {
      if (node instanceof TopologyDescription.Source source) {
        Set<String> names = source.topicSet();
        if (names == null) {
          throw new IllegalStateException("source " + source.name() + " subscribes by pattern; its internal topics cannot be planned");
        }
        for (String topic : names) {
          Integer n = partitions.get(topic);
          if (n == null) {
            return Optional.empty();
          }
          max = Math.max(max, n);
        }
      }
    }
    return max == 0 ? Optional.empty() : Optional.of(max);
  }

  /** Replication left to the broker's default, as Streams does with its default replication.factor of -1. */
  private static NewTopic changelog(String name, int partitions) {
    return new NewTopic(name, Optional.of(partitions), Optional.empty())
        .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
  }

  /** Streams' repartition defaults: kept until Streams purges what it has consumed. */
  private static NewTopic repartition(String name, int partitions) {
    return new NewTopic(name, Optional.of(partitions), Optional.empty()).configs(Map.of(
        TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE,
        TopicConfig.SEGMENT_BYTES_CONFIG, Integer.toString(50 * 1024 * 1024),
        TopicConfig.RETENTION_MS_CONFIG, "-1"));
  }
}
