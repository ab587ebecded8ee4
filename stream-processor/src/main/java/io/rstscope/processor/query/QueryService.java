package io.rstscope.processor.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rstscope.avro.FlowKey;
import io.rstscope.avro.PointStatus;
import io.rstscope.avro.RstFinding;
import io.rstscope.processor.output.Micros;
import io.rstscope.processor.state.FlowState;
import io.rstscope.processor.state.PathModel;
import io.rstscope.processor.state.PointPair;
import io.rstscope.processor.state.PointProgress;
import io.rstscope.processor.state.ScanWindow;
import io.rstscope.processor.topology.ProcessorConfig;
import io.rstscope.processor.topology.RstTopology;
import io.rstscope.processor.web.Ladder;
import io.rstscope.processor.web.LadderSvg;
import io.rstscope.schemas.FlowKeys;
import io.rstscope.schemas.Location;
import io.rstscope.schemas.Topics;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * The answers of the query API, one method per store. A flow lives in one task: its key says
 * which instance holds it ({@code queryMetadataForKey}), and a request for it is sent there whole
 * (that instance reads the flow, its findings and its path model from the same partition). Lists
 * (findings, scans, segments, the path model, the community_id index) are gathered from every
 * instance's local stores. Anything moving answers {@link QueryErrors.Unavailable}.
 */
public final class QueryService {
  private final KafkaStreams streams;
  private final HostInfo self;
  private final Remote remote;
  private final ProcessorConfig config;
  private final Serializer<FlowKey> keySerializer;

  public QueryService(KafkaStreams streams, HostInfo self, Remote remote, ProcessorConfig config, Topics topics) {
    this.streams = streams;
    this.self = self;
    this.remote = remote;
    this.config = config;
    this.keySerializer = topics.packets.keySerde().serializer();
  }

  public KafkaStreams streams() {
    return streams;
  }

  public HostInfo self() {
    return self;
  }

  // ---- one flow (flow-state, with its findings and path model from the same partition) ----

  /** Where a flow lives: this instance (partition), or another one. */
  public record Placement(HostInfo host, int partition, boolean local) {}

  public Placement place(FlowKey key) {
    requireRunning();
    KeyQueryMetadata md;
    try {
      md = streams.queryMetadataForKey(RstTopology.FLOW_STATE_STORE, key, keySerializer);
    } catch (IllegalStateException e) {
      throw new QueryErrors.Unavailable("stream metadata not available: " + e.getMessage(), e);
    }
    if (md == null || md == KeyQueryMetadata.NOT_AVAILABLE || md.activeHost() == null) {
      throw new QueryErrors.Unavailable("no instance holds the partition of this flow right now (rebalancing)");
    }
    return new Placement(md.activeHost(), md.partition(), md.activeHost().equals(self));
  }

  /** Remote GET of the same request on the instance holding it (flows), the body passed through. */
  public String forward(HostInfo host, String pathAndQuery) {
    return remote.get(host, pathAndQuery);
  }

  public ObjectNode flowJson(FlowKey key, int partition) {
    LocalFlow lf = localFlow(key, partition);
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.put("key", FlowKeys.text(key));
    o.put("community_id", FlowKeys.communityId(key));
    o.put("client", lf.ladder.client());
    o.put("server", lf.ladder.server());
    o.put("roles_from", lf.state.rolesFrom == null ? "ports" : lf.state.rolesFrom);
    o.put("held_by", self.host() + ":" + self.port());
    o.put("partition", partition);
    o.set("path", Json.MAPPER.valueToTree(lf.model.order()));
    ObjectNode offsets = o.putObject("clock_offsets_micros");
    lf.model.order().forEach(p -> offsets.put(p, lf.model.offsetMicros(p)));
    o.put("last_activity", Micros.iso(Micros.toInstant(lf.state.lastActivityMicros)));
    o.set("zeek", Json.MAPPER.valueToTree(io.rstscope.processor.zeek.FlowLog.connections(key, lf.state, lf.model.order())));
    o.set("points", Json.tree(lf.state.views));
    o.set("segments", Json.tree(lf.state.segments));
    o.put("dropped_segments", lf.state.droppedSegments);
    o.put("late_sightings", lf.state.lateSightings);
    ArrayNode findings = o.putArray("findings");
    lf.findings.values().forEach(f -> findings.add(Json.finding(f)));
    return o;
  }

  public String ladderSvg(FlowKey key, int partition) {
    return LadderSvg.render(localFlow(key, partition).ladder);
  }

  private record LocalFlow(FlowState state, PathModel model, Map<String, RstFinding> findings, Ladder ladder) {}

  private LocalFlow localFlow(FlowKey key, int partition) {
    ReadOnlyKeyValueStore<FlowKey, FlowState> flows = store(RstTopology.FLOW_STATE_STORE, partition);
    FlowState state = flows.get(key);
    if (state == null) {
      throw new QueryErrors.NotFound("no state for flow " + FlowKeys.text(key)
          + " (never seen, or expired after " + config.flowIdleExpiry().toMinutes() + " min idle)");
    }
    ReadOnlyKeyValueStore<String, RstFinding> recent = store(RstTopology.RECENT_FINDINGS_STORE, partition);
    Map<String, RstFinding> findings = new LinkedHashMap<>();
    for (String id : state.decided) {
      RstFinding f = recent.get(id);
      if (f != null) {
        findings.put(id, f);
      }
    }
    PathModel model = pathModel(partition);
    Map<String, PointProgress> progress = new LinkedHashMap<>();
    ReadOnlyKeyValueStore<String, PointProgress> progressStore = store(RstTopology.POINT_PROGRESS_STORE, partition);
    try (KeyValueIterator<String, PointProgress> it = progressStore.all()) {
      it.forEachRemaining(kv -> progress.merge(kv.key, kv.value, PointProgress::merge));
    }
    return new LocalFlow(state, model, findings, Ladder.of(key, state, model, findings, progress,
        config.clockSkewAllowance().toNanos() / 1000));
  }

  private PathModel pathModel(int partition) {
    List<String> known = new ArrayList<>();
    ReadOnlyKeyValueStore<String, PointProgress> progress = store(RstTopology.POINT_PROGRESS_STORE, partition);
    try (KeyValueIterator<String, PointProgress> it = progress.all()) {
      it.forEachRemaining(kv -> known.add(kv.key));
    }
    List<PointPair> pairs = new ArrayList<>();
    ReadOnlyKeyValueStore<String, PointPair> pp = store(RstTopology.POINT_PAIRS_STORE, partition);
    try (KeyValueIterator<String, PointPair> it = pp.all()) {
      it.forEachRemaining(kv -> pairs.add(kv.value));
    }
    known.addAll(config.expectedPoints());
    return PathModel.of(config.pathOrder(), known, pairs);
  }

  /** Flow keys (text) this instance's index has for a community_id: 0 or 1 entries. */
  public List<String> localFlowIndex(String communityId) {
    List<String> out = new ArrayList<>();
    ReadOnlyKeyValueStore<String, FlowKey> index = store(RstTopology.FLOW_INDEX_STORE, -1);
    FlowKey k = index.get(communityId);
    if (k != null) {
      out.add(FlowKeys.text(k));
    }
    return out;
  }

  // ---- lists gathered from every instance ----

  /** Filters of the findings list; null means any. */
  public record FindingFilter(String address, String cause, String emitter, String segment, Boolean forged, int limit) {
    boolean matches(RstFinding f) {
      if (cause != null && !f.getCause().name().equals(cause)) return false;
      if (emitter != null && !f.getEmitter().name().equals(emitter)) return false;
      if (forged != null && f.getForged() != forged) return false;
      if (segment != null) {
        if (!f.getLocation().equals(Location.filterText(segment))) return false;
      }
      if (address != null) {
        return hostOf(f.getFlow().getClient()).equals(address) || hostOf(f.getFlow().getServer()).equals(address)
            || f.getFlow().getClient().equals(address) || f.getFlow().getServer().equals(address);
      }
      return true;
    }
  }

  static String hostOf(String endpoint) {
    int colon = endpoint.lastIndexOf(':');
    String h = colon < 0 ? endpoint : endpoint.substring(0, colon);
    return h.startsWith("[") ? h.substring(1, h.length() - 1) : h;
  }

  public ArrayNode localFindings(FindingFilter filter) {
    List<RstFinding> out = new ArrayList<>();
    ReadOnlyKeyValueStore<String, RstFinding> recent = store(RstTopology.RECENT_FINDINGS_STORE, -1);
    try (KeyValueIterator<String, RstFinding> it = recent.all()) {
      it.forEachRemaining(kv -> {
        if (filter.matches(kv.value)) {
          out.add(kv.value);
        }
      });
    }
    out.sort(Comparator.comparing(RstFinding::getRstTime).reversed().thenComparing(RstFinding::getFindingId));
    ArrayNode a = Json.MAPPER.createArrayNode();
    out.stream().limit(filter.limit()).forEach(f -> a.add(Json.finding(f)));
    return a;
  }

  /** Newest first, at most limit, across instances. */
  public static ArrayNode mergeFindings(List<ArrayNode> parts, int limit) {
    List<JsonNode> all = new ArrayList<>();
    parts.forEach(p -> p.forEach(all::add));
    all.sort(Comparator.comparing((JsonNode n) -> n.path("rst_time").asText()).reversed()
        .thenComparing(n -> n.path("finding_id").asText()));
    ArrayNode a = Json.MAPPER.createArrayNode();
    all.stream().limit(limit).forEach(a::add);
    return a;
  }

  public ArrayNode localScans() {
    ArrayNode a = Json.MAPPER.createArrayNode();
    ReadOnlyKeyValueStore<String, ScanWindow> scans = store(RstTopology.SCAN_WINDOWS_STORE, -1);
    try (KeyValueIterator<String, ScanWindow> it = scans.all()) {
      it.forEachRemaining(kv -> {
        ScanWindow w = kv.value;
        ObjectNode o = a.addObject();
        o.put("source", kv.key);
        o.put("window_start", Micros.iso(Micros.toInstant(w.startMicros)));
        o.put("probes", w.probes);
        o.put("syn_probes", w.synProbes);
        o.put("connect_probes", w.connectProbes);
        o.put("distinct_ports", w.ports.size());
        o.put("scanner", w.ports.size() >= config.scanThreshold() || w.alertedAtPorts > 0);
        ArrayNode ports = o.putArray("ports");
        w.ports.stream().limit(100).forEach(ports::add);
        ArrayNode targets = o.putArray("targets");
        w.targets.stream().limit(100).forEach(targets::add);
      });
    }
    return a;
  }

  public ArrayNode localSegments() {
    ArrayNode a = Json.MAPPER.createArrayNode();
    ReadOnlyKeyValueStore<String, Long> counts = store(RstTopology.SEGMENT_COUNTS_STORE, -1);
    try (KeyValueIterator<String, Long> it = counts.all()) {
      it.forEachRemaining(kv -> a.addObject().put("segment", kv.key).put("rsts", kv.value));
    }
    return a;
  }

  /** This instance's point-progress and point-pairs entries (every local task), for the path model. */
  public ObjectNode localPath() {
    ObjectNode o = Json.MAPPER.createObjectNode();
    ArrayNode progress = o.putArray("progress");
    ReadOnlyKeyValueStore<String, PointProgress> pr = store(RstTopology.POINT_PROGRESS_STORE, -1);
    try (KeyValueIterator<String, PointProgress> it = pr.all()) {
      it.forEachRemaining(kv -> progress.add(Json.tree(kv.value)));
    }
    ArrayNode pairs = o.putArray("pairs");
    ReadOnlyKeyValueStore<String, PointPair> pp = store(RstTopology.POINT_PAIRS_STORE, -1);
    try (KeyValueIterator<String, PointPair> it = pp.all()) {
      it.forEachRemaining(kv -> pairs.add(Json.tree(kv.value)));
    }
    return o;
  }

  /**
   * Point health: the global point-health table (heartbeats, drops: the same on every instance)
   * joined with the path model of every instance's tasks (order, clock offsets, watermarks).
   */
  public ObjectNode points(List<ObjectNode> pathParts) {
    Map<String, PointPair> pairs = new TreeMap<>();
    Map<String, long[]> progress = new TreeMap<>(); // point -> {min watermark, summaries}
    for (ObjectNode part : pathParts) {
      for (JsonNode p : part.path("pairs")) {
        PointPair pp = Json.MAPPER.convertValue(p, PointPair.class);
        PointPair acc = pairs.computeIfAbsent(pp.a + "|" + pp.b, k -> {
          PointPair n = new PointPair();
          n.a = pp.a;
          n.b = pp.b;
          return n;
        });
        acc.aFirstVotes += pp.aFirstVotes;
        acc.bFirstVotes += pp.bFirstVotes;
        pp.deltaMicros.forEach(acc::addDelta);
      }
      for (JsonNode p : part.path("progress")) {
        long[] acc = progress.computeIfAbsent(p.path("point").asText(), k -> new long[] {Long.MAX_VALUE, 0});
        acc[0] = Math.min(acc[0], p.path("watermarkMicros").asLong(Long.MIN_VALUE));
        acc[1] += p.path("summaries").asLong();
      }
    }
    Map<String, PointStatus> health = new TreeMap<>();
    ReadOnlyKeyValueStore<String, PointStatus> hs = store(RstTopology.POINT_HEALTH_STORE, -1);
    try (KeyValueIterator<String, PointStatus> it = hs.all()) {
      it.forEachRemaining(kv -> health.put(kv.key, kv.value));
    }
    List<String> known = new ArrayList<>(progress.keySet());
    known.addAll(health.keySet());
    known.addAll(config.expectedPoints());
    PathModel model = PathModel.of(config.pathOrder(), known, pairs.values());
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.set("path", Json.MAPPER.valueToTree(model.order()));
    o.put("path_inferred", model.inferred());
    ArrayNode list = o.putArray("points");
    long now = System.currentTimeMillis();
    for (String point : model.order()) {
      ObjectNode p = list.addObject();
      p.put("point", point);
      p.put("clock_offset_micros", model.offsetMicros(point));
      long[] pr = progress.get(point);
      if (pr != null) {
        p.put("summaries", pr[1]);
        p.put("watermark", pr[0] == Long.MAX_VALUE ? "finished"
            : pr[0] == Long.MIN_VALUE ? null : Micros.iso(Micros.toInstant(pr[0])));
      }
      PointStatus s = health.get(point);
      p.put("heartbeat", s != null);
      if (s != null) {
        p.put("site", s.getSite());
        p.put("source", s.getSource());
        p.put("live", s.getLive());
        p.put("finished", s.getFinished());
        p.put("agent_time", Micros.iso(s.getAgentTime()));
        p.put("heartbeat_age_ms", now - s.getAgentTime().toEpochMilli());
        if (s.getLastPacketTime() != null) {
          p.put("last_packet_time", Micros.iso(s.getLastPacketTime()));
        }
        p.put("pcap_received", s.getPcapReceived());
        p.put("pcap_dropped", s.getPcapDropped());
        p.put("pcap_if_dropped", s.getPcapIfDropped());
        p.put("captured", s.getCaptured());
        p.put("decoded", s.getDecoded());
        p.put("published", s.getPublished());
        p.put("dropped", s.getDropped());
        p.put("buffered", s.getBuffered());
        p.put("dropping", s.getPcapDropped() + s.getPcapIfDropped() + s.getDropped() > 0);
      }
    }
    return o;
  }

  /** Every other instance (for lists gathered from all). */
  public List<HostInfo> others() {
    requireRunning();
    List<HostInfo> out = new ArrayList<>();
    streams.metadataForAllStreamsClients().forEach(m -> {
      if (!m.hostInfo().equals(self) && !out.contains(m.hostInfo())) {
        out.add(m.hostInfo());
      }
    });
    return out;
  }

  // ---- metrics helpers ----

  /** Approximate entries of each local store (active tasks). */
  public Map<String, Long> storeSizes() {
    Map<String, Long> out = new LinkedHashMap<>();
    for (String name : List.of(RstTopology.FLOW_STATE_STORE, RstTopology.PENDING_RSTS_STORE,
        RstTopology.RECENT_FINDINGS_STORE, RstTopology.SCAN_WINDOWS_STORE, RstTopology.SEGMENT_COUNTS_STORE,
        RstTopology.FLOW_INDEX_STORE, RstTopology.POINT_HEALTH_STORE)) {
      try {
        out.put(name, store(name, -1).approximateNumEntries());
      } catch (QueryErrors.Unavailable | InvalidStateStoreException e) {
        // not queryable now (rebalancing): no sample rather than a wrong one
      }
    }
    return out;
  }

  /** Recent (retained) findings of the local tasks, by cause. */
  public Map<String, Long> localFindingsByCause() {
    Map<String, Long> out = new HashMap<>();
    ReadOnlyKeyValueStore<String, RstFinding> recent = store(RstTopology.RECENT_FINDINGS_STORE, -1);
    try (KeyValueIterator<String, RstFinding> it = recent.all()) {
      it.forEachRemaining(kv -> out.merge(kv.value.getCause().name(), 1L, Long::sum));
    }
    return out;
  }

  // ---- store access ----

  private void requireRunning() {
    KafkaStreams.State s = streams.state();
    if (s == KafkaStreams.State.REBALANCING || s == KafkaStreams.State.CREATED) {
      throw new QueryErrors.Unavailable("the processor is " + s.name().toLowerCase() + "; state is moving");
    }
    if (!s.isRunningOrRebalancing()) {
      throw new QueryErrors.Unavailable("the processor is " + s.name().toLowerCase());
    }
  }

  /** A local store (all active partitions, or one when partition >= 0); 503 while it cannot be read. */
  private <K, V> ReadOnlyKeyValueStore<K, V> store(String name, int partition) {
    if (!name.equals(RstTopology.POINT_HEALTH_STORE)) {
      requireRunning();
    }
    StoreQueryParameters<ReadOnlyKeyValueStore<K, V>> q =
        StoreQueryParameters.fromNameAndType(name, QueryableStoreTypes.<K, V>keyValueStore());
    if (partition >= 0) {
      q = q.withPartition(partition);
    }
    try {
      return streams.store(q);
    } catch (InvalidStateStoreException e) {
      throw new QueryErrors.Unavailable("store " + name + " is not queryable now: " + e.getMessage(), e);
    }
  }

}
