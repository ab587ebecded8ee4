package io.rstscope.processor.analyze;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import io.rstscope.processor.state.StoreEntries;
import io.rstscope.processor.topology.RstTopology;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.InvalidStateStoreException;

/**
 * Decides when a Streams application has finished all its input: every partition it reads has a
 * committed offset at the end of that partition (with exactly-once, committed means its output
 * is committed too), and the topology holds no pending RST.
 */
public final class StreamsCompletion {
  private final String bootstrap;
  private final String applicationId;
  private final java.util.List<String> inputTopics;
  private final Duration timeout;

  public StreamsCompletion(String bootstrap, String applicationId, String inputTopic, Duration timeout) {
    this(bootstrap, applicationId, java.util.List.of(inputTopic), timeout);
  }

  /** Waits for every one of these input topics (packets, and kernel reports when there are any). */
  public StreamsCompletion(String bootstrap, String applicationId, java.util.List<String> inputTopics, Duration timeout) {
    this.bootstrap = bootstrap;
    this.applicationId = applicationId;
    this.inputTopics = java.util.List.copyOf(inputTopics);
    this.timeout = timeout;
  }

  public void await(KafkaStreams streams) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    String last = "not started";
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      while (System.nanoTime() < deadline) {
        if (streams.state() == KafkaStreams.State.ERROR || streams.state() == KafkaStreams.State.PENDING_ERROR
            || streams.state() == KafkaStreams.State.NOT_RUNNING) {
          throw new IllegalStateException("the processor stopped (" + streams.state() + ") before finishing");
        }
        long behind = recordsBehind(admin);
        if (behind == 0) {
          try {
            long pending = pendingRsts(streams);
            if (pending == 0) {
              return;
            }
            last = pending + " RSTs still waiting for their correlation window";
          } catch (InvalidStateStoreException e) {
            last = "state store not queryable yet (" + streams.state() + ")";
          }
        } else {
          last = behind < 0 ? "processor has not committed yet" : behind + " records not processed yet";
        }
        if (System.getenv("RSTSCOPE_DEBUG") != null) {
          System.err.println(java.time.Instant.now() + " completion: " + last);
        }
        Thread.sleep(100);
      }
    }
    throw new IllegalStateException("analysis did not finish within " + timeout.toSeconds() + " s: " + last);
  }

  /** RSTs the topology holds while their correlation window is open (interactive query). */
  static long pendingRsts(KafkaStreams streams) {
    return StoreEntries.count(streams.store(
        StoreQueryParameters.fromNameAndType(RstTopology.PENDING_RSTS_STORE, QueryableStoreTypes.keyValueStore())));
  }

  /**
   * Records of the input topics not yet committed; -1 while a non-empty partition has no committed
   * offset. Internal repartition topics are left out on purpose: they are written transactionally,
   * and their commit markers keep the end offset one past what a consumer ever commits.
   */
  private long recordsBehind(Admin admin) throws Exception {
    Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(applicationId)
        .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    admin.describeTopics(inputTopics).allTopicNames().get(10, TimeUnit.SECONDS).forEach((topic, d) ->
        d.partitions().forEach(p -> latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest())));
    Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends = admin.listOffsets(latest).all().get(10, TimeUnit.SECONDS);
    long behind = 0;
    for (Map.Entry<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> end : ends.entrySet()) {
      OffsetAndMetadata c = committed.get(end.getKey());
      long endOffset = end.getValue().offset();
      if (c == null) {
        if (endOffset > 0) {
          return -1;
        }
        continue;
      }
      behind += Math.max(0, endOffset - c.offset());
    }
    return behind;
  }
}
