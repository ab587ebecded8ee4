package io.rstscope.processor.analyze;

import io.rstscope.avro.FlowKey;
import io.rstscope.processor.state.FlowState;
import io.rstscope.processor.topology.RstTopology;
import io.rstscope.processor.zeek.FlowLog;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/** The per-flow log of a single-instance run, read from its local flow-state store before it closes. */
final class LocalFlows {
  private LocalFlows() {}

  static List<String> read(KafkaStreams streams, List<String> pathOrder) {
    ReadOnlyKeyValueStore<FlowKey, FlowState> store = streams.store(StoreQueryParameters.fromNameAndType(
        RstTopology.FLOW_STATE_STORE, QueryableStoreTypes.<FlowKey, FlowState>keyValueStore()));
    List<Timed> lines = new ArrayList<>();
    try (KeyValueIterator<FlowKey, FlowState> it = store.all()) {
      it.forEachRemaining(kv -> {
        for (String line : FlowLog.lines(kv.key, kv.value, pathOrder)) {
          lines.add(new Timed(startOf(line), line));
        }
      });
    }
    lines.sort(Comparator.comparing(Timed::start).thenComparing(Timed::line));
    return lines.stream().map(Timed::line).toList();
  }

  private record Timed(String start, String line) {}

  private static String startOf(String line) {
    int i = line.indexOf("\"start\":\"");
    return i < 0 ? "" : line.substring(i + 9, line.indexOf('"', i + 9));
  }
}
