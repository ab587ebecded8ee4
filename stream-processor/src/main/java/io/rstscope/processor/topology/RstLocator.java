package io.rstscope.processor.topology;

import io.rstscope.avro.Endpoint;
import io.rstscope.avro.FlowKey;
import io.rstscope.avro.KernelEvent;
import io.rstscope.avro.KernelReset;
import io.rstscope.avro.PacketSummary;
import io.rstscope.avro.PointRole;
import io.rstscope.avro.PointStatus;
import io.rstscope.avro.RstFinding;
import io.rstscope.avro.SummaryKind;
import io.rstscope.processor.output.FindingIds;
import io.rstscope.processor.output.Findings;
import io.rstscope.processor.output.Micros;
import io.rstscope.processor.output.RstDiagnostics;
import io.rstscope.processor.state.FlowState;
import io.rstscope.processor.state.PathModel;
import io.rstscope.processor.state.PendingRst;
import io.rstscope.processor.state.PointPair;
import io.rstscope.processor.state.PointProgress;
import io.rstscope.processor.state.PreCommitHookStore;
import io.rstscope.processor.state.Segment;
import io.rstscope.processor.state.WriteBackCache;
import io.rstscope.processor.state.KernelNote;
import io.rstscope.processor.verdict.KernelVerdict;
import io.rstscope.processor.verdict.KernelView;
import io.rstscope.processor.verdict.EvidenceCode;
import io.rstscope.processor.verdict.RstCase;
import io.rstscope.processor.verdict.Verdict;
import io.rstscope.processor.verdict.VerdictEngine;
import io.rstscope.schemas.AvroSerde;
import io.rstscope.schemas.Endpoints;
import io.rstscope.schemas.FlowKeys;
import io.rstscope.schemas.KernelEvents;
import io.rstscope.schemas.TcpFlags;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Joins every point's summaries of a flow, collects the sightings of each RST, and emits one
 * finding per RST once every point's evidence for its correlation window is in: when and how long to
 * wait for each point is the time model's ({@link EventTimeClock}: watermarks per capture session,
 * ended and missing points, and a running clock for the waits that event time cannot measure).
 *
 * <p>Late summaries: a sighting that arrives after its RST was decided is counted in the flow's
 * state ({@code lateSightings}) and not re-judged: findings are emitted once. Packets that arrive
 * out of order within the window are fine: the verdict looks at times, not arrival order.
 */
final class RstLocator implements Processor<FlowKey, SpecificRecord, FlowKey, RstFinding> {
  private static final Logger LOG = LoggerFactory.getLogger(RstLocator.class);
  private static final AvroSerde<FlowKey> FLOW_KEY = AvroSerde.of(FlowKey.class);
  /** Expiry walks the whole flow store: twice a minute is plenty for a 10-minute idle limit. */
  private static final long EXPIRY_INTERVAL_MS = 30_000L;

  private final ProcessorConfig config;
  private final EventTimeClock clock;
  private final CaseAssembler assembler;
  private ProcessorContext<FlowKey, RstFinding> context;
  private KeyValueStore<FlowKey, FlowState> flowStore;
  private KeyValueStore<String, RstFinding> recent;
  private KeyValueStore<String, FlowKey> index;
  private KeyValueStore<String, ValueAndTimestamp<PointStatus>> health;
  /*
   * The stores the locator changes for (nearly) every summary, decoded and held here and written back once per
   * commit (PreCommitHookStore on flow-state calls writeBack): a flow's state is encoded, put to RocksDB and sent
   * to its changelog once per commit interval instead of once per summary. Flows are bounded by the segments held,
   * so a few long flows cannot fill the heap; the other three hold their whole (small) store.
   */
  private WriteBackCache<FlowKey, FlowState> flows;
  private WriteBackCache<String, PendingRst> pending;
  private WriteBackCache<String, PointProgress> progress;
  private WriteBackCache<String, PointPair> pairs;
  static final long FLOW_CACHE_SEGMENTS = 32_768;
  private long lastExpiryWallMs = Long.MIN_VALUE;
  /** Flows looked at per punctuation (1 s) by an expiry sweep: ~40 ms of work; 100,000 flows in under a minute. */
  static final int EXPIRY_BATCH = 2_000;
  /** Where a sweep in progress goes on: the first flow key it has not looked at; null when none is. */
  private FlowKey expiryCursor;
  /** Newest capture time of any summary this task processed: "now" for idle expiry. */
  private long newestMicros = Long.MIN_VALUE;
  private long keylessSummaries;
  private final Map<String, String> pointNames = new HashMap<>();
  private static final int MAX_POINT_NAMES = 4_096;

  RstLocator(ProcessorConfig config, PointHealthBoard board) {
    this.config = config;
    this.clock = new EventTimeClock(config, board);
    this.assembler = new CaseAssembler(config);
  }

  @Override
  public void init(ProcessorContext<FlowKey, RstFinding> context) {
    this.context = context;
    expiryCursor = null;
    newestMicros = Long.MIN_VALUE;
    // A task that is re-initialised (after a rebalance or an aborted transaction) starts from what its stores hold.
    flowStore = context.getStateStore(RstTopology.FLOW_STATE_STORE);
    flows = WriteBackCache.bounded(flowStore, f -> f.segments.size(), FLOW_CACHE_SEGMENTS, FlowKeys::hash,
        FlowKeys::same);
    pending = WriteBackCache.complete(context.getStateStore(RstTopology.PENDING_RSTS_STORE));
    progress = WriteBackCache.complete(context.getStateStore(RstTopology.POINT_PROGRESS_STORE));
    pairs = WriteBackCache.complete(context.getStateStore(RstTopology.POINT_PAIRS_STORE));
    clock.init(context.taskId().toString(), progress, context.currentSystemTimeMs());
    PreCommitHookStore.find(flowStore).listen(this::writeBack, this::discard);
    recent = context.getStateStore(RstTopology.RECENT_FINDINGS_STORE);
    index = context.getStateStore(RstTopology.FLOW_INDEX_STORE);
    health = context.getStateStore(RstTopology.POINT_HEALTH_STORE);
    context.schedule(config.punctuateInterval(), PunctuationType.WALL_CLOCK_TIME, this::punctuate);
  }

  /** Before the task commits: everything changed since the last commit goes to the stores and changelogs. */
  private void writeBack() {
    flows.flush();
    pending.flush();
    progress.flush();
    pairs.flush();
  }

  /** The task's stores closed or reopened: what is held here is stale (written already, or rolled back). */
  private void discard() {
    flows.discard();
    pending.discard();
    progress.discard();
    pairs.discard();
  }

  @Override
  public void process(Record<FlowKey, SpecificRecord> record) {
    if (record.value() instanceof KernelReset kernel) {
      keepKernelReport(kernel);
      return;
    }
    PacketSummary v = (PacketSummary) record.value();
    if (v == null || v.getPoint() == null) {
      return;
    }
    long ts = Micros.of(v.getCaptureTime());
    if (v.getKind() == SummaryKind.WATERMARK) {
      clock.watermark(v.getPoint(), v.getSession(), ts);
      decideReady(false);
      return;
    }
    clock.summary(v.getPoint(), ts);
    FlowKey key = record.key();
    if (key == null) {
      if (keylessSummaries++ == 0) {
        LOG.warn("summary without flow key from point {} skipped (counted)", v.getPoint());
      }
      return;
    }
    Segment seg = toSegment(key, v, ts);
    newestMicros = Math.max(newestMicros, seg.tsMicros);
    FlowState flow = flows.get(key);
    if (flow == null) {
      flow = new FlowState();
      // Queries by community_id (a SIEM holds that id, not our key) find the flow through this index.
      index.put(FlowKeys.communityId(key), key);
    }
    String rstId = null;
    boolean isRst = TcpFlags.has(seg.flags, TcpFlags.RST) && !seg.progress;
    if (isRst) {
      seg.rstOccurrence = flow.nextRstOccurrence(seg);
    }
    learnFromOtherPoints(flow, seg, key);
    flow.add(seg);
    if (isRst) {
      rstId = FindingIds.of(FlowKeys.text(key), seg.fromLow, seg.seq, seg.ack, seg.flags, seg.ipId, seg.rstOccurrence);
      if (flow.isDecided(rstId)) {
        flow.lateSightings++;
        LOG.debug("late sighting of decided RST {} at {}", rstId, seg.point);
        rstId = null;
      } else {
        PendingRst p = pending.get(rstId);
        if (p == null) {
          p = new PendingRst();
          p.findingId = rstId;
          p.flowKey = FLOW_KEY.toBytes(key);
          p.fromLow = seg.fromLow;
          p.seq = seg.seq;
          p.ack = seg.ack;
          p.flags = seg.flags;
          p.ipId = seg.ipId;
          p.firstWallMs = context.currentSystemTimeMs();
          clock.pendingSeen(rstId);
        }
        if (!p.seenAt(seg.point)) {
          p.sightings.add(new PendingRst.RstSighting(seg.point, seg.tsMicros, seg.ttl));
        }
        pending.put(rstId, p);
      }
    }
    flows.put(key, flow);
    if (rstId != null) {
      // When every point has already finished (final watermarks), nothing else will trigger it.
      PendingRst p = pending.get(rstId);
      PathModel model = pathModel();
      if (ready(p, model)) {
        decide(p, model, false);
      }
    }
  }

  /**
   * A kernel probe's report goes into its flow's state (a listening socket's one without a named peer under the
   * wildcard key of its port), where the verdicts of the flow's RSTs find it.
   */
  private void keepKernelReport(KernelReset k) {
    if (k.getSrc() == null || k.getDst() == null || k.getTime() == null || k.getEvent() == null) {
      if (keylessSummaries++ == 0) {
        LOG.warn("kernel report without endpoints or time skipped (counted)");
      }
      return;
    }
    FlowKey key = FlowKeys.of(Endpoints.bytes(k.getSrc().getAddress()), k.getSrc().getPort(),
        Endpoints.bytes(k.getDst().getAddress()), k.getDst().getPort());
    KernelNote note = new KernelNote();
    note.host = k.getHost();
    note.sent = k.getEvent() == KernelEvent.SEND_RESET;
    note.tsMicros = Micros.of(k.getTime());
    note.fromLow = k.getSrc().getPort() == key.getLow().getPort() && k.getSrc().getAddress().equals(key.getLow().getAddress());
    note.hostPort = KernelEvents.hostSide(k).getPort();
    note.peerUnnamed = KernelEvents.peerUnnamed(k);
    note.state = k.getState();
    note.reason = k.getReason();
    FlowState flow = flows.get(key);
    if (flow == null) {
      flow = new FlowState();
    }
    flow.addKernel(note);
    flows.put(key, flow);
  }

  /**
   * What the endpoints' kernels said about this flow, and whether each endpoint was probed at the RST's time
   * (the probes' heartbeats in point-health). Empty when no probe ever reported: the verdict is the packets'.
   */
  private KernelView kernelView(RstCase c, FlowKey key, FlowState flow) {
    List<PointStatus> probes = kernelProbes();
    if (probes.isEmpty() && flow.kernel.isEmpty()) {
      return KernelView.none();
    }
    boolean clientIsLow = CaseAssembler.clientIsLow(flow, key);
    Endpoint clientEp = clientIsLow ? key.getLow() : key.getHigh();
    Endpoint serverEp = clientIsLow ? key.getHigh() : key.getLow();
    long rstMicros = c.sightings().stream().mapToLong(RstCase.Sighting::tsMicros).min().orElse(0);
    long tolerance = config.waitMicros();
    List<KernelView.Report> reports = new ArrayList<>();
    for (KernelNote n : flow.kernel) {
      boolean hostIsLow = n.sent == n.fromLow;
      reports.add(new KernelView.Report(n.tsMicros, n.sent, hostIsLow == clientIsLow, false, n.host, n.reason, n.state));
    }
    // Listening sockets' resets without a named peer (an overflowing accept queue, a segment for a connection the
    // listener does not have): kept under the key of the listener's own address, or the wildcard, and port.
    for (Endpoint ep : List.of(serverEp, clientEp)) {
      byte[] own = Endpoints.bytes(ep.getAddress());
      for (byte[] bound : List.of(own, new byte[4], new byte[16])) {
        FlowState listener = flows.get(FlowKeys.of(bound, ep.getPort(), new byte[bound.length], 0));
        if (listener == null) {
          continue;
        }
        String address = Endpoints.address(ep.getAddress());
        for (KernelNote n : listener.kernel) {
          if (n.sent && n.peerUnnamed && n.hostPort == ep.getPort() && probeOwns(probes, n.host, address)) {
            reports.add(new KernelView.Report(n.tsMicros, true, ep == clientEp, true, n.host, n.reason, n.state));
          }
        }
      }
    }
    return new KernelView(reports, coverage(probes, Endpoints.address(clientEp.getAddress()), rstMicros, tolerance),
        coverage(probes, Endpoints.address(serverEp.getAddress()), rstMicros, tolerance), tolerance);
  }

  /** Heartbeats of kernel probes (and of the recordings analyze read), from the global point-health table. */
  private List<PointStatus> kernelProbes() {
    List<PointStatus> out = new ArrayList<>();
    if (health == null) {
      return out;
    }
    try (KeyValueIterator<String, ValueAndTimestamp<PointStatus>> it = health.all()) {
      while (it.hasNext()) {
        ValueAndTimestamp<PointStatus> v = it.next().value;
        if (v != null && v.value() != null && v.value().getRole() == PointRole.KERNEL_PROBE) {
          out.add(v.value());
        }
      }
    }
    return out;
  }

  /** A listening socket's report belongs to this endpoint when its probe watches the endpoint's address (or says nothing). */
  private static boolean probeOwns(List<PointStatus> probes, String host, String address) {
    for (PointStatus p : probes) {
      if (p.getPoint().equals(PROBE_PREFIX + host)) {
        return p.getHostAddresses().isEmpty() || p.getHostAddresses().contains(address);
      }
    }
    return true;
  }

  /** Point name under which a probe of a host sends its heartbeats. */
  static final String PROBE_PREFIX = "kernel:";
  /** A probe that has not sent a heartbeat for this long is taken to be gone (heartbeats come every 2 s). */
  static final long PROBE_STALE_MICROS = 10_000_000L;

  private static KernelView.Probe coverage(List<PointStatus> probes, String address, long atMicros, long tolerance) {
    KernelView.Probe best = KernelView.Probe.NONE;
    for (PointStatus p : probes) {
      if (!p.getHostAddresses().contains(address)) {
        continue;
      }
      long started = Micros.of(p.getStartedAt());
      long last = Micros.of(p.getAgentTime());
      boolean covers = started <= atMicros - tolerance
          && (p.getFinished() ? last >= atMicros + tolerance : last >= atMicros - PROBE_STALE_MICROS);
      if (!covers) {
        continue;
      }
      if (p.getPcapDropped() + p.getDropped() == 0) {
        return KernelView.Probe.COMPLETE;
      }
      best = KernelView.Probe.LOSSY;
    }
    return best;
  }

  private Segment toSegment(FlowKey key, PacketSummary v, long ts) {
    Segment s = new Segment();
    s.point = pointName(v.getPoint());
    s.tsMicros = ts;
    Endpoint low = key.getLow();
    s.fromLow = v.getSrcPort() == low.getPort() && v.getSrcAddress().equals(low.getAddress());
    s.flags = v.getTcpFlags();
    s.seq = v.getSeq();
    s.ack = v.getAck();
    s.len = v.getPayloadLength();
    s.ttl = v.getTtl();
    s.ipId = v.getIpId();
    s.window = v.getWindow();
    if (v.getKind() == SummaryKind.PROGRESS && v.getProgress() != null) {
      s.progress = true;
      s.progressPackets = v.getProgress().getPackets();
      s.progressBytes = v.getProgress().getPayloadBytes();
      s.progressFirstMicros = Micros.of(v.getProgress().getFirstTime());
      s.progressSeqEnd = v.getProgress().getHighestSeqEnd();
      s.ttlMin = v.getProgress().getTtlMin();
      s.ttlMax = v.getProgress().getTtlMax();
      s.progressFirstAckMicros = v.getProgress().getFirstAckTime() == null ? Segment.NONE
          : Micros.of(v.getProgress().getFirstAckTime());
      s.progressFirstDataMicros = v.getProgress().getFirstDataTime() == null ? Segment.NONE
          : Micros.of(v.getProgress().getFirstDataTime());
      s.len = 0;
    } else {
      s.ttlMin = s.ttl;
      s.ttlMax = s.ttl;
    }
    if (v.getPayloadHint() != null) {
      var h = v.getPayloadHint();
      s.hintKind = h.getKind().name();
      if (h.getSni() != null) {
        s.hintText = h.getSni();
      } else if (h.getHttpMethod() != null || h.getHttpTarget() != null) {
        s.hintText = (h.getHttpMethod() == null ? "" : h.getHttpMethod() + " ")
            + (h.getHttpHost() == null ? "" : h.getHttpHost())
            + (h.getHttpTarget() == null ? "" : h.getHttpTarget());
      }
    }
    if (v.getRstData() != null && TcpFlags.has(s.flags, TcpFlags.RST)) {
      s.rstDataFormat = v.getRstData().getFormat().name();
      s.rstData = RstDiagnostics.detail(v.getRstData());
    }
    if (v.getOptions() != null) {
      s.windowScale = v.getOptions().getWindowScale();
      s.sackPermitted = v.getOptions().getSackPermitted();
      s.tsVal = v.getOptions().getTsVal();
    }
    return s;
  }

  /**
   * One String per point name for all the segments held (every summary decodes its own copy): less heap for
   * the collector to trace, and comparisons of point names that stop at the reference. Bounded: names come
   * from the input.
   */
  private String pointName(String name) {
    String known = pointNames.get(name);
    if (known != null) {
      return known;
    }
    if (pointNames.size() < MAX_POINT_NAMES) {
      pointNames.put(name, name);
    }
    return name;
  }

  /** The same packet already seen at another point: a clock-offset sample and a path-order vote. */
  private void learnFromOtherPoints(FlowState flow, Segment seg, FlowKey key) {
    if (seg.progress) {
      return;
    }
    // Runs for every summary over every segment kept: the cheap packet comparison goes first, and the set of
    // points already counted is only made when a match is found (same result as before, a tenth of the cost).
    Set<String> done = null;
    boolean clientIsLow = CaseAssembler.clientIsLow(flow, key);
    for (int i = flow.segments.size() - 1; i >= 0; i--) {
      Segment o = flow.segments.get(i);
      if (!seg.samePacketAs(o) || o.rstOccurrence != seg.rstOccurrence || o.point.equals(seg.point)
          || done != null && done.contains(o.point)) {
        continue;
      }
      if (done == null) {
        done = new java.util.HashSet<>(4);
      }
      done.add(o.point);
      String pk = PointPair.key(o.point, seg.point);
      PointPair pair = pairs.get(pk);
      if (pair == null) {
        pair = new PointPair();
        pair.a = pk.substring(0, pk.indexOf('|'));
        pair.b = pk.substring(pk.indexOf('|') + 1);
      }
      // Once the estimate has its samples, keep refreshing it with one packet in 16.
      if (pair.samples >= PointPair.MAX_SAMPLES && pair.samples++ % 16 != 0) {
        continue;
      }
      Segment a = pair.a.equals(o.point) ? o : seg;
      Segment b = a == o ? seg : o;
      pair.addDelta(b.tsMicros - a.tsMicros);
      boolean fromClient = seg.fromLow == clientIsLow;
      if (a.ttl != b.ttl) {
        boolean aUpstream = a.ttl > b.ttl; // upstream in the packet's direction of travel
        if (aUpstream == fromClient) {
          pair.aFirstVotes++;
        } else {
          pair.bFirstVotes++;
        }
      }
      pairs.put(pk, pair);
    }
  }

  private PathModel pathModel() {
    List<String> known = new ArrayList<>();
    progress.forEach((point, prog) -> known.add(point));
    known.addAll(config.expectedPoints());
    PathModel model = PathModel.of(config.pathOrder(), known, pairs.values());
    if (model.contradiction() != null) {
      config.notices().accept(model.contradiction());
    }
    return model;
  }

  private Set<String> expectedPoints() {
    Set<String> out = new LinkedHashSet<>(config.pathOrder());
    out.addAll(config.expectedPoints());
    progress.forEach((point, prog) -> out.add(point));
    return out;
  }

  private static long firstCorrected(PendingRst p, PathModel model) {
    long first = Long.MAX_VALUE;
    for (PendingRst.RstSighting s : p.sightings) {
      first = Math.min(first, model.correct(s.point, s.tsMicros));
    }
    return first;
  }

  private boolean ready(PendingRst p, PathModel model) {
    return p != null && firstCorrected(p, model) <= clock.readyHorizon(expectedPoints(), model);
  }

  private void decideReady(boolean includeTimedOut) {
    PathModel model = pathModel();
    long horizon = clock.readyHorizon(expectedPoints(), model);
    List<KeyValue<PendingRst, Boolean>> due = new ArrayList<>();
    pending.forEach((id, p) -> {
      if (firstCorrected(p, model) <= horizon) {
        due.add(KeyValue.pair(p, false));
      } else if (includeTimedOut && clock.waitedTooLong(id)) {
        due.add(KeyValue.pair(p, true));
      }
    });
    due.sort(Comparator.comparingLong(kv -> firstCorrected(kv.key, model)));
    for (KeyValue<PendingRst, Boolean> kv : due) {
      decide(kv.key, model, kv.value);
    }
  }

  private void punctuate(long wallMs) {
    clock.tick(wallMs);
    decideReady(true);
    clock.publish(expectedPoints());
    if (lastExpiryWallMs == Long.MIN_VALUE) {
      lastExpiryWallMs = wallMs;
    } else if (expiryCursor != null) {
      expireFlows(); // a sweep in progress goes on, one batch per punctuation
    } else if (wallMs - lastExpiryWallMs >= EXPIRY_INTERVAL_MS) {
      lastExpiryWallMs = wallMs;
      expireFindings(wallMs);
      expireFlows();
    }
  }

  /**
   * Deletes flows idle (in event time) for flowIdleExpiry behind the newest summary this task has seen. Looks at
   * {@link #EXPIRY_BATCH} flows per call and goes on from there at the next punctuation: a single pass over every
   * flow of a busy task held its summaries back for seconds (BENCHMARKS.md, verdict latency).
   */
  private void expireFlows() {
    if (newestMicros == Long.MIN_VALUE) {
      return; // nothing seen since the task started: no "now" to measure idleness against
    }
    flows.flush(); // the scan below reads the store
    long horizon = newestMicros - config.flowIdleExpiry().toNanos() / 1000;
    List<FlowKey> old = new ArrayList<>();
    FlowKey next = null;
    int seen = 0;
    try (KeyValueIterator<FlowKey, FlowState> it = flowStore.range(expiryCursor, null)) {
      while (it.hasNext()) {
        KeyValue<FlowKey, FlowState> kv = it.next();
        if (seen++ == EXPIRY_BATCH) {
          next = kv.key;
          break;
        }
        if (kv.value.lastActivityMicros < horizon) {
          old.add(kv.key);
        }
      }
    }
    expiryCursor = next;
    old.forEach(k -> {
      flows.delete(k);
      index.delete(FlowKeys.communityId(k));
    });
    if (!old.isEmpty()) {
      LOG.debug("expired {} idle flows", old.size());
    }
  }

  /** Deletes findings older than their retention. */
  private void expireFindings(long wallMs) {
    long findingsHorizon = wallMs - config.recentFindingsRetention().toMillis();
    List<String> stale = new ArrayList<>();
    try (KeyValueIterator<String, RstFinding> it = recent.all()) {
      while (it.hasNext()) {
        KeyValue<String, RstFinding> kv = it.next();
        if (kv.value.getDecidedAt().toEpochMilli() < findingsHorizon) {
          stale.add(kv.key);
        }
      }
    }
    stale.forEach(recent::delete);
    if (!stale.isEmpty()) {
      LOG.debug("expired {} old findings", stale.size());
    }
  }

  private void decide(PendingRst p, PathModel model, boolean timedOut) {
    FlowKey key = FLOW_KEY.fromBytes(p.flowKey);
    FlowState flow = flows.get(key);
    if (flow == null) {
      flow = new FlowState();
    }
    RstCase rstCase = assembler.assemble(p, key, flow, model, expectedPoints(), progress::get, this::dropping);
    Verdict verdict = KernelVerdict.apply(rstCase, VerdictEngine.decide(rstCase), kernelView(rstCase, key, flow));
    List<String> dropped = clock.droppedAround(firstCorrected(p, model), expectedPoints(), model, this::status);
    if (timedOut || !dropped.isEmpty()) {
      List<Verdict.Clue> clues = new ArrayList<>(verdict.evidence());
      if (timedOut) {
        clues.add(new Verdict.Clue(EvidenceCode.VERDICT_TIMEOUT, "decided after " + config.maxVerdictWait().toSeconds()
            + " s (running time) without every point's evidence: "
            + clock.laggards(firstCorrected(p, model), expectedPoints(), model)));
      }
      for (String d : dropped) {
        clues.add(new Verdict.Clue(EvidenceCode.EVIDENCE_INCOMPLETE, d));
      }
      verdict = new Verdict(verdict.emitter(), verdict.location(), verdict.forged(), verdict.confidence(),
          verdict.phase(), verdict.cause(), clues, verdict.recommendation(), verdict.relatedFindingId());
    }
    long now = context.currentSystemTimeMs();
    RstFinding finding = FindingAnnotations.annotate(
        Findings.of(rstCase, verdict, FlowKeys.communityId(key), Instant.ofEpochMilli(now)), rstCase, p, key, flow);
    context.forward(new Record<>(key, finding, now));
    clock.decided(p.findingId, timedOut);
    flow.markDecided(p.findingId);
    flows.put(key, flow);
    pending.delete(p.findingId);
    recent.put(p.findingId, finding);
  }

  /** The point's latest heartbeat, or null. */
  private PointStatus status(String point) {
    if (health == null) {
      return null;
    }
    ValueAndTimestamp<PointStatus> st = health.get(point);
    return st == null ? null : st.value();
  }

  @Override
  public void close() {
    clock.close();
  }

  private boolean dropping(String point) {
    PointStatus ps = status(point);
    return ps != null && ps.getPcapDropped() + ps.getPcapIfDropped() + ps.getDropped() > 0;
  }
}
