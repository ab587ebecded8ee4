package io.rstscope.processor.topology;

import io.rstscope.avro.FlowKey;
import io.rstscope.avro.KernelReset;
import io.rstscope.avro.PacketSummary;
import io.rstscope.avro.PointStatus;
import io.rstscope.avro.RstFinding;
import io.rstscope.avro.ScanAlert;
import io.rstscope.schemas.Topics;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;

/** TopologyTestDriver around RstTopology with the registry's topics. */
final class TopologyFixture implements AutoCloseable {
  final Topics topics = Topics.defaults();
  final TopologyTestDriver driver;
  final TestInputTopic<FlowKey, PacketSummary> packets;
  final TestInputTopic<FlowKey, KernelReset> kernel;
  final TestInputTopic<String, PointStatus> points;
  final TestOutputTopic<FlowKey, RstFinding> findings;
  final TestOutputTopic<String, String> findingsJson;
  final TestOutputTopic<String, ScanAlert> scans;
  final TestOutputTopic<String, String> hops;

  TopologyFixture(ProcessorConfig config) {
    this(config, new PointHealthBoard());
  }

  TopologyFixture(ProcessorConfig config, PointHealthBoard board) {
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "rstscope-test");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "dummy:9092");
    try {
      props.put(StreamsConfig.STATE_DIR_CONFIG, java.nio.file.Files.createTempDirectory("rstscope-ttd").toString());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    props.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterHandler.class.getName());
    driver = new TopologyTestDriver(RstTopology.build(config, topics, board), props, Instant.parse("2026-11-25T00:00:00Z"));
    packets = driver.createInputTopic(topics.packets.name(), topics.packets.keySerde().serializer(),
        topics.packets.valueSerde().serializer());
    kernel = driver.createInputTopic(topics.kernel.name(), topics.kernel.keySerde().serializer(),
        topics.kernel.valueSerde().serializer());
    points = driver.createInputTopic(topics.points.name(), topics.points.keySerde().serializer(),
        topics.points.valueSerde().serializer());
    findings = driver.createOutputTopic(topics.findings.name(), topics.findings.keySerde().deserializer(),
        topics.findings.valueSerde().deserializer());
    findingsJson = driver.createOutputTopic(topics.findingsJson.name(), topics.findingsJson.keySerde().deserializer(),
        topics.findingsJson.valueSerde().deserializer());
    scans = driver.createOutputTopic(topics.scans.name(), topics.scans.keySerde().deserializer(),
        topics.scans.valueSerde().deserializer());
    hops = driver.createOutputTopic(topics.hops.name(), topics.hops.keySerde().deserializer(),
        topics.hops.valueSerde().deserializer());
  }

  void pipe(List<KeyValue<FlowKey, PacketSummary>> records) {
    for (KeyValue<FlowKey, PacketSummary> r : records) {
      packets.pipeInput(r.key, r.value);
    }
  }

  List<RstFinding> findings() {
    return findings.readValuesToList();
  }

  /** Counted by iterating: RocksDB's approximateNumEntries still counts deleted keys until compaction. */
  long pending() {
    long n = 0;
    try (var it = driver.getKeyValueStore(RstTopology.PENDING_RSTS_STORE).all()) {
      while (it.hasNext()) {
        it.next();
        n++;
      }
    }
    return n;
  }

  @Override
  public void close() {
    driver.close();
  }
}
