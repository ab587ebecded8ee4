package io.rstscope.processor.query;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.rstscope.avro.Cause;
import io.rstscope.processor.topology.PointHealthBoard;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.streams.KafkaStreams;

/**
 * Prometheus metrics of one processor instance: Kafka Streams' own metrics through Micrometer's
 * binder (consumer lag {@code kafka_consumer_fetch_manager_records_lag*}, records processed
 * {@code kafka_stream_*_process_total}, records produced {@code kafka_producer_*record_send_total}),
 * plus what only rstscope knows: entries per local store and retained findings per cause. Those two
 * are sampled from the local stores at each scrape. From the time model ({@link PointHealthBoard}):
 * {@code rstscope_point_state{point,state}} (1 for the point's state: live, finished, missing, unknown),
 * {@code rstscope_point_event_time_lag_seconds{point}} (how far a live point's watermark trails the newest
 * event time), {@code rstscope_cluster_reachable} and {@code rstscope_verdicts_fallback_total} (verdicts
 * decided by the wall-clock fallback, without every point's evidence).
 */
public final class ProcessorMetrics implements AutoCloseable {
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Map<String, AtomicLong> storeEntries = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> findingsByCause = new ConcurrentHashMap<>();
  private final AtomicLong state = new AtomicLong();
  private KafkaStreamsMetrics streamsMetrics;
  private volatile QueryService service;
  private final PointHealthBoard board;
  private final Map<String, AtomicLong> pointStates = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> pointLagMicros = new ConcurrentHashMap<>();

  public ProcessorMetrics() {
    this(new PointHealthBoard());
  }

  public ProcessorMetrics(PointHealthBoard board) {
    this.board = board;
    Gauge.builder("rstscope_cluster_reachable", board, b -> b.clusterReachable() ? 1 : 0)
        .description("1 while the Kafka cluster answers this instance, 0 while it does not").register(registry);
    FunctionCounter.builder("rstscope_verdicts_fallback", board, PointHealthBoard::fallbackVerdicts)
        .description("Verdicts decided by the wall-clock fallback without every point's evidence").register(registry);
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
    board.points().forEach((point, view) -> {
      for (PointHealthBoard.PointState st : PointHealthBoard.PointState.values()) {
        pointStates.computeIfAbsent(point + "|" + st, k -> {
          AtomicLong v = new AtomicLong();
          Gauge.builder("rstscope_point_state", v, AtomicLong::get)
              .description("1 for the point's state as this instance's tasks see it (live, finished, missing, unknown)")
              .tag("point", point).tag("state", st.name()).register(registry);
          return v;
        }).set(view.state() == st ? 1 : 0);
      }
      pointLagMicros.computeIfAbsent(point, k -> {
        AtomicLong v = new AtomicLong();
        Gauge.builder("rstscope_point_event_time_lag_seconds", v, x -> x.get() / 1e6)
            .description("How far the point's watermark trails the newest event time this instance has seen")
            .tag("point", point).register(registry);
        return v;
      }).set(view.lagMicros());
    });
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
