package io.rstscope.processor.state;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiConsumer;
import java.util.function.BiPredicate;
import java.util.function.Function;
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
  private static final class Entry<K, V> {
    final K key;
    V value;
    int weight;
    boolean dirty;

    Entry(K key, V value, int weight, boolean dirty) {
      this.key = key;
      this.value = value;
      this.weight = weight;
      this.dirty = dirty;
    }
  }

  /** A key under its own hash and equality (for keys whose equals and hashCode are slow, like Avro records'). */
  private static final class Slot<K> {
    final K key;
    final int hash;
    final BiPredicate<K, K> same;

    Slot(K key, ToIntFunction<K> hasher, BiPredicate<K, K> same) {
      this.key = key;
      this.hash = hasher.applyAsInt(key);
      this.same = same;
    }

    @Override
    public int hashCode() {
      return hash;
    }

    @Override
    @SuppressWarnings("unchecked")
    public boolean equals(Object o) {
      return o instanceof Slot<?> other && other.hash == hash && same.test(key, (K) other.key);
    }
  }

  private final KeyValueStore<K, V> store;
  /** Keyed by the key itself, or by its {@link Slot} when the cache was given a hash and an equality. */
  private final Map<Object, Entry<K, V>> entries;
  private final Function<K, Object> slotOf;
  private final boolean complete;
  private final ToIntFunction<V> weigher;
  private final long maxWeight;
  private long weight;
  private int dirtyCount;

  private WriteBackCache(KeyValueStore<K, V> store, Map<Object, Entry<K, V>> entries, Function<K, Object> slotOf,
      boolean complete, ToIntFunction<V> weigher, long maxWeight) {
    this.store = store;
    this.entries = entries;
    this.slotOf = slotOf;
    this.complete = complete;
    this.weigher = weigher;
    this.maxWeight = maxWeight;
  }

  /** Every entry of the store, loaded now; keys must be Comparable (String) to keep the store's order. */
  public static <K extends Comparable<K>, V> WriteBackCache<K, V> complete(KeyValueStore<K, V> store) {
    WriteBackCache<K, V> c = new WriteBackCache<>(store, new TreeMap<>(), k -> k, true, v -> 0, Long.MAX_VALUE);
    c.reload();
    return c;
  }

  /** The entries used last, up to {@code maxWeight} by {@code weigher}. */
  public static <K, V> WriteBackCache<K, V> bounded(KeyValueStore<K, V> store, ToIntFunction<V> weigher,
      long maxWeight) {
    return new WriteBackCache<>(store, new LinkedHashMap<>(1024, 0.75f, true), k -> k, false, weigher, maxWeight);
  }

  /** As {@link #bounded(KeyValueStore, ToIntFunction, long)}, with keys told apart by {@code hasher} and {@code same}. */
  public static <K, V> WriteBackCache<K, V> bounded(KeyValueStore<K, V> store, ToIntFunction<V> weigher,
      long maxWeight, ToIntFunction<K> hasher, BiPredicate<K, K> same) {
    return new WriteBackCache<>(store, new LinkedHashMap<>(1024, 0.75f, true), k -> new Slot<>(k, hasher, same),
        false, weigher, maxWeight);
  }

  /** The current value, or null. */
  public V get(K key) {
    Object slot = slotOf.apply(key);
    Entry<K, V> e = entries.get(slot);
    if (e != null) {
      return e.value;
    }
    if (complete) {
      return null;
    }
    V v = store.get(key);
    if (v != null) {
      hold(slot, new Entry<>(key, v, weigher.applyAsInt(v), false));
    }
    return v;
  }

  /** Sets (or marks as changed) the value of a key; it reaches the store at the next flush. */
  public void put(K key, V value) {
    Object slot = slotOf.apply(key);
    Entry<K, V> e = entries.get(slot);
    int w = weigher.applyAsInt(value);
    if (e == null) {
      hold(slot, new Entry<>(key, value, w, true));
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
    Object slot = slotOf.apply(key);
    Entry<K, V> e = entries.get(slot);
    if (e == null) {
      e = new Entry<>(key, null, 0, false);
      entries.put(slot, e);
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
    for (Entry<K, V> e : entries.values()) {
      if (e.value != null) {
        action.accept(e.key, e.value);
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
    Iterator<Entry<K, V>> it = entries.values().iterator();
    while (it.hasNext()) {
      Entry<K, V> v = it.next();
      if (!v.dirty) {
        continue;
      }
      v.dirty = false;
      if (v.value == null) {
        store.delete(v.key);
        it.remove();
      } else {
        puts.add(KeyValue.pair(v.key, v.value));
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
        entries.put(slotOf.apply(kv.key), new Entry<>(kv.key, kv.value, 0, false));
      }
    }
  }

  private void hold(Object slot, Entry<K, V> e) {
    entries.put(slot, e);
    weight += e.weight;
    evict();
  }

  private void evict() {
    if (weight <= maxWeight) {
      return;
    }
    Iterator<Entry<K, V>> it = entries.values().iterator();
    while (weight > maxWeight && it.hasNext()) {
      Entry<K, V> v = it.next();
      if (v.dirty) {
        if (v.value == null) {
          store.delete(v.key);
        } else {
          store.put(v.key, v.value);
        }
        dirtyCount--;
      }
      weight -= v.weight;
      it.remove();
    }
  }
}
