package io.rstscope.processor.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class WriteBackCacheTest {
  /** Values are mutable holders, like the flow states: changed in place, then put. */
  static final class Box {
    int n;

    Box(int n) {
      this.n = n;
    }
  }

  private KeyValueStore<String, Box> store;

  @BeforeEach
  void openStore() {
    store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore("s"), Serdes.String(),
        Serdes.serdeFrom((t, b) -> b == null ? null : new byte[] {(byte) b.n},
            (t, bytes) -> bytes == null ? null : new Box(bytes[0]))).withLoggingDisabled().build();
    MockProcessorContext<Void, Void> ctx = new MockProcessorContext<>();
    store.init(ctx.getStateStoreContext(), store);
  }

  @Test
  void shouldWriteChangesOnlyWhenFlushedAndEachKeyOnce() {
    WriteBackCache<String, Box> cache = WriteBackCache.bounded(store, b -> 1, 100);
    Box a = new Box(1);
    cache.put("a", a);
    a.n = 2;
    cache.put("a", a);
    assertSame(a, cache.get("a"));
    assertNull(store.get("a"), "nothing reaches the store before the commit");
    assertEquals(1, cache.changed());
    cache.flush();
    assertEquals(2, store.get("a").n);
    assertEquals(0, cache.changed());
  }

  @Test
  void shouldTellKeysApartByTheHashAndEqualityItWasGiven() {
    // Keys whose own equals is identity (as if it were slow): the cache must still find a key by another instance.
    WriteBackCache<String, Box> cache = WriteBackCache.bounded(store, b -> 1, 100, k -> k.length(), String::equals);
    String first = new String("flow-1");
    Box box = new Box(1);
    cache.put(first, box);
    assertSame(box, cache.get(new String("flow-1")));
    cache.put(new String("flow-1"), box);
    assertEquals(1, cache.changed(), "the same key, changed twice");
    assertNull(cache.get("flow-2"), "same hash (length), different key");
    cache.delete(new String("flow-1"));
    assertNull(cache.get("flow-1"));
    cache.put("flow-3", new Box(3));
    cache.flush();
    assertNull(store.get("flow-1"));
    assertEquals(3, store.get("flow-3").n);
  }

  @Test
  void shouldReadThroughAndKeepWhatItRead() {
    store.put("a", new Box(7));
    WriteBackCache<String, Box> cache = WriteBackCache.bounded(store, b -> 1, 100);
    Box read = cache.get("a");
    assertEquals(7, read.n);
    assertSame(read, cache.get("a"), "the second read is the decoded object, not the store");
    assertNull(cache.get("missing"));
  }

  @Test
  void shouldWriteAChangedEntryWhenItIsEvictedAndDropACleanOne() {
    store.put("clean", new Box(5));
    WriteBackCache<String, Box> cache = WriteBackCache.bounded(store, b -> b.n, 10);
    cache.get("clean");                 // weight 5, unchanged
    cache.put("dirty", new Box(4));     // weight 9
    cache.put("third", new Box(7));     // weight 16 > 10: evicts "clean" (not written), then "dirty" (written)
    assertEquals(5, store.get("clean").n);
    assertEquals(4, store.get("dirty").n, "an evicted change is written, not lost");
    assertNull(store.get("third"), "still held, not yet written");
    cache.flush();
    assertEquals(7, store.get("third").n);
  }

  @Test
  void shouldDeleteAtFlushAndHideTheKeyAtOnce() {
    store.put("a", new Box(1));
    WriteBackCache<String, Box> cache = WriteBackCache.bounded(store, b -> 1, 100);
    cache.delete("a");
    assertNull(cache.get("a"));
    assertEquals(1, store.get("a").n);
    cache.flush();
    assertNull(store.get("a"));
  }

  @Test
  void shouldHoldAWholeSmallStoreInKeyOrder() {
    store.put("b", new Box(2));
    store.put("a", new Box(1));
    WriteBackCache<String, Box> cache = WriteBackCache.complete(store);
    cache.put("c", new Box(3));
    cache.delete("b");
    List<String> keys = new ArrayList<>();
    cache.forEach((k, v) -> keys.add(k + "=" + v.n));
    assertEquals(List.of("a=1", "c=3"), keys);
    assertEquals(2, cache.values().size());
    assertNull(cache.get("zzz"), "a complete cache does not ask the store");
    cache.flush();
    assertNull(store.get("b"));
    assertEquals(3, store.get("c").n);
  }

  @Test
  void shouldForgetUnwrittenChangesWhenDiscarded() {
    WriteBackCache<String, Box> cache = WriteBackCache.bounded(store, b -> 1, 100);
    cache.put("a", new Box(1));
    cache.discard();
    cache.flush();
    assertNull(store.get("a"));
    assertNull(cache.get("a"));
  }
}
