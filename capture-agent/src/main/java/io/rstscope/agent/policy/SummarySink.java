package io.rstscope.agent.policy;

import io.rstscope.avro.FlowKey;
import io.rstscope.avro.PacketSummary;

/** Where the publish policy hands its summaries (the Kafka publisher, or a test's list). */
@FunctionalInterface
public interface SummarySink {
  void accept(FlowKey key, PacketSummary summary);
}
