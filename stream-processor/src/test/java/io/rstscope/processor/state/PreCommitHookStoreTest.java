package io.rstscope.processor.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.time.Instant;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;

/**
 * Pins the Kafka Streams contract the locator's write-back rests on: a task flushes the caches of
 * its registered stores when it commits, and our wrapper is the one registered. If a Kafka upgrade
 * stops calling {@code flushCache()}, the store stays empty here and this fails.
 */
class PreCommitHookStoreTest {
  /** Counts records per key in memory, written back only by the hook. */
  static final class Counter implements Processor<String, String, Void, Void> {
    private WriteBackCache<String, Long> counts;

    @Override
    public void init(ProcessorContext<Void, Void> context) {
      KeyValueStore<String, Long> store = context.getStateStore("counts");
      counts = WriteBackCache.bounded(store, v -> 1, 1_000);
      PreCommitHookStore.find(store).listen(counts::flush, counts::discard);
    }

    @Override
    public void process(Record<String, String> r) {
      Long n = counts.get(r.key());
      counts.put(r.key(), n == null ? 1 : n + 1);
    }
  }

  private static TopologyTestDriver driver(boolean hooked) throws Exception {
    StreamsBuilder b = new StreamsBuilder();
    var inner = Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore("counts"), Serdes.String(), Serdes.Long());
    b.addStateStore(hooked ? PreCommitHookStore.wrap(inner) : inner);
    b.stream("in", Consumed.with(Serdes.String(), Serdes.String())).process(Counter::new, "counts");
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, "hook-test");
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "dummy:9092");
    p.put(StreamsConfig.STATE_DIR_CONFIG, Files.createTempDirectory("hook-test").toString());
    return new TopologyTestDriver(b.build(), p, Instant.parse("2026-11-25T00:00:00Z"));
  }

  @Test
  void shouldWriteBackWhenTheTaskCommits() throws Exception {
    try (TopologyTestDriver d = driver(true)) {
      TestInputTopic<String, String> in = d.createInputTopic("in", new StringSerializer(), new StringSerializer());
      in.pipeInput("a", "x");
      in.pipeInput("a", "y");
      in.pipeInput("b", "z");
      // The driver commits after every record: each commit ran the hook, so the store holds the counts.
      KeyValueStore<String, Long> store = d.getKeyValueStore("counts");
      assertEquals(2L, store.get("a"));
      assertEquals(1L, store.get("b"));
    }
  }

  @Test
  void shouldRefuseAStoreBuiltWithoutTheHook() {
    // Without the wrapper nothing would ever be written: the processor must fail at start, not lose state.
    Exception e = assertThrows(Exception.class, () -> driver(false).close());
    StringBuilder messages = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause()) {
      messages.append(t.getMessage()).append(" / ");
    }
    assertTrue(messages.toString().contains("was not built with PreCommitHookStore.wrap"), messages.toString());
  }
}
