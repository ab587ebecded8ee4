package io.rstscope.processor.state;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.internals.WrappedStateStore;

/**
 * A key-value store that tells its processor when the task is about to commit, so the processor
 * can keep decoded state in memory and write each changed entry once per commit instead of once
 * per summary ({@link WriteBackCache}).
 *
 * <p>The hook is Kafka Streams' own cache flush: before a task commits (the changelog records are
 * flushed, then the offsets committed in the same transaction under exactly_once_v2), it calls
 * {@code flushCache()} on every store it registered; this wrapper is the outermost layer, so it is
 * the one registered. That is how Kafka's record cache keeps exactly-once, and it is an internal
 * contract of Kafka Streams 4.x ({@code ProcessorStateManager.flushCache}): {@code
 * PreCommitHookStoreTest} pins it, and the fault tests (SIGKILL under EOS) prove nothing is lost.
 *
 * <p>When the store closes (clean close: after the last commit; dirty close: without one) or opens
 * again, whatever the processor still holds is stale, so it is told to drop it.
 */
public final class PreCommitHookStore<K, V> extends WrappedStateStore<KeyValueStore<K, V>, K, V>
    implements KeyValueStore<K, V> {
  private static final Runnable NOTHING = () -> {};
  private volatile Runnable beforeCommit = NOTHING;
  private volatile Runnable discard = NOTHING;

  PreCommitHookStore(KeyValueStore<K, V> inner) {
    super(inner);
  }

  /** Wraps a store builder; the built store is the outermost layer, the one Kafka Streams registers. */
  public static <K, V> StoreBuilder<KeyValueStore<K, V>> wrap(StoreBuilder<KeyValueStore<K, V>> inner) {
    return new Builder<>(inner);
  }

  /** The hook store under whatever read-write decorator {@code context.getStateStore} put around it. */
  @SuppressWarnings("unchecked")
  public static <K, V> PreCommitHookStore<K, V> find(StateStore store) {
    StateStore s = store;
    while (!(s instanceof PreCommitHookStore)) {
      if (!(s instanceof WrappedStateStore<?, ?, ?> w)) {
        throw new IllegalStateException("store " + store.name() + " was not built with PreCommitHookStore.wrap");
      }
      s = w.wrapped();
    }
    return (PreCommitHookStore<K, V>) s;
  }

  /** {@code beforeCommit} writes what the processor holds; {@code discard} drops it unwritten. */
  public void listen(Runnable beforeCommit, Runnable discard) {
    this.beforeCommit = Objects.requireNonNull(beforeCommit);
    this.discard = Objects.requireNonNull(discard);
  }

  @Override
  public void init(StateStoreContext context, StateStore root) {
    discard.run();
    super.init(context, root);
  }

  @Override
  public void flushCache() {
    beforeCommit.run();
    super.flushCache();
  }

  @Override
  public void close() {
    discard.run();
    super.close();
  }

  @Override
  public void put(K key, V value) {
    wrapped().put(key, value);
  }

  @Override
  public V putIfAbsent(K key, V value) {
    return wrapped().putIfAbsent(key, value);
  }

  @Override
  public void putAll(List<KeyValue<K, V>> entries) {
    wrapped().putAll(entries);
  }

  @Override
  public V delete(K key) {
    return wrapped().delete(key);
  }

  @Override
  public V get(K key) {
    return wrapped().get(key);
  }

  @Override
  public KeyValueIterator<K, V> range(K from, K to) {
    return wrapped().range(from, to);
  }

  @Override
  public KeyValueIterator<K, V> reverseRange(K from, K to) {
    return wrapped().reverseRange(from, to);
  }

  @Override
  public KeyValueIterator<K, V> all() {
    return wrapped().all();
  }

  @Override
  public KeyValueIterator<K, V> reverseAll() {
    return wrapped().reverseAll();
  }

  @Override
  public <PS extends Serializer<P>, P> KeyValueIterator<K, V> prefixScan(P prefix, PS prefixKeySerializer) {
    return wrapped().prefixScan(prefix, prefixKeySerializer);
  }

  @Override
  public long approximateNumEntries() {
    return wrapped().approximateNumEntries();
  }

  private record Builder<K, V>(StoreBuilder<KeyValueStore<K, V>> inner) implements StoreBuilder<KeyValueStore<K, V>> {
    @Override
    public StoreBuilder<KeyValueStore<K, V>> withCachingEnabled() {
      inner.withCachingEnabled();
      return this;
    }

    @Override
    public StoreBuilder<KeyValueStore<K, V>> withCachingDisabled() {
      inner.withCachingDisabled();
      return this;
    }

    @Override
    public StoreBuilder<KeyValueStore<K, V>> withLoggingEnabled(Map<String, String> config) {
      inner.withLoggingEnabled(config);
      return this;
    }

    @Override
    public StoreBuilder<KeyValueStore<K, V>> withLoggingDisabled() {
      inner.withLoggingDisabled();
      return this;
    }

    @Override
    public KeyValueStore<K, V> build() {
      return new PreCommitHookStore<>(inner.build());
    }

    @Override
    public Map<String, String> logConfig() {
      return inner.logConfig();
    }

    @Override
    public boolean loggingEnabled() {
      return inner.loggingEnabled();
    }

    @Override
    public String name() {
      return inner.name();
    }
  }
}
