package io.rstscope.processor.faults;

import io.rstscope.processor.app.StreamsSettings;
import io.rstscope.processor.topology.DeadLetterHandler;
import io.rstscope.processor.topology.ProcessorConfig;
import io.rstscope.processor.topology.RstTopology;
import io.rstscope.schemas.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;

/**
 * One processor instance as ProcessorFailoverTest runs it, in-JVM or as its own JVM
 * ({@link #main}: the one the test SIGKILLs). Same settings as production (StreamsSettings:
 * exactly_once_v2, dead-letter handler) plus one standby replica and a short session timeout,
 * so a dead instance is noticed in seconds instead of 45.
 */
final class FailoverInstance {
  private FailoverInstance() {}

  static ProcessorConfig config() {
    return ProcessorConfig.builder().expectedPoints(Set.of("P1")).punctuateInterval(Duration.ofMillis(500)).build();
  }

  static KafkaStreams create(String bootstrap, String applicationId, Path stateDir, Topics topics) {
    Properties p = StreamsSettings.of(applicationId, bootstrap, stateDir, 1, Map.of());
    p.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, 1);
    p.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), 6000);
    p.put(StreamsConfig.consumerPrefix(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG), 1000);
    p.put(DeadLetterHandler.TOPIC_CONFIG, topics.deadLetter.name());
    return new KafkaStreams(RstTopology.build(config(), topics), p);
  }

  /** args: bootstrap applicationId stateDir topicPrefix partitions. Prints RUNNING once running; runs until killed. */
  public static void main(String[] args) throws Exception {
    Topics topics = new Topics(args[3], Integer.parseInt(args[4]));
    KafkaStreams streams = create(args[0], args[1], Path.of(args[2]), topics);
    streams.setStateListener((now, before) -> System.out.println("STATE " + now));
    streams.start();
    while (true) {
      Thread.sleep(60_000);
    }
  }
}
