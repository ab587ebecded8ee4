package io.rstscope.processor.topology;

import io.rstscope.schemas.Topics;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records the processor cannot decode go, unchanged, to the dead-letter topic with the reason in
 * headers, are counted, and processing goes on. The records are produced by Kafka Streams' own
 * producer, so under exactly_once_v2 they are part of the task's transaction.
 *
 * <p>Configure with {@code deserialization.exception.handler=io.rstscope.processor.topology.DeadLetterHandler}
 * and {@value #TOPIC_CONFIG} (default: the default registry's dead-letter topic).
 */
public final class DeadLetterHandler implements DeserializationExceptionHandler {
  public static final String TOPIC_CONFIG = "rstscope.deadletter.topic";
  public static final String HEADER_REASON = "rstscope.error.reason";
  public static final String HEADER_EXCEPTION = "rstscope.error.exception";
  public static final String HEADER_TOPIC = "rstscope.source.topic";
  public static final String HEADER_PARTITION = "rstscope.source.partition";
  public static final String HEADER_OFFSET = "rstscope.source.offset";
  public static final String HEADER_PROCESSOR = "rstscope.source.processor";
  private static final Logger LOG = LoggerFactory.getLogger(DeadLetterHandler.class);
  /** Per JVM, for the runner's metrics and the health endpoint: handlers are created by Kafka Streams. */
  private static final AtomicLong DEAD_LETTERED = new AtomicLong();

  private String topic = Topics.defaults().deadLetter.name();

  /** Records sent to the dead-letter topic since this JVM started. */
  public static long deadLettered() {
    return DEAD_LETTERED.get();
  }

  @Override
  public void configure(Map<String, ?> configs) {
    Object t = configs.get(TOPIC_CONFIG);
    if (t != null && !t.toString().isBlank()) {
      topic = t.toString();
    }
  }

  @Override
  public Response handleError(ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record, Exception exception) {
    long n = DEAD_LETTERED.incrementAndGet();
    String reason = String.valueOf(exception.getMessage());
    if (reason.length() > 1000) {
      reason = reason.substring(0, 1000);
    }
    if (n == 1 || n % 1000 == 0) {
      LOG.warn("undecodable record {}-{}@{} sent to {} ({} so far): {}", record.topic(), record.partition(),
          record.offset(), topic, n, reason);
    }
    RecordHeaders headers = new RecordHeaders();
    for (Header h : record.headers()) {
      headers.add(h);
    }
    headers.add(HEADER_REASON, bytes(reason));
    headers.add(HEADER_EXCEPTION, bytes(exception.getClass().getName()));
    headers.add(HEADER_TOPIC, bytes(record.topic()));
    headers.add(HEADER_PARTITION, bytes(Integer.toString(record.partition())));
    headers.add(HEADER_OFFSET, bytes(Long.toString(record.offset())));
    if (context != null && context.processorNodeId() != null) {
      headers.add(HEADER_PROCESSOR, bytes(context.processorNodeId()));
    }
    return Response.resume(List.of(new ProducerRecord<>(topic, null, record.key(), record.value(), headers)));
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
