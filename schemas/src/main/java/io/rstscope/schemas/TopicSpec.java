package io.rstscope.schemas;

import java.time.Duration;
import org.apache.kafka.common.serialization.Serde;

/**
 * One topic: its name, its serdes, and how it is provisioned.
 *
 * @param compacted true when the topic is a table (latest value per key), false for an event log
 * @param retention how long records are kept; for a compacted topic, how long tombstones are kept
 */
public record TopicSpec<K, V>(
    String name,
    Serde<K> keySerde,
    Serde<V> valueSerde,
    int partitions,
    boolean compacted,
    Duration retention,
    String purpose) {}
