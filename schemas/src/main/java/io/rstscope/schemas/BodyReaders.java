package io.rstscope.schemas;

import io.rstscope.avro.Endpoint;
import io.rstscope.avro.FlowKey;
import io.rstscope.avro.PacketSummary;
import io.rstscope.avro.PayloadHint;
import io.rstscope.avro.PayloadKind;
import io.rstscope.avro.Progress;
import io.rstscope.avro.RstData;
import io.rstscope.avro.RstDataFormat;
import io.rstscope.avro.SummaryKind;
import io.rstscope.avro.TcpOptions;
import java.io.IOException;

/**
 * Hand-written readers for the bodies of the two records the processor decodes for every summary: the
 * FlowKey key and the PacketSummary value. Avro's generic reader builds each record through per-field
 * lambdas and reflection, megamorphic in a process that decodes a dozen record types (BENCHMARKS.md,
 * "Stream processor"). Each reader is written for exactly one version of its schema and is used only for
 * bodies of that version; anything else (older writers, a changed .avsc) goes through Avro's resolving
 * reader. BodyReadersTest fails when a schema changes without its reader, and checks every reader against
 * Avro's on random records.
 */
final class BodyReaders {
  private static final SummaryKind[] SUMMARY_KINDS = SummaryKind.values();
  private static final PayloadKind[] PAYLOAD_KINDS = PayloadKind.values();
  private static final RstDataFormat[] RST_DATA_FORMATS = RstDataFormat.values();

  private BodyReaders() {}

  /** Reads one body of the schema version it was written for. */
  interface BodyReader<T> {
    /** Fingerprint (CRC-64-AVRO of the parsing canonical form) of the schema this reader was written for. */
    long fingerprint();

    T read(AvroBody in) throws IOException;
  }

  static final BodyReader<FlowKey> FLOW_KEY = new BodyReader<>() {
    @Override
    public long fingerprint() {
      return 0xE543942563DAD182L;
    }

    @Override
    public FlowKey read(AvroBody in) throws IOException {
      Endpoint low = endpoint(in);
      Endpoint high = endpoint(in);
      return new FlowKey(low, high, in.readInt());
    }
  };

  static final BodyReader<PacketSummary> PACKET_SUMMARY = new BodyReader<>() {
    @Override
    public long fingerprint() {
      return 0x0260AB058A81A590L;
    }

    @Override
    public PacketSummary read(AvroBody in) throws IOException {
      PacketSummary p = new PacketSummary();
      p.setPoint(in.readString());
      p.setKind(SUMMARY_KINDS[in.readIndex(SUMMARY_KINDS.length)]);
      p.setCaptureTime(in.readMicros());
      p.setIpVersion(in.readInt());
      p.setSrcAddress(in.readBytes());
      p.setDstAddress(in.readBytes());
      p.setSrcPort(in.readInt());
      p.setDstPort(in.readInt());
      p.setTtl(in.readInt());
      p.setIpId(in.readIndex(2) == 0 ? null : in.readInt());
      p.setDontFragment(in.readBoolean());
      p.setTcpFlags(in.readInt());
      p.setSeq(in.readLong());
      p.setAck(in.readLong());
      p.setWindow(in.readInt());
      p.setPayloadLength(in.readInt());
      p.setOptions(in.readIndex(2) == 0 ? null : new TcpOptions(
          in.readIndex(2) == 0 ? null : in.readInt(),
          in.readIndex(2) == 0 ? null : in.readInt(),
          in.readBoolean(),
          in.readInt(),
          in.readIndex(2) == 0 ? null : in.readLong(),
          in.readIndex(2) == 0 ? null : in.readLong()));
      p.setPayloadHint(in.readIndex(2) == 0 ? null : new PayloadHint(
          PAYLOAD_KINDS[in.readIndex(PAYLOAD_KINDS.length)],
          in.readIndex(2) == 0 ? null : in.readString(),
          in.readIndex(2) == 0 ? null : in.readString(),
          in.readIndex(2) == 0 ? null : in.readString(),
          in.readIndex(2) == 0 ? null : in.readString()));
      p.setProgress(in.readIndex(2) == 0 ? null : new Progress(
          in.readLong(),
          in.readLong(),
          in.readMicros(),
          in.readLong(),
          in.readLong(),
          in.readInt(),
          in.readInt(),
          in.readIndex(2) == 0 ? null : in.readInt(),
          in.readIndex(2) == 0 ? null : in.readInt(),
          in.readIndex(2) == 0 ? null : in.readMicros(),
          in.readIndex(2) == 0 ? null : in.readMicros()));
      p.setRstData(in.readIndex(2) == 0 ? null : new RstData(
          RST_DATA_FORMATS[in.readIndex(RST_DATA_FORMATS.length)],
          in.readIndex(2) == 0 ? null : in.readInt(),
          in.readIndex(2) == 0 ? null : in.readLong(),
          in.readIndex(2) == 0 ? null : in.readString()));
      p.setSession(in.readString());
      return p;
    }
  };

  private static Endpoint endpoint(AvroBody in) throws IOException {
    return new Endpoint(in.readBytes(), in.readInt());
  }

  /** The hand reader for a generated class, or null when it has none. */
  @SuppressWarnings("unchecked")
  static <T> BodyReader<T> forType(Class<T> type) {
    if (type == FlowKey.class) {
      return (BodyReader<T>) FLOW_KEY;
    }
    if (type == PacketSummary.class) {
      return (BodyReader<T>) PACKET_SUMMARY;
    }
    return null;
  }
}
