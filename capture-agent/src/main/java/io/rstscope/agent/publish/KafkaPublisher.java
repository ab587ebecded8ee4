package io.rstscope.agent.publish;

import io.rstscope.agent.AgentException;
import io.rstscope.agent.policy.Summaries;
import io.rstscope.avro.FlowKey;
import io.rstscope.avro.KernelReset;
import io.rstscope.avro.PacketSummary;
import io.rstscope.avro.PointStatus;
import io.rstscope.schemas.FlowKeys;
import io.rstscope.schemas.KernelEvents;
import io.rstscope.schemas.TopicSpec;
import io.rstscope.schemas.Topics;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One idempotent producer (acks=all, at most 5 requests in flight, so order per partition holds
 * and retries never duplicate) for summaries, heartbeats and watermarks. Summaries are keyed by
 * the canonical flow key and go through the default partitioner on the serialized key, so all
 * points' summaries of a flow meet in one partition; watermarks name their partition.
 *
 * <p>The capture thread never waits on Kafka: it hands records to a bounded queue that one
 * sender thread feeds into the producer, in order (so a watermark still follows the summaries
 * before it). While the cluster is away the producer's send blocks on metadata; only the sender
 * waits, and the queue absorbs the capture. Bounded buffering: at most {@code maxBuffered}
 * summaries may be queued or sent and not yet acknowledged; beyond that, and whenever the
 * producer refuses a record (delivery timeout, fatal error), a summary is dropped and counted,
 * never queued without bound. Heartbeats and watermarks have a small reserve of their own in the
 * queue so the processor keeps learning the point's state while summaries drop. The capture times
 * of the earliest and the latest dropped summary are kept, for the heartbeats: verdicts whose
 * window overlaps them are marked as taken on incomplete evidence.
 *
 * <p>Outages. While the cluster is away the sender waits with the record in hand (the queue fills
 * behind it), and what the producer already holds expires only after {@link #DELIVERY_TIMEOUT}:
 * an outage shorter than that loses nothing as long as the queue holds, i.e. for
 * {@code maxBuffered / summaries per second} seconds (deploy/README.md, sizing).
 */
public final class KafkaPublisher implements Publisher {
  private static final Logger log = LoggerFactory.getLogger(KafkaPublisher.class);
  private static final long DROP_LOG_INTERVAL_NANOS = 10_000_000_000L;

  private final KafkaProducer<byte[], byte[]> producer;
  private final Topics topics;
  private final String bootstrap;
  private final int maxBuffered;
  private final Duration startupTimeout;
  private final Serializer<FlowKey> keySerializer;
  private final Serializer<PacketSummary> summarySerializer;
  private final Serializer<String> pointKeySerializer;
  private final Serializer<PointStatus> statusSerializer;
  private final Serializer<KernelReset> kernelSerializer;

  private final boolean waitWhenFull;
  private final AtomicLong inFlight = new AtomicLong();
  private final AtomicLong published = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong watermarksAcked = new AtomicLong();
  private final AtomicLong controlErrors = new AtomicLong();
  /** Capture times of the earliest and latest dropped summary; guarded by itself. */
  private final long[] droppedRange = {Long.MAX_VALUE, Long.MIN_VALUE};
  private volatile String lastError;
  private long lastDropLogNanos;
  private long droppedAtLastLog;
  private int partitions = -1;
  private int kernelPartitions = -1;
  private final byte[] watermarkKey;
  /** Summaries, heartbeats and watermarks waiting for the sender thread, in capture order. */
  private final BlockingQueue<Outgoing> queue;
  private final Thread sender;
  private volatile boolean closing;
  /** Handed to the queue and not yet through producer.send (flush waits for zero). */
  private final AtomicLong unsent = new AtomicLong();
  /** Room in the queue kept for heartbeats and watermarks beyond the summary bound. */
  static final int CONTROL_RESERVE = 4096;
  /**
   * How long a summary may wait in the producer for the cluster before it is dropped; also how long a replay
   * waits for room and flush waits for the queue. Ten minutes: broker outages of 5 minutes and more lose
   * nothing while the buffer holds.
   */
  static final Duration DELIVERY_TIMEOUT = Duration.ofMinutes(10);
  static final Duration FLUSH_WAIT = DELIVERY_TIMEOUT;

  private record Outgoing(ProducerRecord<byte[], byte[]> record, Callback callback, long captureMicros) {
    boolean summary() {
      return captureMicros != Long.MIN_VALUE;
    }
  }

  /** A summary's acknowledgement: counts it published or dropped (with its capture time). */
  private final class SummaryAck implements Callback {
    private final long captureMicros;

    SummaryAck(long captureMicros) {
      this.captureMicros = captureMicros;
    }

    @Override
    public void onCompletion(org.apache.kafka.clients.producer.RecordMetadata metadata, Exception exception) {
      inFlight.decrementAndGet();
      if (exception == null) {
        published.incrementAndGet();
      } else {
        dropped.incrementAndGet();
        droppedAt(captureMicros);
        lastError = rootMessage(exception);
      }
    }
  }

  /**
   * @param waitWhenFull true for a file replay: a full buffer makes the reader wait (nothing is
   *     lost for lack of room; the file can be read again at the producer's pace); false for live
   *     capture, where waiting would only move the loss into the kernel, uncounted by us
   */
  public KafkaPublisher(String bootstrap, Map<String, String> clientProperties, Topics topics,
      String clientId, int maxBuffered, Duration startupTimeout, boolean waitWhenFull) {
    this.waitWhenFull = waitWhenFull;
    this.topics = topics;
    this.bootstrap = bootstrap;
    this.maxBuffered = maxBuffered;
    this.startupTimeout = startupTimeout;
    this.keySerializer = topics.packets.keySerde().serializer();
    this.summarySerializer = topics.packets.valueSerde().serializer();
    this.pointKeySerializer = topics.points.keySerde().serializer();
    this.statusSerializer = topics.points.valueSerde().serializer();
    this.kernelSerializer = topics.kernel.valueSerde().serializer();
    this.watermarkKey = keySerializer.serialize(topics.packets.name(),
        FlowKeys.of(new byte[4], 0, new byte[4], 0));
    Properties props = new Properties();
    props.putAll(defaults(bootstrap, clientId));
    props.putAll(clientProperties);
    int maxInFlight = Integer.parseInt(props.getProperty(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "5"));
    if (maxInFlight > 5 || !"true".equals(props.getProperty(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG))
        || !"all".equals(props.getProperty(ProducerConfig.ACKS_CONFIG)) && !"-1".equals(props.getProperty(ProducerConfig.ACKS_CONFIG))) {
      throw new AgentException("client properties must keep enable.idempotence=true, acks=all and"
          + " max.in.flight.requests.per.connection <= 5: summaries and watermarks rely on per-partition order");
    }
    try {
      this.producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    } catch (KafkaException e) {
      throw new AgentException("cannot create Kafka producer for " + bootstrap + ": " + rootMessage(e));
    }
    this.queue = new ArrayBlockingQueue<>(maxBuffered + CONTROL_RESERVE);
    this.sender = new Thread(this::sendLoop, "rstscope-agent-sender-" + clientId);
    sender.setDaemon(true);
    sender.start();
  }

  /** The sender thread: the only caller of producer.send, so only it ever waits on the cluster. */
  private void sendLoop() {
    while (true) {
      Outgoing out;
      try {
        out = queue.poll(100, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        return;
      }
      if (out == null) {
        if (closing) {
          return;
        }
        continue;
      }
      boolean sent = false;
      while (!sent) {
        try {
          // send() reports missing metadata through the record's callback, as a lost record;
          // partitionsFor throws instead, so the record can wait here until the cluster is back.
          producer.partitionsFor(out.record().topic());
          producer.send(out.record(), out.callback());
          sent = true;
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
          // No metadata within max.block.ms: the cluster is away. Keep the record and try again;
          // the queue behind it holds the capture until it is full, then summaries drop.
          lastError = rootMessage(e);
          if (closing) {
            fail(out, e);
            sent = true;
          }
        } catch (KafkaException e) {
          fail(out, e);
          sent = true;
        }
      }
      unsent.decrementAndGet();
    }
  }

  private void fail(Outgoing out, Exception e) {
    if (out.summary()) {
      inFlight.decrementAndGet();
      dropped.incrementAndGet();
      droppedAt(out.captureMicros());
      lastError = rootMessage(e);
    } else {
      controlFailure(e);
    }
  }

  private boolean enqueue(Outgoing out) {
    unsent.incrementAndGet();
    if (queue.offer(out)) {
      return true;
    }
    unsent.decrementAndGet();
    return false;
  }

  /**
   * Producer settings chosen for throughput with order: lz4 (measured faster than zstd at a
   * similar ratio on summaries, BENCHMARKS.md), 64 KiB batches after up to 20 ms, and small
   * blocking so a slow cluster turns into counted drops instead of a stalled capture thread.
   */
  static Map<String, String> defaults(String bootstrap, String clientId) {
    return Map.ofEntries(
        Map.entry(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap),
        Map.entry(ProducerConfig.CLIENT_ID_CONFIG, clientId),
        Map.entry(ProducerConfig.ACKS_CONFIG, "all"),
        Map.entry(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true"),
        Map.entry(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "5"),
        Map.entry(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4"),
        Map.entry(ProducerConfig.LINGER_MS_CONFIG, "20"),
        Map.entry(ProducerConfig.BATCH_SIZE_CONFIG, "65536"),
        Map.entry(ProducerConfig.BUFFER_MEMORY_CONFIG, String.valueOf(64L * 1024 * 1024)),
        Map.entry(ProducerConfig.MAX_BLOCK_MS_CONFIG, "250"),
        Map.entry(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000"),
        Map.entry(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Long.toString(DELIVERY_TIMEOUT.toMillis())));
  }

  @Override
  public void awaitCluster() {
    awaitCluster(List.of(topics.packets, topics.points));
  }

  /** Waits until each of these topics has partitions (a kernel probe needs kernel and points). */
  public void awaitCluster(List<TopicSpec<?, ?>> needed) {
    long deadline = System.nanoTime() + startupTimeout.toNanos();
    String why = null;
    for (TopicSpec<?, ?> topic : needed) {
      while (true) {
        try {
          List<PartitionInfo> info = producer.partitionsFor(topic.name());
          if (info != null && !info.isEmpty()) {
            if (topic == topics.packets) {
              partitions = info.size();
            } else if (topic == topics.kernel) {
              kernelPartitions = info.size();
            }
            break;
          }
        } catch (KafkaException e) {
          why = rootMessage(e);
        }
        if (System.nanoTime() > deadline) {
          throw new AgentException("cannot reach Kafka at " + bootstrap + " or topic " + topic.name()
              + " does not exist (waited " + startupTimeout.toSeconds() + " s" + (why == null ? "" : ": " + why) + ")");
        }
      }
    }
    TopicSpec<?, ?> first = needed.get(0);
    log.info("connected to {}: {} has {} partitions", bootstrap, first.name(),
        first == topics.kernel ? kernelPartitions : partitions);
  }

  @Override
  public void accept(FlowKey key, PacketSummary summary) {
    String topic = topics.packets.name();
    send(new ProducerRecord<>(topic, keySerializer.serialize(topic, key), summarySerializer.serialize(topic, summary)),
        Summaries.micros(summary.getCaptureTime()));
  }

  /**
   * A kernel probe's event on the kernel topic, keyed by its flow like a summary (and counted with them); one whose
   * peer the kernel did not name goes to every partition, where the processor matches it by port. Waits for room
   * like a replay when this publisher was made for one, else drops and counts.
   */
  public void kernelReset(KernelReset event) {
    String topic = topics.kernel.name();
    byte[] k = keySerializer.serialize(topic, event.getFlow());
    byte[] v = kernelSerializer.serialize(topic, event);
    long micros = Summaries.micros(event.getTime());
    if (!KernelEvents.peerUnnamed(event)) {
      send(new ProducerRecord<>(topic, k, v), micros);
      return;
    }
    for (int p = 0; p < Math.max(kernelPartitions, 0); p++) {
      send(new ProducerRecord<>(topic, p, k, v), micros);
    }
  }

  /** A replay waits for room, but not for ever: a cluster gone for longer than FLUSH_WAIT drops. */
  private void send(ProducerRecord<byte[], byte[]> record, long captureMicros) {
    long waitUntil = waitWhenFull ? System.nanoTime() + FLUSH_WAIT.toNanos() : 0;
    while (waitWhenFull && inFlight.get() >= maxBuffered && sender.isAlive() && !closing
        && System.nanoTime() < waitUntil) {
      try {
        Thread.sleep(1);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    if (inFlight.get() >= maxBuffered) {
      drop(captureMicros, "buffer full: " + maxBuffered + " records unacknowledged");
      return;
    }
    inFlight.incrementAndGet();
    if (!enqueue(new Outgoing(record, new SummaryAck(captureMicros), captureMicros))) {
      inFlight.decrementAndGet();
      drop(captureMicros, "send queue full");
    }
  }

  private void droppedAt(long captureMicros) {
    synchronized (droppedRange) {
      droppedRange[0] = Math.min(droppedRange[0], captureMicros);
      droppedRange[1] = Math.max(droppedRange[1], captureMicros);
    }
  }

  @Override
  public long[] droppedRange() {
    synchronized (droppedRange) {
      return droppedRange[0] > droppedRange[1] ? null : droppedRange.clone();
    }
  }

  private void drop(long captureMicros, String reason) {
    dropped.incrementAndGet();
    droppedAt(captureMicros);
    lastError = reason;
    long now = System.nanoTime();
    if (lastDropLogNanos == 0 || now - lastDropLogNanos > DROP_LOG_INTERVAL_NANOS) {
      long total = dropped.get();
      log.warn("dropping summaries ({} since last report, {} in total): {}", total - droppedAtLastLog, total, reason);
      lastDropLogNanos = now;
      droppedAtLastLog = total;
    }
  }

  @Override
  public void heartbeat(PointStatus status) {
    String topic = topics.points.name();
    if (!enqueue(new Outgoing(new ProducerRecord<>(topic, pointKeySerializer.serialize(topic, status.getPoint()),
        statusSerializer.serialize(topic, status)), (m, e) -> controlFailure(e), Long.MIN_VALUE))) {
      controlFailure(new KafkaException("send queue full"));
    }
  }

  @Override
  public int watermarks(String point, String session, Instant captureTime) {
    String topic = topics.packets.name();
    // The count learnt at start: asking the producer again would block the capture thread
    // whenever the cluster is away (partitions are never removed from a topic).
    int n = Math.max(partitions, 0);
    byte[] value = summarySerializer.serialize(topic, Summaries.watermark(point, session, captureTime));
    Callback acked = (m, e) -> {
      if (e == null) {
        watermarksAcked.incrementAndGet();
      } else {
        controlFailure(e);
      }
    };
    for (int p = 0; p < n; p++) {
      if (!enqueue(new Outgoing(new ProducerRecord<>(topic, p, watermarkKey, value), acked, Long.MIN_VALUE))) {
        controlFailure(new KafkaException("send queue full"));
      }
    }
    return n;
  }

  private void controlFailure(Exception e) {
    if (e != null) {
      long n = controlErrors.incrementAndGet();
      lastError = rootMessage(e);
      if (n == 1 || n % 100 == 0) {
        log.warn("heartbeat or watermark not published ({} so far): {}", n, lastError);
      }
    }
  }

  /** Heartbeats and watermarks that could not be published. */
  public long controlErrors() {
    return controlErrors.get();
  }

  @Override
  public void flush() {
    // First everything queued must have reached the producer, then the producer flushes it. With
    // the cluster away that may never happen: after FLUSH_WAIT, close() counts the rest as dropped.
    long deadline = System.nanoTime() + FLUSH_WAIT.toNanos();
    while (unsent.get() > 0 && sender.isAlive() && System.nanoTime() < deadline) {
      try {
        Thread.sleep(1);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    try {
      producer.flush();
    } catch (KafkaException e) {
      lastError = rootMessage(e);
    }
  }

  @Override public long published() { return published.get(); }
  @Override public long dropped() { return dropped.get(); }
  /** Summaries queued or sent and not yet acknowledged. */
  @Override public long buffered() { return inFlight.get(); }
  @Override public long watermarksAcked() { return watermarksAcked.get(); }

  public String lastError() {
    return lastError;
  }

  @Override
  public void close() {
    // The sender gives up on records it cannot send once closing; what is left is counted below.
    closing = true;
    try {
      sender.join(Duration.ofSeconds(5).toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    sender.interrupt();
    for (Outgoing left; (left = queue.poll()) != null; ) {
      fail(left, new KafkaException("agent stopped before the cluster took it"));
    }
    try {
      producer.close(Duration.ofSeconds(5));
    } catch (KafkaException e) {
      log.warn("closing the producer: {}", rootMessage(e));
    }
    // Anything still unacknowledged after close is lost: count it.
    long left = inFlight.getAndSet(0);
    if (left > 0) {
      dropped.addAndGet(left);
    }
  }

  static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    return m.replace('\n', ' ');
  }
}
