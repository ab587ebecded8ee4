package io.rstscope.processor.state;

import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/** Exact entry counts of key-value stores, for completion checks, metrics and tests. */
public final class StoreEntries {
  private StoreEntries() {}

  /**
   * Counts by iterating: RocksDB's {@code approximateNumEntries()} still counts deleted keys,
   * and "no RST pending" must be exact.
   */
  public static long count(ReadOnlyKeyValueStore<?, ?> store) {
    long n = 0;
    try (var all = store.all()) {
      while (all.hasNext()) {
        all.next();
        n++;
      }
    }
    return n;
  }
}
