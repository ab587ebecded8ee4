package io.rstscope.processor.app;

import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The Kafka Streams settings every run of the topology uses, whether a long-running processor
 * or an {@code analyze} run: exactly-once, errors routed on purpose, explicit state folder.
 * Callers add their own overrides (client security, threads) on top.
 */
public final class StreamsSettings {
  private StreamsSettings() {}

  public static Properties of(String applicationId, String bootstrap, Path stateDir, int threads, Map<String, String> overrides) {
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, threads);
    // Each commit writes back the flow states changed since the last one (a flow active across two commits is
    // encoded twice), closes a transaction and waits for the broker's acks. A warm processor did 198-226 k
    // summaries/s at 250 ms and 231-239 k at 500 ms (stream threads' CPU -15 %); it adds at most 500 ms to a
    // verdict's latency (findings are read_committed), against a 2 s bar. BENCHMARKS.md, "Stream processor".
    p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 500);
    // No task needs records of two topics in time order (RstTopologyTest pins it): the locator's task reads a
    // packets and a kernel partition, but a kernel report only has to reach the flow's state before the verdict,
    // which waits for the points' watermarks to pass the correlation window. -1 also skips a readiness check that formatted log text for every idle task on every loop
    // (8 % of the processor's CPU, BENCHMARKS.md).
    p.put(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, StreamsConfig.MAX_TASK_IDLE_MS_DISABLED);
    p.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
        "io.rstscope.processor.topology.DeadLetterHandler");
    p.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
    // Changelogs and findings compressed like the agents' summaries: the flow-state changelog shrinks 3x
    // (2.9 -> 0.9 KB per flow), which is broker disk, network, and the time a restore takes.
    p.put(StreamsConfig.producerPrefix(ProducerConfig.COMPRESSION_TYPE_CONFIG), "lz4");
    // Every new lz4 batch allocates its own 64 KB block buffers; with 16 KB batches the write-back of flow states
    // opened a new batch every few records (Lz4BlockOutputStream's constructor was 6 % of the processor's CPU).
    // 256 KB batches: 71 k -> 79 k summaries/s (BENCHMARKS.md, "Stream processor"); at most a few dozen partitions
    // per producer have a batch open, well inside buffer.memory's 32 MB.
    p.put(StreamsConfig.producerPrefix(ProducerConfig.BATCH_SIZE_CONFIG), 256 * 1024);
    p.putAll(overrides);
    return p;
  }
}
