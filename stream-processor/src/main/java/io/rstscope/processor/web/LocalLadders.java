package io.rstscope.processor.web;

import io.rstscope.avro.FlowKey;
import io.rstscope.avro.RstFinding;
import io.rstscope.processor.query.FlowKeyText;
import io.rstscope.processor.state.FlowState;
import io.rstscope.processor.state.PathModel;
import io.rstscope.processor.state.PointPair;
import io.rstscope.processor.state.PointProgress;
import io.rstscope.processor.topology.ProcessorConfig;
import io.rstscope.processor.topology.RstTopology;
import io.rstscope.schemas.FlowKeys;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * Ladders of the flows of some findings, read from the local stores of a single-instance run
 * ({@code analyze}) before it closes: every partition is local there.
 */
public final class LocalLadders {
  private LocalLadders() {}

  /** Flow key text -> ladder, for every flow the findings name that still has state. */
  public static Map<String, Ladder> read(KafkaStreams streams, List<RstFinding> findings, ProcessorConfig config) {
    return read(store(streams, RstTopology.FLOW_STATE_STORE), store(streams, RstTopology.POINT_PROGRESS_STORE),
        store(streams, RstTopology.POINT_PAIRS_STORE), findings, config);
  }

  /** The same from the three stores (over all partitions) however they are reached. */
  public static Map<String, Ladder> read(ReadOnlyKeyValueStore<FlowKey, FlowState> flows,
      ReadOnlyKeyValueStore<String, PointProgress> progressStore, ReadOnlyKeyValueStore<String, PointPair> pairStore,
      List<RstFinding> findings, ProcessorConfig config) {
    // One entry per point and task: merged, since every task is local here.
    Map<String, PointProgress> progress = new LinkedHashMap<>();
    try (KeyValueIterator<String, PointProgress> it = progressStore.all()) {
      it.forEachRemaining(kv -> progress.merge(kv.key, kv.value, PointProgress::merge));
    }
    List<String> known = new ArrayList<>(progress.keySet());
    known.addAll(config.expectedPoints());
    List<PointPair> pairs = new ArrayList<>();
    try (KeyValueIterator<String, PointPair> it = pairStore.all()) {
      it.forEachRemaining(kv -> pairs.add(kv.value));
    }
    PathModel model = PathModel.of(config.pathOrder(), known, pairs);
    long slackMicros = config.clockSkewAllowance().toNanos() / 1000;
    Map<String, Map<String, RstFinding>> byFlow = new LinkedHashMap<>();
    for (RstFinding f : findings) {
      FlowKey key = FlowKeyText.of(f.getFlow().getClient(), f.getFlow().getServer());
      byFlow.computeIfAbsent(FlowKeys.text(key), k -> new LinkedHashMap<>()).put(f.getFindingId(), f);
    }
    Map<String, Ladder> out = new LinkedHashMap<>();
    byFlow.forEach((text, fs) -> {
      FlowKey key = FlowKeyText.parseKey(text);
      FlowState state = flows.get(key);
      if (state != null) {
        out.put(text, Ladder.of(key, state, model, fs, progress, slackMicros));
      }
    });
    return out;
  }

  /** Each point's clock offset (its clock minus the first point's), as the ladders correct times. */
  public static Map<String, Long> clockOffsetsMicros(KafkaStreams streams, ProcessorConfig config) {
    List<String> known = new ArrayList<>(config.expectedPoints());
    try (KeyValueIterator<String, PointProgress> it = LocalLadders.<String, PointProgress>store(streams, RstTopology.POINT_PROGRESS_STORE).all()) {
      it.forEachRemaining(kv -> known.add(kv.key));
    }
    List<PointPair> pairs = new ArrayList<>();
    try (KeyValueIterator<String, PointPair> it = LocalLadders.<String, PointPair>store(streams, RstTopology.POINT_PAIRS_STORE).all()) {
      it.forEachRemaining(kv -> pairs.add(kv.value));
    }
    PathModel model = PathModel.of(config.pathOrder(), new java.util.LinkedHashSet<>(known), pairs);
    Map<String, Long> out = new LinkedHashMap<>();
    model.order().forEach(p -> out.put(p, model.offsetMicros(p)));
    return out;
  }

  private static <K, V> ReadOnlyKeyValueStore<K, V> store(KafkaStreams streams, String name) {
    return streams.store(StoreQueryParameters.fromNameAndType(name, QueryableStoreTypes.<K, V>keyValueStore()));
  }
}
