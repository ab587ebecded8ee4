package io.rstscope.processor.topology;

import io.rstscope.avro.Endpoint;
import io.rstscope.avro.FlowKey;
import io.rstscope.avro.PacketSummary;
import io.rstscope.avro.Progress;
import io.rstscope.avro.SummaryKind;
import io.rstscope.schemas.FlowKeys;
import io.rstscope.schemas.PointNames;
import io.rstscope.schemas.Topics;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Summaries that decode but cannot be true (hostile or corrupted input): an IP version other than 4
 * or 6, an address of the wrong length, a port, TTL, window or payload length out of its field's
 * range, a point name an agent could not have (AgentConfig's rule), a key that is not the
 * canonical key of the summary's endpoints. They would otherwise enter per-flow and per-point
 * state (a bogus point name becomes a point every verdict waits for), so they go to the
 * dead-letter topic with the reason in the same headers {@link DeadLetterHandler} uses, are
 * counted, and never reach the locator. The check allocates nothing for a good summary.
 */
public final class SummaryValidator {
  private static final Logger LOG = LoggerFactory.getLogger(SummaryValidator.class);
  /** Per JVM, like {@link DeadLetterHandler#deadLettered()}: Kafka Streams creates the processors. */
  private static final AtomicLong REJECTED = new AtomicLong();
  /** The split node; its branches are named by suffix: summary-check-valid, summary-check-invalid. */
  static final String SPLIT = "summary-check";
  static final String VALID = "-valid";
  static final String INVALID = "-invalid";

  private SummaryValidator() {}

  /** Summaries rejected since this JVM started. */
  public static long rejected() {
    return REJECTED.get();
  }

  /** Splits the packets stream: impossible summaries to the dead-letter topic, the others returned. */
  static KStream<FlowKey, PacketSummary> route(KStream<FlowKey, PacketSummary> packets, Topics topics) {
    Map<String, KStream<FlowKey, PacketSummary>> branches = packets.split(Named.as(SPLIT))
        .branch((k, v) -> problem(k, v) != null, Branched.as(INVALID))
        .defaultBranch(Branched.as(VALID));
    branches.get(SPLIT + INVALID)
        .processValues(Rejecter::new, Named.as("summary-rejection"))
        .to(topics.deadLetter.name(), Produced.with(topics.packets.keySerde(), topics.packets.valueSerde())
            .withName("invalid-summaries-sink"));
    return branches.get(SPLIT + VALID);
  }

  /** Why this summary cannot be true, or null when it can. Null values are left to the locator (it skips them). */
  static String problem(FlowKey key, PacketSummary v) {
    if (v == null) {
      return null;
    }
    if (!PointNames.valid(v.getPoint())) {
      String p = v.getPoint();
      return "point name not " + PointNames.PATTERN + " (or reserved): "
          + (p == null ? "null" : p.length() + " characters");
    }
    if (v.getKind() == SummaryKind.WATERMARK) {
      return null;
    }
    int size = switch (v.getIpVersion()) {
      case 4 -> 4;
      case 6 -> 16;
      default -> -1;
    };
    if (size < 0) {
      return "ipVersion " + v.getIpVersion() + " (4 or 6)";
    }
    if (v.getSrcAddress().remaining() != size || v.getDstAddress().remaining() != size) {
      return "address of " + v.getSrcAddress().remaining() + "/" + v.getDstAddress().remaining()
          + " bytes for IPv" + v.getIpVersion();
    }
    if (outside(v.getSrcPort(), 0xffff) || outside(v.getDstPort(), 0xffff)) {
      return "port " + v.getSrcPort() + "/" + v.getDstPort() + " outside 0-65535";
    }
    if (outside(v.getTtl(), 0xff)) {
      return "ttl " + v.getTtl() + " outside 0-255";
    }
    if (outside(v.getTcpFlags(), 0x1ff)) {
      return "tcpFlags " + v.getTcpFlags() + " outside 0-0x1ff";
    }
    if (v.getSeq() < 0 || v.getSeq() > 0xffffffffL || v.getAck() < 0 || v.getAck() > 0xffffffffL) {
      return "seq/ack " + v.getSeq() + "/" + v.getAck() + " outside 0-2^32-1";
    }
    if (outside(v.getWindow(), 0xffff)) {
      return "window " + v.getWindow() + " outside 0-65535";
    }
    if (outside(v.getPayloadLength(), 0xffff)) {
      return "payloadLength " + v.getPayloadLength() + " outside 0-65535";
    }
    Progress p = v.getProgress();
    if (p != null && (p.getPackets() < 0 || p.getPayloadBytes() < 0 || outside(p.getTtlMin(), 0xff)
        || outside(p.getTtlMax(), 0xff))) {
      return "progress counters out of range: packets " + p.getPackets() + ", bytes " + p.getPayloadBytes()
          + ", ttl " + p.getTtlMin() + "-" + p.getTtlMax();
    }
    if (key == null) {
      return null; // counted and skipped by the locator
    }
    if (key.getProtocol() != FlowKeys.TCP || !keyOf(key, v)) {
      return "key is not the canonical flow key of the summary's endpoints";
    }
    return null;
  }

  private static boolean outside(int value, int max) {
    return value < 0 || value > max;
  }

  private static boolean keyOf(FlowKey key, PacketSummary v) {
    Endpoint low = key.getLow();
    Endpoint high = key.getHigh();
    if (same(low, v.getSrcAddress(), v.getSrcPort()) && same(high, v.getDstAddress(), v.getDstPort())
        || same(low, v.getDstAddress(), v.getDstPort()) && same(high, v.getSrcAddress(), v.getSrcPort())) {
      // Canonical order: low sorts first (or the two ends are the same endpoint).
      return compare(low, high) <= 0;
    }
    return false;
  }

  private static boolean same(Endpoint e, ByteBuffer address, int port) {
    return e.getPort() == port && e.getAddress().equals(address);
  }

  private static int compare(Endpoint a, Endpoint b) {
    ByteBuffer x = a.getAddress();
    ByteBuffer y = b.getAddress();
    if (x.remaining() != y.remaining()) {
      return Integer.compare(x.remaining(), y.remaining());
    }
    for (int i = 0; i < x.remaining(); i++) {
      int c = Integer.compare(x.get(x.position() + i) & 0xff, y.get(y.position() + i) & 0xff);
      if (c != 0) {
        return c;
      }
    }
    return Integer.compare(a.getPort(), b.getPort());
  }

  /** Adds the reason and source headers (those of DeadLetterHandler) and counts. */
  private static final class Rejecter implements FixedKeyProcessor<FlowKey, PacketSummary, PacketSummary> {
    private FixedKeyProcessorContext<FlowKey, PacketSummary> context;

    @Override
    public void init(FixedKeyProcessorContext<FlowKey, PacketSummary> context) {
      this.context = context;
    }

    @Override
    public void process(FixedKeyRecord<FlowKey, PacketSummary> record) {
      String reason = "invalid summary: " + problem(record.key(), record.value());
      long n = REJECTED.incrementAndGet();
      RecordHeaders headers = new RecordHeaders();
      for (Header h : record.headers()) {
        headers.add(h);
      }
      headers.add(DeadLetterHandler.HEADER_REASON, bytes(reason));
      headers.add(DeadLetterHandler.HEADER_EXCEPTION, bytes("invalid_summary"));
      context.recordMetadata().ifPresent(m -> {
        headers.add(DeadLetterHandler.HEADER_TOPIC, bytes(m.topic()));
        headers.add(DeadLetterHandler.HEADER_PARTITION, bytes(Integer.toString(m.partition())));
        headers.add(DeadLetterHandler.HEADER_OFFSET, bytes(Long.toString(m.offset())));
      });
      if (n == 1 || n % 1000 == 0) {
        LOG.warn("impossible summary sent to the dead-letter topic ({} so far): {}", n, reason);
      }
      context.forward(record.withHeaders(headers));
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
