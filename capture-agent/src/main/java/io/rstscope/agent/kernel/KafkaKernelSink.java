package io.rstscope.agent.kernel;

import io.rstscope.agent.publish.KafkaPublisher;
import io.rstscope.avro.KernelReset;
import io.rstscope.avro.PointStatus;
import io.rstscope.schemas.Topics;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Events to the kernel topic and heartbeats to the points topic, through the agents' own publisher. */
final class KafkaKernelSink implements KernelSink {
  private final KafkaPublisher publisher;

  KafkaKernelSink(String bootstrap, Map<String, String> clientProperties, Topics topics, String host,
      int maxBuffered, Duration startupTimeout) {
    publisher = new KafkaPublisher(bootstrap, clientProperties, topics, "rstscope-probe-" + host, maxBuffered,
        startupTimeout, false);
    try {
      publisher.awaitCluster(List.of(topics.kernel, topics.points));
    } catch (RuntimeException e) {
      publisher.close();
      throw e;
    }
  }

  @Override public void accept(KernelReset event) { publisher.kernelReset(event); }
  @Override public void idle() {}
  @Override public void heartbeat(PointStatus status) { publisher.heartbeat(status); }
  @Override public void flush() { publisher.flush(); }
  @Override public long published() { return publisher.published(); }
  @Override public long dropped() { return publisher.dropped(); }

  @Override
  public void close() {
    publisher.flush();
    publisher.close();
  }
}
