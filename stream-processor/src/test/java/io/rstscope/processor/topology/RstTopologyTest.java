package io.rstscope.processor.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rstscope.agent.policy.Summaries;
import io.rstscope.avro.Cause;
import io.rstscope.avro.FlowKey;
import io.rstscope.avro.PacketSummary;
import io.rstscope.avro.RstFinding;
import io.rstscope.avro.ScanAlert;
import io.rstscope.avro.SummaryKind;
import io.rstscope.schemas.FlowKeys;
import io.rstscope.schemas.TcpFlags;
import io.rstscope.schemas.Topics;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.TopologyDescription;
import org.junit.jupiter.api.Test;

class RstTopologyTest {
  private static final byte[] CLIENT = {10, 0, 1, 2};
  private static final byte[] SERVER = {10, 0, 3, 2};
  private static final FlowKey FLOW = FlowKeys.of(CLIENT, 40001, SERVER, 8081);
  private static final Instant T0 = Instant.parse("2026-11-25T01:00:00Z");

  private static PacketSummary packet(String point, long ms, boolean fromClient, String flags, long seq, long ack,
      int ttl) {
    return PacketSummary.newBuilder().setPoint(point).setKind(SummaryKind.PACKET)
        .setCaptureTime(T0.plusMillis(ms)).setIpVersion(4)
        .setSrcAddress(ByteBuffer.wrap(fromClient ? CLIENT : SERVER))
        .setDstAddress(ByteBuffer.wrap(fromClient ? SERVER : CLIENT))
        .setSrcPort(fromClient ? 40001 : 8081).setDstPort(fromClient ? 8081 : 40001)
        .setTtl(ttl).setIpId(0).setTcpFlags(TcpFlags.parse(flags)).setSeq(seq).setAck(ack).setWindow(64240)
        .setPayloadLength(0).build();
  }

  private static KeyValue<FlowKey, PacketSummary> watermark(String point, long ms) {
    return KeyValue.pair(FlowKeys.of(new byte[4], 0, new byte[4], 0),
        Summaries.watermark(point, ms == Long.MAX_VALUE ? Summaries.END_OF_CAPTURE : T0.plusMillis(ms)));
  }

  @Test
  void shouldAlignNoTopicsButPacketsAndKernelReportsSoTaskIdlingCanBeOff() {
    // StreamsSettings turns max.task.idle.ms off: right while no task needs records of several topics in time
    // order. The locator reads packets and kernel reports together, but a kernel report only has to be in the
    // flow's state before the RST's verdict, which waits for the points' watermarks to pass the correlation window.
    Topics topics = Topics.defaults();
    var subtopologies = RstTopology.build(ProcessorConfig.defaults(), topics).describe().subtopologies();
    assertEquals(3, subtopologies.size());
    for (var sub : subtopologies) {
      java.util.Set<String> read = new java.util.TreeSet<>();
      sub.nodes().stream().filter(n -> n instanceof TopologyDescription.Source)
          .forEach(n -> read.addAll(((TopologyDescription.Source) n).topicSet()));
      if (read.contains(topics.packets.name())) {
        assertEquals(java.util.Set.of(topics.packets.name(), topics.kernel.name()), read);
      } else {
        assertEquals(1, read.size(), "sub-topology " + sub.id() + " reads several topics: " + read);
      }
    }
  }

  @Test
  void shouldMatchThePinnedDescription() throws IOException {
    String actual = RstTopology.build(ProcessorConfig.defaults(), Topics.defaults()).describe().toString();
    try (InputStream in = getClass().getResourceAsStream("topology-description.txt")) {
      assertNotNull(in, "pinned description missing; actual:\n" + actual);
      assertEquals(new String(in.readAllBytes(), StandardCharsets.UTF_8).strip(), actual.strip(),
          "a node or store was renamed or added: that is a state migration; update the pinned text on purpose");
    }
  }

  @Test
  void shouldWaitForEveryPointsWatermarkBeforeDeciding() {
    ProcessorConfig config = ProcessorConfig.builder().pathOrder(List.of("P1", "P2")).build();
    try (TopologyFixture fx = new TopologyFixture(config)) {
      fx.packets.pipeInput(FLOW, packet("P1", 0, true, "S", 100, 0, 64));
      fx.packets.pipeInput(FLOW, packet("P1", 1, false, "RA", 0, 101, 62));
      fx.pipe(List.of(watermark("P1", 10_000)));
      assertTrue(fx.findings().isEmpty(), "P2 has not reported yet");
      fx.packets.pipeInput(FLOW, packet("P2", 0, true, "S", 100, 0, 63));
      fx.packets.pipeInput(FLOW, packet("P2", 1, false, "RA", 0, 101, 63));
      fx.pipe(List.of(watermark("P2", 2_000)));
      assertTrue(fx.findings().isEmpty(), "P2's watermark is still inside the window (2 s + 0.5 s)");
      fx.pipe(List.of(watermark("P2", 2_600)));
      List<RstFinding> out = fx.findings();
      assertEquals(1, out.size());
      assertEquals(2, out.get(0).getSightings().size());
      assertEquals(Cause.port_closed, out.get(0).getCause());
      assertEquals(0, fx.pending());
    }
  }

  @Test
  void shouldCountAPointThatSentOnlyItsFinalWatermarkToThisPartition() {
    // A short capture at P2 (under one heartbeat) with no packet of this partition: all this task
    // hears from P2 is "done". P2 never saw the SYN, so a device between P1 and P2 answered it.
    ProcessorConfig config = ProcessorConfig.builder().pathOrder(List.of("P1", "P2")).build();
    try (TopologyFixture fx = new TopologyFixture(config)) {
      fx.packets.pipeInput(FLOW, packet("P1", 0, true, "S", 100, 0, 64));
      fx.packets.pipeInput(FLOW, packet("P1", 1, false, "RA", 0, 101, 64));
      fx.pipe(List.of(watermark("P1", Long.MAX_VALUE), watermark("P2", Long.MAX_VALUE)));
      RstFinding f = fx.findings().get(0);
      assertEquals("segment:P1-P2", f.getLocation());
      assertEquals(Cause.firewall_reject, f.getCause());
      assertTrue(f.getEvidence().get(0).getDetail().contains("assumed"), f.getEvidence().get(0).getDetail());
    }
  }

  @Test
  void shouldDecideAfterMaxVerdictWaitWhenAPointStaysSilent() {
    ProcessorConfig config = ProcessorConfig.builder().expectedPoints(Set.of("P1", "P3"))
        .maxVerdictWait(Duration.ofSeconds(30)).build();
    try (TopologyFixture fx = new TopologyFixture(config)) {
      fx.packets.pipeInput(FLOW, packet("P1", 0, true, "S", 100, 0, 64));
      fx.packets.pipeInput(FLOW, packet("P1", 1, false, "RA", 0, 101, 62));
      fx.pipe(List.of(watermark("P1", Long.MAX_VALUE)));
      assertTrue(fx.findings().isEmpty());
      fx.driver.advanceWallClockTime(Duration.ofSeconds(31));
      List<RstFinding> out = fx.findings();
      assertEquals(1, out.size());
      assertTrue(out.get(0).getEvidence().stream().anyMatch(e -> e.getCode().equals("VERDICT_TIMEOUT")
          && e.getDetail().contains("P3 never reported")), out.get(0).getEvidence().toString());
      assertTrue(out.get(0).getEvidence().stream().anyMatch(e -> e.getCode().equals("POINT_SILENT")));
    }
  }

  @Test
  void shouldCountALateSightingWithoutJudgingTheRstTwice() {
    try (TopologyFixture fx = new TopologyFixture(ProcessorConfig.defaults())) {
      fx.packets.pipeInput(FLOW, packet("P1", 0, true, "S", 100, 0, 64));
      fx.packets.pipeInput(FLOW, packet("P1", 1, false, "RA", 0, 101, 62));
      fx.pipe(List.of(watermark("P1", Long.MAX_VALUE)));
      assertEquals(1, fx.findings().size());
      fx.packets.pipeInput(FLOW, packet("P2", 1, false, "RA", 0, 101, 63)); // P2 started late
      fx.pipe(List.of(watermark("P2", Long.MAX_VALUE)));
      assertTrue(fx.findings().isEmpty(), "a finding is emitted once");
      assertEquals(0, fx.pending());
      var flows = fx.driver.<FlowKey, io.rstscope.processor.state.FlowState>getKeyValueStore(RstTopology.FLOW_STATE_STORE);
      assertEquals(1, flows.get(FLOW).lateSightings);
    }
  }

  @Test
  void shouldTreatARepeatedIdenticalRstAsANewRst() {
    try (TopologyFixture fx = new TopologyFixture(ProcessorConfig.defaults())) {
      fx.packets.pipeInput(FLOW, packet("P1", 0, true, "S", 100, 0, 64));
      fx.packets.pipeInput(FLOW, packet("P1", 1, false, "RA", 0, 101, 62));
      fx.packets.pipeInput(FLOW, packet("P1", 5, false, "RA", 0, 101, 62));
      fx.pipe(List.of(watermark("P1", Long.MAX_VALUE)));
      List<RstFinding> out = fx.findings();
      assertEquals(2, out.size(), "a kernel repeats RSTs byte for byte (IP ID 0): each is a RST");
      assertTrue(!out.get(0).getFindingId().equals(out.get(1).getFindingId()));
    }
  }

  @Test
  void shouldExpireFlowsIdleForLongInEventTime() {
    ProcessorConfig config = ProcessorConfig.builder().flowIdleExpiry(Duration.ofMinutes(10)).build();
    try (TopologyFixture fx = new TopologyFixture(config)) {
      FlowKey other = FlowKeys.of(CLIENT, 40002, SERVER, 8081);
      fx.packets.pipeInput(FLOW, packet("P1", 0, true, "S", 100, 0, 64));
      PacketSummary late = packet("P1", 11 * 60_000, true, "S", 100, 0, 64);
      late.setSrcPort(40002);
      fx.packets.pipeInput(other, late);
      var flows = fx.driver.<FlowKey, io.rstscope.processor.state.FlowState>getKeyValueStore(RstTopology.FLOW_STATE_STORE);
      assertNotNull(flows.get(FLOW));
      fx.driver.advanceWallClockTime(Duration.ofSeconds(1));
      assertNotNull(flows.get(FLOW), "expiry runs every 30 s of wall-clock time");
      fx.driver.advanceWallClockTime(Duration.ofSeconds(31));
      assertEquals(null, flows.get(FLOW), "idle 11 minutes behind the newest flow");
      assertNotNull(flows.get(other));
    }
  }

  @Test
  void shouldPublishEcsJsonKeyedByCommunityId() throws IOException {
    try (TopologyFixture fx = new TopologyFixture(ProcessorConfig.defaults())) {
      fx.packets.pipeInput(FLOW, packet("P1", 0, true, "S", 100, 0, 64));
      fx.packets.pipeInput(FLOW, packet("P1", 1, false, "RA", 0, 101, 62));
      fx.pipe(List.of(watermark("P1", Long.MAX_VALUE)));
      KeyValue<String, String> kv = fx.findingsJson.readKeyValue();
      assertEquals(FlowKeys.communityId(FLOW), kv.key);
      JsonNode doc = new ObjectMapper().readTree(kv.value);
      assertEquals("10.0.3.2", doc.at("/source/ip").asText());
      assertEquals(40001, doc.at("/destination/port").asInt());
      assertEquals(kv.key, doc.at("/network/community_id").asText());
      assertEquals("port_closed", doc.at("/event/reason").asText());
      assertEquals("server", doc.at("/rstscope/emitter").asText());
      assertEquals("2026-11-25T01:00:00.001000Z", doc.at("/@timestamp").asText());
    }
  }

  @Test
  void shouldAlertOnAScannerAndCountLocatedResets() {
    ProcessorConfig config = ProcessorConfig.builder().scanThreshold(3).build();
    try (TopologyFixture fx = new TopologyFixture(config)) {
      for (int port = 8080; port < 8084; port++) {
        FlowKey key = FlowKeys.of(CLIENT, 40003, SERVER, port);
        PacketSummary syn = packet("P1", 10 * (port - 8080), true, "S", 100, 0, 64);
        syn.setDstPort(port);
        PacketSummary rst = packet("P1", 10 * (port - 8080) + 1, false, "RA", 0, 101, 62);
        rst.setSrcPort(port);
        rst.setDstPort(40003);
        syn.setSrcPort(40003);
        fx.packets.pipeInput(key, syn);
        fx.packets.pipeInput(key, rst);
      }
      fx.pipe(List.of(watermark("P1", Long.MAX_VALUE)));
      assertEquals(4, fx.findings().size());
      List<ScanAlert> alerts = fx.scans.readValuesToList();
      assertEquals(1, alerts.size(), "one alert at the threshold, the next when the ports double");
      assertEquals("10.0.1.2", alerts.get(0).getSource());
      assertEquals(List.of(8080, 8081, 8082), alerts.get(0).getPorts());
      assertTrue(alerts.get(0).getRecommendation().startsWith("Block 10.0.1.2"));
    }
  }

  @Test
  void shouldCountResetsPerSegment() {
    try (TopologyFixture fx = new TopologyFixture(ProcessorConfig.defaults())) {
      fx.pipe(LabReplay.scenario("content_block", List.of("P1", "P2", "P3")));
      List<KeyValue<String, String>> hops = fx.hops.readKeyValuesToList();
      KeyValue<String, String> last = hops.get(hops.size() - 1);
      assertEquals("segment:P2-P3", last.key);
      assertEquals("{\"segment\":\"segment:P2-P3\",\"rsts\":3}", last.value);
    }
  }

  @Test
  void shouldSendUndecodableRecordsToTheDeadLetterTopic() {
    try (TopologyFixture fx = new TopologyFixture(ProcessorConfig.defaults())) {
      var raw = fx.driver.createInputTopic(fx.topics.packets.name(),
          new org.apache.kafka.common.serialization.ByteArraySerializer(),
          new org.apache.kafka.common.serialization.ByteArraySerializer());
      long before = DeadLetterHandler.deadLettered();
      raw.pipeInput(new byte[] {1, 2, 3}, new byte[] {(byte) 0xC3, 1, 9, 9});
      var dlq = fx.driver.createOutputTopic(fx.topics.deadLetter.name(),
          new org.apache.kafka.common.serialization.ByteArrayDeserializer(),
          new org.apache.kafka.common.serialization.ByteArrayDeserializer());
      var rec = dlq.readRecord();
      assertEquals(3, rec.key().length);
      assertNotNull(rec.headers().lastHeader(DeadLetterHandler.HEADER_REASON));
      assertEquals(fx.topics.packets.name(),
          new String(rec.headers().lastHeader(DeadLetterHandler.HEADER_TOPIC).value(), StandardCharsets.UTF_8));
      assertEquals(before + 1, DeadLetterHandler.deadLettered());
      assertTrue(fx.findings().isEmpty());
    }
  }
}
