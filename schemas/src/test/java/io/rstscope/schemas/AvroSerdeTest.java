package io.rstscope.schemas;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rstscope.avro.Cause;
import io.rstscope.avro.Emitter;
import io.rstscope.avro.FlowKey;
import io.rstscope.avro.FlowRoles;
import io.rstscope.avro.PacketSummary;
import io.rstscope.avro.PayloadHint;
import io.rstscope.avro.PayloadKind;
import io.rstscope.avro.Phase;
import io.rstscope.avro.PointStatus;
import io.rstscope.avro.RstFinding;
import io.rstscope.avro.RstIdentity;
import io.rstscope.avro.SummaryKind;
import io.rstscope.avro.TcpOptions;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.data.TimeConversions;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class AvroSerdeTest {

  static PacketSummary rst() {
    return PacketSummary.newBuilder()
        .setPoint("P1").setKind(SummaryKind.PACKET)
        .setCaptureTime(Instant.parse("2026-11-25T01:02:03.123456Z"))
        .setIpVersion(4)
        .setSrcAddress(ByteBuffer.wrap(new byte[] {10, 0, 3, 2})).setDstAddress(ByteBuffer.wrap(new byte[] {10, 0, 1, 2}))
        .setSrcPort(443).setDstPort(40000).setTtl(62).setIpId(0).setDontFragment(true)
        .setTcpFlags(TcpFlags.RST | TcpFlags.ACK).setSeq(4_294_967_295L).setAck(456).setWindow(0).setPayloadLength(0)
        .setOptions(TcpOptions.newBuilder().setMss(1460).setTsVal(4_000_000_000L).build())
        .setPayloadHint(PayloadHint.newBuilder().setKind(PayloadKind.TLS_CLIENT_HELLO).setSni("blocked.example").build())
        .build();
  }

  @Test
  void shouldRoundTripAPacketSummaryWithMicrosecondTimeAndUnsignedFields() {
    AvroSerde<PacketSummary> serde = AvroSerde.of(PacketSummary.class);
    PacketSummary original = rst();
    byte[] bytes = serde.toBytes(original);
    assertEquals((byte) 0xC3, bytes[0], "single-object encoding marker");
    assertEquals((byte) 0x01, bytes[1]);
    PacketSummary back = serde.fromBytes(bytes);
    assertEquals(original, back);
    assertEquals(123456, back.getCaptureTime().getNano() / 1000);
    assertEquals(4_294_967_295L, back.getSeq());
  }

  @Test
  void shouldEncodeTheSameFlowKeyToTheSameBytesFromEitherDirection() {
    AvroSerde<FlowKey> serde = AvroSerde.of(FlowKey.class);
    byte[] client = {10, 0, 1, 2};
    byte[] server = {10, 0, 3, 2};
    assertArrayEquals(serde.toBytes(FlowKeys.of(client, 40000, server, 443)), serde.toBytes(FlowKeys.of(server, 443, client, 40000)));
  }

  @Test
  void shouldDecodeWhatAnOlderWriterWroteWithDefaultsForNewFields() throws Exception {
    Schema old;
    try (InputStream in = getClass().getResourceAsStream("/rstscope/schema-history/PointStatus-v0.avsc")) {
      old = new Schema.Parser().parse(in);
    }
    GenericRecord record = new GenericData.Record(old);
    record.put("point", "P3");
    record.put("source", "eth1");
    record.put("live", true);
    record.put("agentTime", 1_700_000_000_000_000L);
    record.put("startedAt", 1_699_999_990_000_000L);
    record.put("captured", 42L);
    record.put("anomalies", Map.of("truncated_tcp_header", 2L));
    ByteBuffer encoded = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), old).encode(record);
    byte[] bytes = new byte[encoded.remaining()];
    encoded.get(bytes);

    PointStatus status = AvroSerde.of(PointStatus.class).fromBytes(bytes);
    assertEquals("P3", status.getPoint());
    assertEquals(42L, status.getCaptured());
    assertEquals(2L, status.getAnomalies().get("truncated_tcp_header"));
    assertEquals("", status.getSite());
    assertFalse(status.getFinished());
    assertEquals(0L, status.getFlowEvictions());
  }

  private static Schema history(String file) throws Exception {
    try (InputStream in = AvroSerdeTest.class.getResourceAsStream("/rstscope/schema-history/" + file)) {
      return new Schema.Parser().parse(in);
    }
  }

  private static RstFinding finding(Cause cause) {
    return RstFinding.newBuilder().setFindingId("f1").setCommunityId("1:abc")
        .setFlow(new FlowRoles("10.0.1.2:40000", "10.0.3.2:443", "tcp", "syn"))
        .setRst(new RstIdentity("10.0.3.2:443", "10.0.1.2:40000", 1L, 2L, "RA", 0))
        .setSightings(java.util.List.of()).setEmitter(Emitter.middlebox).setLocation("segment:P1-P2").setForged(true)
        .setConfidence(0.9).setPhase(Phase.data).setCause(cause).setEvidence(java.util.List.of())
        .setRecommendation("r").setRstTime(Instant.EPOCH).setDecidedAt(Instant.EPOCH).build();
  }

  @Test
  void shouldDecodeAFindingAnOlderWriterWrote() throws Exception {
    Schema v1 = history("RstFinding-v1.avsc");
    AvroSerde<RstFinding> serde = AvroSerde.of(RstFinding.class);
    // What a processor of the previous version wrote: same record, its own schema's fingerprint.
    RstFinding current = finding(Cause.idle_timeout);
    byte[] currentBytes = serde.toBytes(current);
    GenericRecord asV1 = new org.apache.avro.generic.GenericDatumReader<GenericRecord>(RstFinding.getClassSchema(), v1)
        .read(null, org.apache.avro.io.DecoderFactory.get().binaryDecoder(currentBytes, 10, currentBytes.length - 10,
            null));
    ByteBuffer encoded = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v1).encode(asV1);
    byte[] bytes = new byte[encoded.remaining()];
    encoded.get(bytes);
    assertEquals(current, serde.fromBytes(bytes));
  }

  @Test
  void shouldLetAnOlderReaderReadANewCauseAsUnknown() throws Exception {
    Schema v1 = history("RstFinding-v1.avsc");
    byte[] body = AvroSerde.of(RstFinding.class).toBytes(finding(Cause.state_lost));
    GenericRecord old = new org.apache.avro.generic.GenericDatumReader<GenericRecord>(RstFinding.getClassSchema(), v1)
        .read(null, org.apache.avro.io.DecoderFactory.get().binaryDecoder(body, 10, body.length - 10, null));
    assertEquals("unknown", old.get("cause").toString(), "the enum's default stands in for a symbol it lacks");
    assertEquals("segment:P1-P2", old.get("location").toString());
  }

  @Test
  void shouldDecodeAWatermarkOfAnAgentWithoutSessionsAsSessionEmpty() throws Exception {
    Schema v1;
    try (InputStream in = getClass().getResourceAsStream("/rstscope/schema-history/PacketSummary-v1.avsc")) {
      v1 = new Schema.Parser().parse(in);
    }
    GenericRecord record = new GenericData.Record(v1);
    record.put("point", "P2");
    record.put("kind", new GenericData.EnumSymbol(v1.getField("kind").schema(), "WATERMARK"));
    record.put("captureTime", Long.MAX_VALUE);
    record.put("ipVersion", 0);
    record.put("srcAddress", ByteBuffer.allocate(0));
    record.put("dstAddress", ByteBuffer.allocate(0));
    for (String f : new String[] {"srcPort", "dstPort", "ttl", "tcpFlags", "window", "payloadLength"}) {
      record.put(f, 0);
    }
    record.put("dontFragment", false);
    record.put("seq", 0L);
    record.put("ack", 0L);
    ByteBuffer encoded = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v1).encode(record);
    byte[] bytes = new byte[encoded.remaining()];
    encoded.get(bytes);

    PacketSummary back = AvroSerde.of(PacketSummary.class).fromBytes(bytes);
    assertEquals("P2", back.getPoint());
    assertEquals(SummaryKind.WATERMARK, back.getKind());
    assertEquals("", back.getSession());
  }

  @Test
  void shouldDecodeAPointStatusWithoutSessionOrDropRange() throws Exception {
    byte[] bytes = OlderWriters.encode("PointStatus-v1.avsc", java.util.Map.of(
        "point", "P1",
        "source", "P1.pcap",
        "live", false,
        "agentTime", 1_700_000_000_000_000L,
        "startedAt", 1_699_999_990_000_000L,
        "dropped", 7L));

    PointStatus status = AvroSerde.of(PointStatus.class).fromBytes(bytes);
    assertEquals(7L, status.getDropped());
    assertEquals("", status.getSession());
    assertEquals(null, status.getDroppedFrom());
  }

  @Test
  void shouldRefuseBytesOfAnUnknownSchemaWithASerializationException() {
    byte[] garbage = {(byte) 0xC3, 0x01, 1, 2, 3, 4, 5, 6, 7, 8, 0};
    SerializationException e = assertThrows(SerializationException.class, () -> AvroSerde.of(PacketSummary.class).fromBytes(garbage));
    assertTrue(e.getMessage().contains("PacketSummary"), e.getMessage());
  }

  @Test
  void shouldDecodeExactlyWhatAvrosMessageDecoderDoes() throws Exception {
    // fromBytes reads the body with a BinaryDecoder over the array instead of Avro's stream decoder: same records.
    AvroSerde<PacketSummary> serde = AvroSerde.of(PacketSummary.class);
    SpecificData model = new SpecificData();
    model.addLogicalTypeConversion(new TimeConversions.TimestampMicrosConversion());
    BinaryMessageDecoder<PacketSummary> avros = new BinaryMessageDecoder<>(model, PacketSummary.getClassSchema());
    for (PacketSummary p : new PacketSummary[] {rst(), PacketSummary.newBuilder(rst()).setOptions(null)
        .setPayloadHint(null).setIpId(null).setPoint("P-\u00e9").build()}) {
      byte[] bytes = serde.toBytes(p);
      assertEquals(avros.decode(bytes), serde.fromBytes(bytes));
      assertEquals(p, serde.fromBytes(bytes));
    }
  }

  @Test
  void shouldRefuseATruncatedBodyWithASerializationException() {
    AvroSerde<PacketSummary> serde = AvroSerde.of(PacketSummary.class);
    byte[] bytes = serde.toBytes(rst());
    for (int len = 0; len < bytes.length; len++) {
      byte[] cut = java.util.Arrays.copyOf(bytes, len);
      assertThrows(SerializationException.class, () -> serde.fromBytes(cut), "cut at " + len);
    }
  }

  @Test
  void shouldPassNullThroughForTombstones() {
    assertNull(AvroSerde.of(PointStatus.class).toBytes(null));
    assertNull(AvroSerde.of(PointStatus.class).fromBytes(null));
  }
}
