package io.rstscope.processor.query;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.rstscope.avro.Cause;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.streams.KafkaStreams;

/**
 * Prometheus metrics of one processor instance: Kafka Streams' own metrics through Micrometer's
 * binder (consumer lag {@code kafka_consumer_fetch_manager_records_lag*}, records processed
 * {@code kafka_stream_*_process_total}, records produced {@code kafka_producer_*record_send_total}),
 * plus what only rstscope knows: entries per local store and retained findings per cause. Those two
 * are sampled from the local stores at each scrape.
 */
public final class ProcessorMetrics implements AutoCloseable {
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Map<String, AtomicLong> storeEntries = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> findingsByCause = new ConcurrentHashMap<>();
  private final AtomicLong state = new AtomicLong();
  private KafkaStreamsMetrics streamsMetrics;
  private volatile QueryService service;

  public ProcessorMetrics() {
    new JvmMemoryMetrics().bindTo(registry);
    for (Cause c : Cause.values()) {
      AtomicLong v = new AtomicLong();
      findingsByCause.put(c.name(), v);
      Gauge.builder("rstscope_recent_findings", v, AtomicLong::get)
          .description("Findings decided by this instance's tasks still retained in recent-findings, by cause")
          .tag("cause", c.name()).register(registry);
    }
    Gauge.builder("rstscope_streams_running", state, AtomicLong::get)
        .description("1 when Kafka Streams is RUNNING, 0 otherwise (rebalancing, starting, failed)").register(registry);
  }

  public void attach(QueryService service) {
    this.service = service;
    KafkaStreams streams = service.streams();
    streamsMetrics = new KafkaStreamsMetrics(streams);
    streamsMetrics.bindTo(registry);
  }

  /** Samples the local stores, then renders the Prometheus text format. */
  public String scrape() {
    QueryService s = service;
    if (s != null) {
      state.set(s.streams().state() == KafkaStreams.State.RUNNING ? 1 : 0);
      try {
        s.storeSizes().forEach((store, n) -> storeEntries.computeIfAbsent(store, k -> {
          AtomicLong v = new AtomicLong();
          Gauge.builder("rstscope_store_entries", v, AtomicLong::get)
              .description("Approximate entries in this instance's local state store").tag("store", k).register(registry);
          return v;
        }).set(n));
        Map<String, Long> byCause = s.localFindingsByCause();
        findingsByCause.forEach((cause, v) -> v.set(byCause.getOrDefault(cause, 0L)));
      } catch (QueryErrors.Unavailable | org.apache.kafka.streams.errors.InvalidStateStoreException e) {
        // Rebalancing: keep the last samples rather than report zeros.
      }
    }
    return registry.scrape();
  }

  @Override
  public void close() {
    if (streamsMetrics != null) {
      streamsMetrics.close();
    }
    registry.close();
  }
}
