package io.rstscope.processor.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rstscope.agent.policy.Summaries;
import io.rstscope.avro.Cause;
import io.rstscope.avro.FlowKey;
import io.rstscope.avro.PacketSummary;
import io.rstscope.avro.RstFinding;
import io.rstscope.avro.SummaryKind;
import io.rstscope.schemas.FlowKeys;
import io.rstscope.schemas.TcpFlags;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;

/**
 * Hostile summaries reaching the processor: impossible values and bytes that are not
 * Avro go to the dead-letter topic with the reason in headers, are counted, and good records
 * before and after them are still judged. A SYN flood of random tuples leaves no state behind
 * once it is older than the flow idle limit.
 */
class HostileSummaryTest {
  private static final byte[] CLIENT = {10, 0, 1, 2};
  private static final byte[] SERVER = {10, 0, 3, 2};
  private static final Instant T0 = Instant.parse("2026-11-25T01:00:00Z");

  private static PacketSummary packet(String point, long ms, byte[] src, int srcPort, byte[] dst, int dstPort,
      String flags, long seq, long ack, int ttl) {
    return PacketSummary.newBuilder().setPoint(point).setKind(SummaryKind.PACKET)
        .setCaptureTime(T0.plusMillis(ms)).setIpVersion(src.length == 16 ? 6 : 4)
        .setSrcAddress(ByteBuffer.wrap(src)).setDstAddress(ByteBuffer.wrap(dst))
        .setSrcPort(srcPort).setDstPort(dstPort)
        .setTtl(ttl).setIpId(0).setTcpFlags(TcpFlags.parse(flags)).setSeq(seq).setAck(ack).setWindow(64240)
        .setPayloadLength(0).build();
  }

  /** A SYN answered by the server's RST (port closed) on client port {@code port}. */
  private static void closedPort(TopologyFixture fx, int port, long ms) {
    FlowKey key = FlowKeys.of(CLIENT, port, SERVER, 8081);
    fx.packets.pipeInput(key, packet("P1", ms, CLIENT, port, SERVER, 8081, "S", 100, 0, 64));
    fx.packets.pipeInput(key, packet("P1", ms + 1, SERVER, 8081, CLIENT, port, "RA", 0, 101, 62));
  }

  /** A good summary made impossible in one field, keyed as its endpoints say. */
  private static Map<String, PacketSummary> impossible() {
    Map<String, PacketSummary> out = new LinkedHashMap<>();
    Map<String, Consumer<PacketSummary>> edits = new LinkedHashMap<>();
    edits.put("ipVersion 9", s -> s.setIpVersion(9));
    edits.put("7-byte address", s -> s.setSrcAddress(ByteBuffer.wrap(new byte[] {10, 0, 1, 2, 0, 0, 7})));
    edits.put("port 70000", s -> s.setSrcPort(70_000));
    edits.put("negative payload length", s -> s.setPayloadLength(-1));
    edits.put("10 kB point name", s -> s.setPoint("P".repeat(10_240)));
    edits.put("ttl 300", s -> s.setTtl(300));
    edits.put("seq 2^40", s -> s.setSeq(1L << 40));
    for (var e : edits.entrySet()) {
      PacketSummary s = packet("P1", 5, CLIENT, 40100, SERVER, 8081, "R", 100, 0, 64);
      e.getValue().accept(s);
      out.put(e.getKey(), s);
    }
    return out;
  }

  @Test
  void shouldDeadLetterImpossibleAndUndecodableSummariesAndKeepJudgingGoodOnes() {
    ProcessorConfig config = ProcessorConfig.builder().expectedPoints(java.util.Set.of("P1")).build();
    try (TopologyFixture fx = new TopologyFixture(config)) {
      TestInputTopic<byte[], byte[]> raw = fx.driver.createInputTopic(fx.topics.packets.name(),
          new ByteArraySerializer(), new ByteArraySerializer());
      TestOutputTopic<byte[], byte[]> dead = fx.driver.createOutputTopic(fx.topics.deadLetter.name(),
          new ByteArrayDeserializer(), new ByteArrayDeserializer());
      long rejectedBefore = SummaryValidator.rejected();
      long undecodableBefore = DeadLetterHandler.deadLettered();

      closedPort(fx, 40001, 0); // judged before the hostile records
      Map<String, PacketSummary> hostile = impossible();
      byte[] keyBytes = fx.topics.packets.keySerde().serializer()
          .serialize(fx.topics.packets.name(), FlowKeys.of(CLIENT, 40100, SERVER, 8081));
      var valueSerializer = fx.topics.packets.valueSerde().serializer();
      for (PacketSummary s : hostile.values()) {
        // Keyed as an agent would key the summary: a 7-byte address gets a 7-byte key, port 70000 its port.
        FlowKey key = FlowKeys.of(s.getSrcAddress().array(), s.getSrcPort(), s.getDstAddress().array(), s.getDstPort());
        fx.packets.pipeInput(key, s);
      }
      PacketSummary misKeyed = packet("P1", 5, CLIENT, 40101, SERVER, 8081, "R", 100, 0, 64);
      fx.packets.pipeInput(FlowKeys.of(CLIENT, 40102, SERVER, 8081), misKeyed);
      byte[] garbage = "definitely not avro \u0000\u00ff".getBytes(StandardCharsets.ISO_8859_1);
      raw.pipeInput(keyBytes, garbage);
      byte[] truncated = valueSerializer.serialize(fx.topics.packets.name(), hostile.get("ipVersion 9"));
      raw.pipeInput(keyBytes, java.util.Arrays.copyOf(truncated, 12));
      closedPort(fx, 40002, 10); // judged after them
      fx.packets.pipeInput(FlowKeys.of(new byte[4], 0, new byte[4], 0), Summaries.watermark("P1", Summaries.END_OF_CAPTURE));

      List<RstFinding> findings = fx.findings();
      assertEquals(2, findings.size(), "the two good RSTs, nothing from the hostile ones: " + findings);
      for (RstFinding f : findings) {
        assertEquals(Cause.port_closed, f.getCause());
        assertEquals("server", f.getEmitter().name());
      }
      List<TestRecord<byte[], byte[]>> dl = dead.readRecordsToList();
      int impossibleCount = hostile.size() + 1;
      assertEquals(impossibleCount + 2, dl.size(), "every hostile record dead-lettered once");
      List<String> reasons = new ArrayList<>();
      for (TestRecord<byte[], byte[]> r : dl) {
        Header reason = r.headers().lastHeader(DeadLetterHandler.HEADER_REASON);
        assertNotNull(reason, "no reason header");
        assertNotNull(r.headers().lastHeader(DeadLetterHandler.HEADER_OFFSET), "no source offset header");
        reasons.add(new String(reason.value(), StandardCharsets.UTF_8));
      }
      List<String> expected = List.of("ipVersion 9", "address of 7/4 bytes", "port 70000/8081", "payloadLength -1",
          "point name not [A-Za-z0-9]", "ttl 300", "seq/ack 1099511627776/0", "not the canonical flow key");
      for (int i = 0; i < expected.size(); i++) {
        assertTrue(reasons.get(i).contains(expected.get(i)), "reason " + i + ": " + reasons.get(i));
      }
      assertTrue(reasons.get(reasons.size() - 1).length() > 0 && reasons.size() == expected.size() + 2);
      assertEquals(impossibleCount, SummaryValidator.rejected() - rejectedBefore, "impossible summaries counted");
      assertEquals(2, DeadLetterHandler.deadLettered() - undecodableBefore, "undecodable records counted");
      var flows = fx.driver.<FlowKey, Object>getKeyValueStore(RstTopology.FLOW_STATE_STORE);
      assertNull(flows.get(FlowKeys.of(CLIENT, 40100, SERVER, 8081)), "an impossible summary entered flow state");
      var progress = fx.driver.getKeyValueStore(RstTopology.POINT_PROGRESS_STORE);
      long points = count(progress);
      assertEquals(1, points, "the 10 kB point name became a point");
      System.out.printf("RELIABILITY hostile-summaries: %d impossible (%s, wrong key) + 2 undecodable"
              + " (garbage, truncated Avro) -> %d dead-lettered with reasons %s; good RSTs judged before and after: %d%n",
          impossibleCount, String.join(", ", hostile.keySet()), dl.size(), reasons, findings.size());
    }
  }

  @Test
  void shouldForgetASynFloodOfRandomTuplesOnceItIsOlderThanTheIdleLimit() {
    int flood = 5_000;
    ProcessorConfig config = ProcessorConfig.builder().flowIdleExpiry(Duration.ofMinutes(10)).build();
    try (TopologyFixture fx = new TopologyFixture(config)) {
      Random random = new Random(7);
      long start = System.nanoTime();
      for (int i = 0; i < flood; i++) {
        byte[] src = new byte[4];
        random.nextBytes(src);
        int port = 1024 + random.nextInt(64_000);
        FlowKey key = FlowKeys.of(src, port, SERVER, 443);
        // 5 000 SYNs over 60 s of capture time: about 83/s from random sources.
        fx.packets.pipeInput(key, packet("P1", i * 12L, src, port, SERVER, 443, "S", random.nextInt() & 0xffffffffL, 0, 50));
      }
      double floodSeconds = (System.nanoTime() - start) / 1e9;
      var flows = fx.driver.<FlowKey, Object>getKeyValueStore(RstTopology.FLOW_STATE_STORE);
      var index = fx.driver.getKeyValueStore(RstTopology.FLOW_INDEX_STORE);
      long flowsDuring = count(flows);
      long indexDuring = count(index);
      assertTrue(flowsDuring >= flood - 5, "each random tuple is a flow: " + flowsDuring);

      // Eleven minutes later in capture time, one real flow: the flood is now idle beyond the limit.
      closedPort(fx, 40001, 11 * 60_000);
      fx.driver.advanceWallClockTime(Duration.ofSeconds(1)); // first punctuation: the expiry clock starts
      fx.driver.advanceWallClockTime(Duration.ofSeconds(31)); // the locator's expiry (every 30 s of wall clock)
      long flowsAfterFirstBatch = count(flows);
      assertTrue(flowsAfterFirstBatch > 1, "one punctuation looks at one batch of flows, not all: " + flowsAfterFirstBatch);
      for (int s = 0; s < 3; s++) {
        fx.driver.advanceWallClockTime(Duration.ofSeconds(1)); // the sweep goes on, one batch per punctuation
      }
      long flowsAfter = count(flows);
      long indexAfter = count(index);
      assertEquals(1, flowsAfter, "only the recent flow is left in flow-state");
      assertEquals(1, indexAfter, "the community-id index goes with the flows");
      assertEquals(0, fx.pending(), "a SYN flood leaves no pending RST");
      System.out.printf("RELIABILITY syn-flood: %d SYNs of random tuples over 60 s of capture time (%.1f s to process"
              + " in TopologyTestDriver): flow-state %d, index %d entries; 11 min later + expiry: flow-state %d,"
              + " index %d%n", flood, floodSeconds, flowsDuring, indexDuring, flowsAfter, indexAfter);
    }
  }

  private static long count(org.apache.kafka.streams.state.KeyValueStore<?, ?> store) {
    return io.rstscope.processor.state.StoreEntries.count(store);
  }
}
