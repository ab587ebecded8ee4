package io.rstscope.processor.analyze;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rstscope.processor.topology.ProcessorConfig;
import io.rstscope.processor.topology.RstTopology;
import io.rstscope.schemas.Topics;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.TopologyDescription;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.junit.jupiter.api.Test;

class InternalTopicsTest {
  static final Topics TOPICS = new Topics("t", 3);

  static Map<String, NewTopic> byName(List<NewTopic> topics) {
    return topics.stream().collect(Collectors.toMap(NewTopic::name, t -> t));
  }

  @Test
  void shouldPlanAChangelogPerStoreAndEveryRepartitionOfTheRealTopologyWithItsSourcePartitions() {
    TopologyDescription description = RstTopology.build(ProcessorConfig.builder().build(), TOPICS).describe();
    Map<String, NewTopic> planned = byName(InternalTopics.of(description, "app", TOPICS));

    Set<String> expected = new TreeSet<>();
    for (TopologyDescription.Subtopology sub : description.subtopologies()) {
      for (TopologyDescription.Node node : sub.nodes()) {
        if (node instanceof TopologyDescription.Processor p) {
          p.stores().forEach(store -> expected.add("app-" + store + "-changelog"));
        } else if (node instanceof TopologyDescription.Sink s && s.topic().endsWith("-repartition")) {
          expected.add("app-" + s.topic());
        }
      }
    }
    assertTrue(expected.stream().anyMatch(n -> n.endsWith("-repartition")), "the topology repartitions: " + expected);
    assertEquals(expected, new TreeSet<>(planned.keySet()));
    // Every task of this topology descends from the packet topic: 3 partitions here.
    planned.values().forEach(t -> assertEquals(3, t.numPartitions(), t.name()));
    planned.values().forEach(t -> assertTrue(t.replicationFactor() < 0, "replication left to the broker: " + t));
    assertEquals("compact", planned.get(expected.stream().filter(n -> n.endsWith("-changelog")).findFirst().orElseThrow())
        .configs().get("cleanup.policy"));
  }

  @Test
  void shouldSizeEachSubTopologyFromItsOwnSourcesAndRepartitionsFromTheSubTopologyWritingThem() {
    StreamsBuilder builder = new StreamsBuilder();
    // points has 1 partition, packets 3: the count below repartitions what it reads from points.
    builder.stream(TOPICS.points.name(), Consumed.with(Serdes.String(), Serdes.String()).withName("points-in"))
        .groupBy((k, v) -> v, Grouped.with("by-value", Serdes.String(), Serdes.String()))
        .count(Named.as("per-value"), Materialized.as("value-counts"));
    builder.stream(TOPICS.packets.name(), Consumed.with(Serdes.String(), Serdes.String()).withName("packets-in"))
        .groupByKey(Grouped.with("by-key", Serdes.String(), Serdes.String()))
        .count(Named.as("per-key"), Materialized.as("key-counts"));
    Map<String, NewTopic> planned = byName(InternalTopics.of(builder.build().describe(), "app", TOPICS));

    assertEquals(Set.of("app-by-value-repartition", "app-value-counts-changelog", "app-key-counts-changelog"), planned.keySet());
    assertEquals(1, planned.get("app-by-value-repartition").numPartitions());
    assertEquals(1, planned.get("app-value-counts-changelog").numPartitions());
    assertEquals(3, planned.get("app-key-counts-changelog").numPartitions());
    assertEquals("delete", planned.get("app-by-value-repartition").configs().get("cleanup.policy"));
  }

  @Test
  void shouldRefuseATopologyReadingATopicOfUnknownSize() {
    StreamsBuilder builder = new StreamsBuilder();
    builder.stream("somebody-elses-topic", Consumed.with(Serdes.String(), Serdes.String()))
        .groupByKey().count(Materialized.as("counts"));
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> InternalTopics.of(builder.build().describe(), "app", TOPICS));
    assertTrue(e.getMessage().contains("cannot size"), e.getMessage());
  }
}
