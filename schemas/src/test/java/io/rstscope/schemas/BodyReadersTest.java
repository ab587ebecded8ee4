package io.rstscope.schemas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;
import java.util.Random;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.data.TimeConversions;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class BodyReadersTest {
  private final Random random = new Random(20261125);

  @Test
  void shouldBeWrittenForTheCurrentSchemas() {
    // A schema changed: the hand reader no longer matches it and AvroSerde quietly falls back to Avro's
    // slower reader. Update BodyReaders to the new fields and its fingerprint to the one printed here.
    assertFingerprint(FlowKey.getClassSchema(), BodyReaders.FLOW_KEY);
    assertFingerprint(PacketSummary.getClassSchema(), BodyReaders.PACKET_SUMMARY);
  }

  @Test
  void shouldDecodeRandomFlowKeysExactlyAsAvroDoes() {
    AvroSerde<FlowKey> serde = AvroSerde.of(FlowKey.class);
    BinaryMessageDecoder<FlowKey> avros = avroDecoder(FlowKey.getClassSchema());
    for (int i = 0; i < 2_000; i++) {
      FlowKey key = new FlowKey(endpoint(), endpoint(), random.nextInt(256));
      byte[] bytes = serde.toBytes(key);
      assertEquals(key, serde.fromBytes(bytes));
      assertEquals(decode(avros, bytes), serde.fromBytes(bytes));
    }
  }

  @Test
  void shouldDecodeRandomSummariesExactlyAsAvroDoesWithEveryUnionBranch() {
    AvroSerde<PacketSummary> serde = AvroSerde.of(PacketSummary.class);
    BinaryMessageDecoder<PacketSummary> avros = avroDecoder(PacketSummary.getClassSchema());
    for (int i = 0; i < 5_000; i++) {
      PacketSummary p = summary();
      byte[] bytes = serde.toBytes(p);
      assertEquals(p, serde.fromBytes(bytes));
      assertEquals(decode(avros, bytes), serde.fromBytes(bytes));
    }
  }

  @Test
  void shouldRefuseEveryTruncationOfAKeyOrASummary() {
    AvroSerde<FlowKey> keys = AvroSerde.of(FlowKey.class);
    byte[] key = keys.toBytes(new FlowKey(endpoint(), endpoint(), 6));
    for (int len = 0; len < key.length; len++) {
      byte[] cut = Arrays.copyOf(key, len);
      assertThrows(SerializationException.class, () -> keys.fromBytes(cut), "key cut at " + len);
    }
    AvroSerde<PacketSummary> summaries = AvroSerde.of(PacketSummary.class);
    for (int i = 0; i < 50; i++) {
      byte[] bytes = summaries.toBytes(summary());
      for (int len = 0; len < bytes.length; len++) {
        byte[] cut = Arrays.copyOf(bytes, len);
        assertThrows(SerializationException.class, () -> summaries.fromBytes(cut), "summary cut at " + len);
      }
    }
  }

  @Test
  void shouldRefuseALengthLargerThanTheBodyWithoutAllocatingIt() {
    AvroSerde<FlowKey> keys = AvroSerde.of(FlowKey.class);
    byte[] key = keys.toBytes(new FlowKey(endpoint(), endpoint(), 6));
    // The first field is the low address: claim 2^31 - 1 bytes (zig-zag varint of 0x7fffffff).
    byte[] hostile = Arrays.copyOf(key, 16);
    byte[] huge = {(byte) 0xfe, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x0f};
    System.arraycopy(huge, 0, hostile, 10, huge.length);
    SerializationException e = assertThrows(SerializationException.class, () -> keys.fromBytes(hostile));
    assertTrue(e.getMessage().contains("FlowKey"), e.getMessage());
  }

  @Test
  void shouldRefuseAnEnumOrUnionIndexOutOfRange() {
    AvroSerde<PacketSummary> serde = AvroSerde.of(PacketSummary.class);
    PacketSummary p = summary();
    p.setPoint("P1");
    byte[] bytes = serde.toBytes(p);
    bytes[10 + 3] = 0x06; // after the header, "P1" (length byte + 2): kind index 3 of three symbols
    assertThrows(SerializationException.class, () -> serde.fromBytes(bytes));
  }

  private static void assertFingerprint(Schema schema, BodyReaders.BodyReader<?> reader) {
    long current = SchemaNormalization.parsingFingerprint64(schema);
    assertEquals(current, reader.fingerprint(), () -> schema.getName() + " changed; its reader in BodyReaders was "
        + "written for another version. Current fingerprint: " + String.format("0x%016XL", current));
  }

  private static <T extends SpecificRecord> BinaryMessageDecoder<T> avroDecoder(Schema schema) {
    SpecificData model = new SpecificData();
    model.addLogicalTypeConversion(new TimeConversions.TimestampMicrosConversion());
    model.setFastReaderEnabled(false); // the reference: Avro's plain resolving reader, not what AvroSerde uses
    return new BinaryMessageDecoder<>(model, schema);
  }

  private static <T> T decode(BinaryMessageDecoder<T> decoder, byte[] bytes) {
    try {
      return decoder.decode(bytes);
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }

  private Endpoint endpoint() {
    byte[] address = new byte[random.nextBoolean() ? 4 : 16];
    random.nextBytes(address);
    return new Endpoint(ByteBuffer.wrap(address), random.nextInt(65536));
  }

  private PacketSummary summary() {
    PacketSummary p = new PacketSummary();
    p.setPoint(random.nextInt(4) == 0 ? "P-\u00e9\u4e2d" + random.nextInt(100) : "P" + random.nextInt(10));
    p.setSession(random.nextBoolean() ? "" : Long.toHexString(random.nextLong()));
    p.setKind(SummaryKind.values()[random.nextInt(SummaryKind.values().length)]);
    p.setCaptureTime(micros(random.nextLong() >> random.nextInt(64)));
    p.setIpVersion(random.nextBoolean() ? 4 : 6);
    p.setSrcAddress(endpoint().getAddress());
    p.setDstAddress(endpoint().getAddress());
    p.setSrcPort(random.nextInt(65536));
    p.setDstPort(random.nextInt(65536));
    p.setTtl(random.nextInt(256));
    p.setIpId(random.nextBoolean() ? null : random.nextInt(65536));
    p.setDontFragment(random.nextBoolean());
    p.setTcpFlags(random.nextInt(512));
    p.setSeq(random.nextLong() >>> 32);
    p.setAck(random.nextBoolean() ? random.nextLong() : Long.MIN_VALUE);
    p.setWindow(random.nextInt());
    p.setPayloadLength(random.nextInt(65536));
    if (random.nextBoolean()) {
      p.setOptions(new TcpOptions(nullOr(random.nextInt()), nullOr(random.nextInt(15)), random.nextBoolean(),
          random.nextInt(5), nullOr(random.nextLong()), nullOr(random.nextLong() >>> 32)));
    }
    if (random.nextBoolean()) {
      p.setPayloadHint(new PayloadHint(PayloadKind.values()[random.nextInt(PayloadKind.values().length)],
          nullOr("sni-" + random.nextInt()), nullOr("GET"), nullOr("h\u00f6st"), nullOr("/" + "x".repeat(random.nextInt(300)))));
    }
    if (random.nextBoolean()) {
      p.setProgress(new Progress(random.nextLong(), random.nextLong(), micros(random.nextLong() >> 8),
          random.nextLong() >>> 32, random.nextLong() >>> 32, random.nextInt(256), random.nextInt(256),
          nullOr(random.nextInt(65536)), nullOr(random.nextInt(65536)), nullOr(micros(random.nextLong() >> 8)),
          nullOr(micros(random.nextLong() >> 8))));
    }
    if (random.nextBoolean()) {
      p.setRstData(new RstData(RstDataFormat.values()[random.nextInt(RstDataFormat.values().length)],
          nullOr(random.nextInt(65536)), nullOr(random.nextLong() >>> 32), nullOr("r\u00e9ason " + random.nextInt())));
    }
    return p;
  }

  private <V> V nullOr(V value) {
    return random.nextInt(3) == 0 ? null : value;
  }

  /** An Instant that a timestamp-micros field can hold (whole microseconds, within a long of them). */
  private static Instant micros(long micros) {
    return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L);
  }
}
