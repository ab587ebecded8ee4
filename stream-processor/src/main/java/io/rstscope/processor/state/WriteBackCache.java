package io.rstscope.processor.state;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiConsumer;
import java.util.function.ToIntFunction;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Decoded entries of one store, held by the processor of one task and written back to the store
 * once per commit ({@link PreCommitHookStore} calls {@link #flush()}), instead of being encoded,
 * put to RocksDB and sent to the changelog for every summary. Values are mutable objects: change
 * one, then {@link #put} it to mark it changed.
 *
 * <p>Two shapes. {@link #complete} holds every entry of a small store (points, point pairs,
 * pending RSTs), loaded when the task starts, in the store's key order, so scans need no store
 * iterator. {@link #bounded} holds the entries used last (flow states), up to a weight; an evicted
 * entry that changed is written first. The store behind is only current after {@link #flush()}.
 */
public final class WriteBackCache<K, V> {
  private static final class Entry<V> {
    V value;
    int weight;
    boolean dirty;

    Entry(V value, int weight, boolean dirty) {
      this.value = value;
      this.weight = weight;
      this.dirty = dirty;
    }
  }

  private final KeyValueStore<K, V> store;
  private final Map<K, Entry<V>> entries;
  private final boolean complete;
  private final ToIntFunction<V> weigher;
  private final long maxWeight;
  private long weight;
  private int dirtyCount;

  private WriteBackCache(KeyValueStore<K, V> store, Map<K, Entry<V>> entries, boolean complete,
      ToIntFunction<V> weigher, long maxWeight) {
    this.store = store;
    this.entries = entries;
    this.complete = complete;
    this.weigher = weigher;
    this.maxWeight = maxWeight;
  }

  /** Every entry of the store, loaded now; keys must be Comparable (String) to keep the store's order. */
  public static <K extends Comparable<K>, V> WriteBackCache<K, V> complete(KeyValueStore<K, V> store) {
    WriteBackCache<K, V> c = new WriteBackCache<>(store, new TreeMap<>(), true, v -> 0, Long.MAX_VALUE);
    c.reload();
    return c;
  }

  /** The entries used last, up to {@code maxWeight} by {@code weigher}. */
  public static <K, V> WriteBackCache<K, V> bounded(KeyValueStore<K, V> store, ToIntFunction<V> weigher,
      long maxWeight) {
    return new WriteBackCache<>(store, new LinkedHashMap<>(1024, 0.75f, true), false, weigher, maxWeight);
  }

  /** The current value, or null. */
  public V get(K key) {
    Entry<V> e = entries.get(key);
    if (e != null) {
      return e.value;
    }
    if (complete) {
      return null;
    }
    V v = store.get(key);
    if (v != null) {
      hold(key, new Entry<>(v, weigher.applyAsInt(v), false));
    }
    return v;
  }

  /** Sets (or marks as changed) the value of a key; it reaches the store at the next flush. */
  public void put(K key, V value) {
    Entry<V> e = entries.get(key);
    int w = weigher.applyAsInt(value);
    if (e == null) {
      hold(key, new Entry<>(value, w, true));
      dirtyCount++;
      return;
    }
    if (!e.dirty) {
      e.dirty = true;
      dirtyCount++;
    }
    e.value = value;
    weight += w - e.weight;
    e.weight = w;
    evict();
  }

  /** Deletes a key; the store forgets it at the next flush. */
  public void delete(K key) {
    Entry<V> e = entries.get(key);
    if (e == null) {
      e = new Entry<>(null, 0, false);
      entries.put(key, e);
    }
    if (!e.dirty) {
      e.dirty = true;
      dirtyCount++;
    }
    weight -= e.weight;
    e.weight = 0;
    e.value = null;
  }

  /** Every live entry, in key order (complete caches only). */
  public void forEach(BiConsumer<K, V> action) {
    if (!complete) {
      throw new IllegalStateException("only a complete cache can be scanned");
    }
    for (Map.Entry<K, Entry<V>> e : entries.entrySet()) {
      if (e.getValue().value != null) {
        action.accept(e.getKey(), e.getValue().value);
      }
    }
  }

  /** A snapshot of the live values (complete caches only), safe to change the cache while using it. */
  public List<V> values() {
    List<V> out = new ArrayList<>();
    forEach((k, v) -> out.add(v));
    return out;
  }

  /** Entries changed since the last flush (tests). */
  int changed() {
    return dirtyCount;
  }

  /** Writes every changed entry to the store. */
  public void flush() {
    if (dirtyCount == 0) {
      return;
    }
    List<KeyValue<K, V>> puts = new ArrayList<>(dirtyCount);
    Iterator<Map.Entry<K, Entry<V>>> it = entries.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<K, Entry<V>> e = it.next();
      Entry<V> v = e.getValue();
      if (!v.dirty) {
        continue;
      }
      v.dirty = false;
      if (v.value == null) {
        store.delete(e.getKey());
        it.remove();
      } else {
        puts.add(KeyValue.pair(e.getKey(), v.value));
      }
    }
    dirtyCount = 0;
    if (!puts.isEmpty()) {
      store.putAll(puts);
    }
  }

  /** Forgets everything held, written or not: the task's stores closed or reopened, and init builds a new cache. */
  public void discard() {
    entries.clear();
    weight = 0;
    dirtyCount = 0;
  }

  /** Loads every entry of the store (complete caches). */
  private void reload() {
    discard();
    try (KeyValueIterator<K, V> it = store.all()) {
      while (it.hasNext()) {
        KeyValue<K, V> kv = it.next();
        entries.put(kv.key, new Entry<>(kv.value, 0, false));
      }
    }
  }

  private void hold(K key, Entry<V> e) {
    entries.put(key, e);
    weight += e.weight;
    evict();
  }

  private void evict() {
    if (weight <= maxWeight) {
      return;
    }
    Iterator<Map.Entry<K, Entry<V>>> it = entries.entrySet().iterator();
    while (weight > maxWeight && it.hasNext()) {
      Map.Entry<K, Entry<V>> e = it.next();
      Entry<V> v = e.getValue();
      if (v.dirty) {
        if (v.value == null) {
          store.delete(e.getKey());
        } else {
          store.put(e.getKey(), v.value);
        }
        dirtyCount--;
      }
      weight -= v.weight;
      it.remove();
    }
  }
}
