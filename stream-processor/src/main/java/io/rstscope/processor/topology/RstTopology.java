package io.rstscope.processor.topology;

import io.rstscope.avro.FlowKey;
import io.rstscope.avro.KernelReset;
import io.rstscope.avro.PacketSummary;
import io.rstscope.avro.PointStatus;
import io.rstscope.avro.RstFinding;
import io.rstscope.avro.ScanAlert;
import io.rstscope.processor.output.FindingJson;
import io.rstscope.processor.output.OcsfJson;
import io.rstscope.processor.state.FlowStateSerde;
import io.rstscope.processor.state.JsonSerde;
import io.rstscope.processor.state.PendingRst;
import io.rstscope.processor.state.PointPair;
import io.rstscope.processor.state.PointProgress;
import io.rstscope.processor.state.PreCommitHookStore;
import io.rstscope.processor.state.ScanWindow;
import io.rstscope.schemas.AvroSerde;
import io.rstscope.schemas.Location;
import io.rstscope.schemas.TopicSpec;
import io.rstscope.schemas.Topics;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * The RST locator topology. Pure: build it, describe it, test it; the runner only
 * adds configuration and starts it.
 *
 * <pre>
 * packets ──► rst-locator (flow-state, pending-rsts, point-progress, point-pairs, recent-findings,
 *                 │         flows-by-community-id; reads point-health)
 *                 │ one RstFinding per RST, keyed by flow
 *                 ├──► findings (Avro)
 *                 ├──► findings.json (ECS JSON, keyed by community_id)
 *                 ├──► probes re-keyed by scanner ─► scan-detector (scan-windows) ─► scans
 *                 └──► located RSTs grouped by segment ─► segment-counts ─► hops (JSON)
 * kernel ──┘ (merged into the locator's input: the kernel probes' reports join their flow's state)
 * points ──► point-health (global table: heartbeats of every point and kernel probe, drops)
 * (packets with impossible values ──► summary-check-invalid ──► deadletter, before the locator: SummaryValidator)
 * </pre>
 * Every node and store is named; renaming one is a state migration (see the pinned describe() test).
 */
public final class RstTopology {
  /** Per-flow state across points, keyed by FlowKey. */
  public static final String FLOW_STATE_STORE = "flow-state";
  /** RSTs waiting for their correlation window, keyed by finding id; empty when all verdicts are out. */
  public static final String PENDING_RSTS_STORE = "pending-rsts";
  /** Each point's watermark in the task, keyed by point name. */
  public static final String POINT_PROGRESS_STORE = "point-progress";
  /** TTL votes and clock-offset samples per pair of points, key "A|B". */
  public static final String POINT_PAIRS_STORE = "point-pairs";
  /** Findings decided in the last recentFindingsRetention, keyed by finding id. */
  public static final String RECENT_FINDINGS_STORE = "recent-findings";
  /** Latest heartbeat of every point (global), keyed by point name. */
  public static final String POINT_HEALTH_STORE = "point-health";
  /** Scan probe counts per source. */
  public static final String SCAN_WINDOWS_STORE = "scan-windows";
  /** Located RSTs counted per path segment. */
  public static final String SEGMENT_COUNTS_STORE = "segment-counts";
  /** Community ID v1 -> flow key, beside flow-state, for queries by community_id (the id a SIEM holds); kept by the locator. */
  public static final String FLOW_INDEX_STORE = "flows-by-community-id";

  private RstTopology() {}

  /**
   * A stream of summaries or of kernel reports as the locator's input type. Only a view: records pass unchanged
   * (no node is added), and the locator tells them apart by class.
   */
  @SuppressWarnings("unchecked")
  private static KStream<FlowKey, SpecificRecord> asInput(KStream<FlowKey, ? extends SpecificRecord> stream) {
    return (KStream<FlowKey, SpecificRecord>) stream;
  }

  public static Topology build(ProcessorConfig config, Topics topics) {
    return build(config, topics, new PointHealthBoard());
  }

  /** The topology, its locators reporting their points' health to {@code board} (and reading the cluster's). */
  public static Topology build(ProcessorConfig config, Topics topics, PointHealthBoard board) {
    StreamsBuilder builder = new StreamsBuilder();
    AvroSerde<FlowKey> flowKeySerde = (AvroSerde<FlowKey>) topics.packets.keySerde();
    Serde<RstFinding> findingSerde = topics.findings.valueSerde();

    // The locator holds flow states in memory and writes them back before each commit (PreCommitHookStore).
    builder.addStateStore(PreCommitHookStore.wrap(Stores.keyValueStoreBuilder(
        Stores.persistentKeyValueStore(FLOW_STATE_STORE), flowKeySerde, new FlowStateSerde())));
    builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(PENDING_RSTS_STORE),
        Serdes.String(), new JsonSerde<>(PendingRst.class)));
    builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(POINT_PROGRESS_STORE),
        Serdes.String(), new JsonSerde<>(PointProgress.class)));
    builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(POINT_PAIRS_STORE),
        Serdes.String(), new JsonSerde<>(PointPair.class)));
    builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(RECENT_FINDINGS_STORE),
        Serdes.String(), findingSerde));
    builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(SCAN_WINDOWS_STORE),
        Serdes.String(), new JsonSerde<>(ScanWindow.class)));

    TopicSpec<String, PointStatus> points = topics.points;
    builder.globalTable(points.name(),
        Consumed.with(points.keySerde(), points.valueSerde()).withName("points-source"),
        Materialized.<String, PointStatus, KeyValueStore<Bytes, byte[]>>as(POINT_HEALTH_STORE)
            .withKeySerde(points.keySerde()).withValueSerde(points.valueSerde()));

    // Decodable but impossible summaries go to the dead-letter topic before any state sees them.
    KStream<FlowKey, PacketSummary> packets = SummaryValidator.route(builder.stream(topics.packets.name(),
        Consumed.with(topics.packets.keySerde(), topics.packets.valueSerde()).withName("packets-source")), topics);

    // Query side: an index from community_id to flow key, kept by the locator beside each flow's state.
    builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(FLOW_INDEX_STORE),
        Serdes.String(), flowKeySerde));

    // Kernel probes' reports: same key and partitioning as packets, so each meets its flow in the same task.
    KStream<FlowKey, KernelReset> kernel = builder.stream(topics.kernel.name(),
        Consumed.with(topics.kernel.keySerde(), topics.kernel.valueSerde()).withName("kernel-source"));
    KStream<FlowKey, SpecificRecord> input = asInput(packets).merge(asInput(kernel), Named.as("packets-and-kernel"));

    KStream<FlowKey, RstFinding> findings = input.process(() -> new RstLocator(config, board), Named.as("rst-locator"),
        FLOW_STATE_STORE, PENDING_RSTS_STORE, POINT_PROGRESS_STORE, POINT_PAIRS_STORE, RECENT_FINDINGS_STORE,
        FLOW_INDEX_STORE);

    findings.to(topics.findings.name(),
        Produced.with(topics.findings.keySerde(), findingSerde).withName("findings-sink"));

    findings.map((k, f) -> KeyValue.pair(f.getCommunityId(), FindingJson.ecsJson(f)), Named.as("findings-to-ecs"))
        .to(topics.findingsJson.name(), Produced.with(topics.findingsJson.keySerde(), topics.findingsJson.valueSerde())
            .withName("findings-json-sink"));
    findings.map((k, f) -> KeyValue.pair(f.getCommunityId(), OcsfJson.json(f)), Named.as("findings-to-ocsf"))
        .to(topics.findingsOcsf.name(), Produced.with(topics.findingsOcsf.keySerde(), topics.findingsOcsf.valueSerde())
            .withName("findings-ocsf-sink"));

    TopicSpec<String, ScanAlert> scans = topics.scans;
    findings.filter((k, f) -> ScanDetector.isProbe(f), Named.as("scan-probes"))
        .selectKey((k, f) -> ScanDetector.scanner(f), Named.as("key-by-scanner"))
        .repartition(Repartitioned.<String, RstFinding>as("findings-by-scanner")
            .withKeySerde(Serdes.String()).withValueSerde(findingSerde))
        .process(() -> new ScanDetector(config), Named.as("scan-detector"), SCAN_WINDOWS_STORE)
        .to(scans.name(), Produced.with(scans.keySerde(), scans.valueSerde()).withName("scans-sink"));

    findings.filter((k, f) -> Location.isSegmentText(f.getLocation()), Named.as("located-rsts"))
        .groupBy((k, f) -> f.getLocation(), Grouped.with("findings-by-segment", Serdes.String(), findingSerde))
        .count(Named.as("segment-count"), Materialized.<String, Long, KeyValueStore<Bytes, byte[]>>as(SEGMENT_COUNTS_STORE)
            .withKeySerde(Serdes.String()).withValueSerde(Serdes.Long()))
        .toStream(Named.as("segment-counts-stream"))
        .mapValues((segment, n) -> "{\"segment\":\"" + segment + "\",\"rsts\":" + n + "}", Named.as("segment-json"))
        .to(topics.hops.name(), Produced.with(topics.hops.keySerde(), topics.hops.valueSerde()).withName("hops-sink"));

    return builder.build();
  }
}
