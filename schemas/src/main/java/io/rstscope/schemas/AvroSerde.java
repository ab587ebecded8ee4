package io.rstscope.schemas;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.data.TimeConversions;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Kafka serde for a generated Avro class, in Avro single-object encoding ({@code C3 01},
 * the 8-byte schema fingerprint, then the body). There is no schema registry here: the
 * fingerprint plus {@link SchemaHistory} lets readers decode what older writers wrote.
 * Keys encoded this way are deterministic, which the flow-key partitioning relies on.
 */
public final class AvroSerde<T extends SpecificRecord> implements Serde<T> {

  static {
    AvroTrust.install();
  }

  /** Single-object encoding: two marker bytes, then the writer schema's 8-byte fingerprint (little-endian). */
  private static final int HEADER = 10;
  private static final ThreadLocal<BinaryDecoder> BODY_DECODER = new ThreadLocal<>();

  private final Class<T> type;
  private final Schema schema;
  private final SpecificData model;
  private final BinaryMessageEncoder<T> encoder;
  private final BinaryMessageDecoder<T> decoder;
  /** Readers by writer fingerprint, for the fast path of {@link #fromBytes}. */
  private final Map<Long, DatumReader<T>> readers = new ConcurrentHashMap<>();
  /** Fingerprint of this class's schema, and the hand-written reader for it (null when there is none for it). */
  private final long fingerprint;
  private final BodyReaders.BodyReader<T> handReader;

  private AvroSerde(Class<T> type, Schema schema) {
    this.type = type;
    this.schema = schema;
    SpecificData model = new SpecificData(type.getClassLoader());
    this.model = model;
    // Logical types inside unions (e.g. PointStatus.lastPacketTime) need the model's conversion;
    // without it writing an Instant there fails with "Unknown datum type java.time.Instant".
    model.addLogicalTypeConversion(new TimeConversions.TimestampMicrosConversion());
    this.encoder = new BinaryMessageEncoder<>(model, schema);
    this.decoder = new BinaryMessageDecoder<>(model, schema, SchemaHistory.store());
    SchemaHistory.register(schema);
    this.fingerprint = SchemaNormalization.parsingFingerprint64(schema);
    BodyReaders.BodyReader<T> hand = BodyReaders.forType(type);
    this.handReader = hand != null && hand.fingerprint() == fingerprint ? hand : null;
  }

  /** Serde for one generated class, e.g. {@code AvroSerde.of(PacketSummary.class)}. */
  public static <T extends SpecificRecord> AvroSerde<T> of(Class<T> type) {
    Objects.requireNonNull(type, "type");
    return new AvroSerde<>(type, SpecificData.get().getSchema(type));
  }

  public Class<T> type() {
    return type;
  }

  public byte[] toBytes(T record) {
    if (record == null) {
      return null;
    }
    try {
      ByteBuffer buffer = encoder.encode(record);
      byte[] bytes = new byte[buffer.remaining()];
      buffer.get(bytes);
      return bytes;
    } catch (IOException | RuntimeException e) {
      throw new SerializationException("cannot encode " + type.getSimpleName() + ": " + e.getMessage(), e);
    }
  }

  public T fromBytes(byte[] bytes) {
    if (bytes == null) {
      return null;
    }
    try {
      // A body of this class's own schema version, for a type with a hand-written reader (BodyReaders).
      if (handReader != null && bytes.length >= HEADER && isSingleObject(bytes)
          && fingerprintOf(bytes) == fingerprint) {
        return handReader.read(new AvroBody(bytes, HEADER, bytes.length - HEADER));
      }
      DatumReader<T> reader = readerFor(bytes);
      if (reader == null) {
        return decoder.decode(bytes); // not ours or unknown writer: Avro's own decoder says what is wrong
      }
      // Avro's message decoder reads the body through an InputStream byte by byte (DirectBinaryDecoder);
      // a BinaryDecoder over the array is the same format at a fraction of the cost, which matters for a
      // processor decoding every summary (BENCHMARKS.md, "Stream processor").
      BinaryDecoder body = DecoderFactory.get().binaryDecoder(bytes, HEADER, bytes.length - HEADER, BODY_DECODER.get());
      BODY_DECODER.set(body);
      return reader.read(null, body);
    } catch (IOException | RuntimeException e) {
      throw new SerializationException("cannot decode " + type.getSimpleName() + " (" + bytes.length
          + " bytes): " + e.getMessage(), e);
    }
  }

  /** The reader for the writer schema named in the header, or null when the header is not single-object encoding. */
  @SuppressWarnings("unchecked")
  private DatumReader<T> readerFor(byte[] bytes) {
    if (bytes.length < HEADER || !isSingleObject(bytes)) {
      return null;
    }
    long fingerprint = fingerprintOf(bytes);
    DatumReader<T> reader = readers.get(fingerprint);
    if (reader == null) {
      Schema writer = SchemaHistory.store().findByFingerprint(fingerprint);
      if (writer == null) {
        return null;
      }
      reader = (DatumReader<T>) model.createDatumReader(writer, schema);
      readers.put(fingerprint, reader);
    }
    return reader;
  }

  private static boolean isSingleObject(byte[] bytes) {
    return bytes[0] == (byte) 0xC3 && bytes[1] == (byte) 0x01;
  }

  /** The writer schema's fingerprint from the header (little-endian). */
  private static long fingerprintOf(byte[] bytes) {
    long fingerprint = 0;
    for (int i = HEADER - 1; i >= 2; i--) {
      fingerprint = (fingerprint << 8) | (bytes[i] & 0xffL);
    }
    return fingerprint;
  }

  @Override
  public Serializer<T> serializer() {
    return (topic, data) -> toBytes(data);
  }

  @Override
  public Deserializer<T> deserializer() {
    return (topic, data) -> fromBytes(data);
  }
}
