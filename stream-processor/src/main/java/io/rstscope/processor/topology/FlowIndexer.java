package io.rstscope.processor.topology;

import io.rstscope.avro.FlowKey;
import io.rstscope.avro.PacketSummary;
import io.rstscope.avro.SummaryKind;
import io.rstscope.schemas.FlowKeys;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Keeps the {@code flows-by-community-id} index (Community ID v1 -> flow key) beside the flow
 * state, for interactive queries by community_id: a SIEM holds that id, not our key. It lives in
 * the flow's own task (same partition as {@code flow-state}), so a query asks every instance's
 * local index once and then reads the flow where it lives. Entries go when the flow's state has
 * gone (checked once a minute), so the index never outlives what it points to.
 */
final class FlowIndexer implements Processor<FlowKey, PacketSummary, Void, Void> {
  private static final int RECENT = 16_384;
  private static final Duration SWEEP = Duration.ofMinutes(1);

  private KeyValueStore<String, FlowKey> index;
  private KeyValueStore<FlowKey, ?> flows;
  /** Flow keys indexed lately: most packets belong to them, so they cost no hash and no store read. */
  private final Map<FlowKey, Boolean> recent = new LinkedHashMap<>(1024, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<FlowKey, Boolean> eldest) {
      return size() > RECENT;
    }
  };

  @Override
  public void init(ProcessorContext<Void, Void> context) {
    index = context.getStateStore(RstTopology.FLOW_INDEX_STORE);
    flows = context.getStateStore(RstTopology.FLOW_STATE_STORE);
    context.schedule(SWEEP, PunctuationType.WALL_CLOCK_TIME, now -> sweep());
  }

  @Override
  public void process(Record<FlowKey, PacketSummary> record) {
    FlowKey key = record.key();
    PacketSummary v = record.value();
    if (key == null || v == null || v.getKind() == SummaryKind.WATERMARK || recent.containsKey(key)) {
      return;
    }
    recent.put(key, Boolean.TRUE);
    index.putIfAbsent(FlowKeys.communityId(key), key);
  }

  private void sweep() {
    List<String> gone = new ArrayList<>();
    try (KeyValueIterator<String, FlowKey> it = index.all()) {
      it.forEachRemaining(kv -> {
        if (flows.get(kv.value) == null) {
          gone.add(kv.key);
        }
      });
    }
    for (String id : gone) {
      FlowKey k = index.get(id);
      if (k != null) {
        recent.remove(k);
      }
      index.delete(id);
    }
  }
}
