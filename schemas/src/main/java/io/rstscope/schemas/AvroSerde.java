package io.rstscope.schemas;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Objects;
import org.apache.avro.Schema;
import org.apache.avro.data.TimeConversions;
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

  private final Class<T> type;
  private final BinaryMessageEncoder<T> encoder;
  private final BinaryMessageDecoder<T> decoder;

  private AvroSerde(Class<T> type, Schema schema) {
    this.type = type;
    SpecificData model = new SpecificData(type.getClassLoader());
    // Logical types inside unions (e.g. PointStatus.lastPacketTime) need the model's conversion;
    // without it writing an Instant there fails with "Unknown datum type java.time.Instant".
    model.addLogicalTypeConversion(new TimeConversions.TimestampMicrosConversion());
    this.encoder = new BinaryMessageEncoder<>(model, schema);
    this.decoder = new BinaryMessageDecoder<>(model, schema, SchemaHistory.store());
    SchemaHistory.register(schema);
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
      return decoder.decode(bytes);
    } catch (IOException | RuntimeException e) {
      throw new SerializationException("cannot decode " + type.getSimpleName() + " (" + bytes.length
          + " bytes): " + e.getMessage(), e);
    }
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
