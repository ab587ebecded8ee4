package io.rstscope.processor.bench;

import io.rstscope.agent.policy.Summaries;
import io.rstscope.avro.FlowKey;
import io.rstscope.avro.PacketSummary;
import io.rstscope.avro.PayloadHint;
import io.rstscope.avro.PayloadKind;
import io.rstscope.avro.Progress;
import io.rstscope.avro.SummaryKind;
import io.rstscope.avro.TcpOptions;
import io.rstscope.processor.app.StreamsSettings;
import io.rstscope.processor.topology.ProcessorConfig;
import io.rstscope.processor.topology.RstTopology;
import io.rstscope.schemas.FlowKeys;
import io.rstscope.schemas.TopicSpec;
import io.rstscope.schemas.Topics;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.LogDirDescription;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.ReplicaInfo;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.common.serialization.Serdes;

/**
 * Benchmark of the real topology against a real broker (the throughput and latency figures of BENCHMARKS.md). Not a test: a main,
 * run by hand (see BENCHMARKS.md, "Stream processor").
 *
 * <pre>
 * load    PREFIX N          create PREFIX.* topics (12 partitions) and publish about N summaries the way the agent
 *                           does (Avro PacketSummary keyed by FlowKey, agent producer settings) from three points
 *                           P1,P2,P3 for many flows, plus a WATERMARK per point and partition every second of event
 *                           time and the final (end-of-capture) watermarks
 * run     PREFIX GUARANTEE  run RstTopology from offset 0 (fresh application id) until every summary is
 *                           committed and every RST's finding is readable; prints throughput, CPU, RSS, state size
 * latency PREFIX GUARANTEE RATE SECONDS
 *                           live: a producer at RATE summaries/s (event time = wall clock, watermarks every second)
 *                           while the topology runs; a read_committed consumer timestamps each finding; latency is
 *                           from the broker's ack of the watermark that closes the RST's window to the finding's read
 * </pre>
 * System properties: bench.bootstrap (127.0.0.1:29092), bench.state (/tmp/rsp-bench-state), bench.threads (2),
 * bench.streams.* (extra Streams settings, e.g. -Dbench.streams.commit.interval.ms=1000).
 */
public final class ProcessorBench {
  static final String BOOTSTRAP = System.getProperty("bench.bootstrap", "127.0.0.1:29092");
  static final Path STATE = Path.of(System.getProperty("bench.state", "/tmp/rsp-bench-state"));
  static final int THREADS = Integer.getInteger("bench.threads", 2);
  static final int PARTITIONS = 12;
  static final List<String> POINTS = List.of("P1", "P2", "P3");
  /** Flows started together; their packets interleave in time. */
  static final int GROUP = 2000;
  static final long HOP_MICROS = 30;

  public static void main(String[] args) throws Exception {
    switch (args[0]) {
      case "load" -> load(args[1], Long.parseLong(args[2]));
      case "run" -> run(args[1], args[2]);
      case "latency" -> latency(args[1], args[2], Integer.parseInt(args[3]), Integer.parseInt(args[4]));
      default -> throw new IllegalArgumentException("load | run | latency");
    }
  }

  // ---------------------------------------------------------------- data

  /** One summary to publish, with the point that saw it. */
  record Out(FlowKey key, PacketSummary value, boolean rst) {}

  /**
   * The summaries of one flow, all points, in capture order. Kinds by flow number: 60 % a full TLS
   * connection with a PROGRESS run and a FIN teardown; 10 % port closed (SYN, RST/ACK from the server); 10 % a
   * forged RST injected between P2 and P3 after the ClientHello (seen at P2 and P1 only); 10 % a client abort
   * in the data phase; 10 % a handshake then FIN.
   */
  static List<Out> flow(long f, long t0) {
    byte[] c = {10, (byte) (1 + ((f >> 16) & 0x3f)), (byte) (f >> 8), (byte) f};
    byte[] s = {10, (byte) 200, (byte) (f % 4), 1};
    int cp = 20000 + (int) (f % 40000);
    int sp = f % 3 == 0 ? 80 : 443;
    FlowKey key = FlowKeys.of(c, cp, s, sp);
    long cIsn = (f * 7919L) & 0xffffffffL;
    long sIsn = (f * 104729L) & 0xffffffffL;
    int kind = (int) (f % 10);
    List<Out> out = new ArrayList<>(30);
    int[] ipc = {(int) (f & 0xffff)};
    int[] ips = {(int) ((f * 31) & 0xffff)};
    Pkt p = new Pkt(out, key, c, cp, s, sp);
    long t = t0;
    p.send(true, t, 0x02, cIsn, 0, 0, ipc, true, null);
    if (kind == 6) {
      p.send(false, t + 300, 0x14, 0, cIsn + 1, 0, ips, false, null);
      return out;
    }
    p.send(false, t += 300, 0x12, sIsn, cIsn + 1, 0, ips, true, null);
    p.send(true, t += 300, 0x10, cIsn + 1, sIsn + 1, 0, ipc, false, null);
    PayloadHint sni = new PayloadHint(PayloadKind.TLS_CLIENT_HELLO, "svc" + (f % 97) + ".example.com", null, null, null);
    if (kind == 9) {
      p.send(true, t += 5000, 0x11, cIsn + 1, sIsn + 1, 0, ipc, false, null);
      p.send(false, t += 300, 0x11, sIsn + 1, cIsn + 2, 0, ips, false, null);
      p.send(true, t += 300, 0x10, cIsn + 2, sIsn + 2, 0, ipc, false, null);
      return out;
    }
    p.send(true, t += 200, 0x18, cIsn + 1, sIsn + 1, 517, ipc, false, sni);
    if (kind == 7) {
      // forged RST towards the client, injected between P2 and P3: TTL 64 at P2, 63 at P1, not seen at P3
      p.forged(t += 400, 0x14, sIsn + 1, cIsn + 518);
      return out;
    }
    p.send(false, t += 400, 0x18, sIsn + 1, cIsn + 518, 1400, ips, false, null);
    if (kind == 8) {
      p.send(true, t += 20000, 0x14, cIsn + 518, sIsn + 1401, 0, ipc, false, null);
      return out;
    }
    p.progress(false, t += 30000, sIsn + 1401 + 50 * 1400, cIsn + 518, ips, t - 29000);
    p.send(true, t += 200, 0x11, cIsn + 518, sIsn + 1401 + 70000, 0, ipc, false, null);
    p.send(false, t += 300, 0x11, sIsn + 1401 + 70000, cIsn + 519, 0, ips, false, null);
    p.send(true, t += 300, 0x10, cIsn + 519, sIsn + 1402 + 70000, 0, ipc, false, null);
    return out;
  }

  /** Emits one packet as seen at every point along its way. */
  static final class Pkt {
    final List<Out> out;
    final FlowKey key;
    final byte[] c;
    final byte[] s;
    final int cp;
    final int sp;

    Pkt(List<Out> out, FlowKey key, byte[] c, int cp, byte[] s, int sp) {
      this.out = out;
      this.key = key;
      this.c = c;
      this.cp = cp;
      this.s = s;
      this.sp = sp;
    }

    void send(boolean fromClient, long t, int flags, long seq, long ack, int len, int[] ipId, boolean syn,
        PayloadHint hint) {
      int id = ipId[0]++ & 0xffff;
      for (int hop = 0; hop < 3; hop++) {
        String point = POINTS.get(fromClient ? hop : 2 - hop);
        PacketSummary v = base(point, t + hop * HOP_MICROS, fromClient, 64 - hop, id, flags, seq, ack, len);
        if (syn) {
          v.setOptions(new TcpOptions(1460, 7, true, 0, 12345L + t, 0L));
        }
        v.setPayloadHint(hint);
        out.add(new Out(key, v, (flags & 0x04) != 0));
      }
    }

    void forged(long t, int flags, long seq, long ack) {
      PacketSummary at2 = base("P2", t, false, 64, 0, flags, seq, ack, 0);
      PacketSummary at1 = base("P1", t + HOP_MICROS, false, 63, 0, flags, seq, ack, 0);
      out.add(new Out(key, at2, true));
      out.add(new Out(key, at1, true));
    }

    void progress(boolean fromClient, long t, long seqEnd, long ack, int[] ipId, long first) {
      for (int hop = 0; hop < 3; hop++) {
        String point = POINTS.get(fromClient ? hop : 2 - hop);
        PacketSummary v = base(point, t + hop * HOP_MICROS, fromClient, 64 - hop, ipId[0] + 50, 0x10,
            seqEnd - 1400, ack, 1400);
        v.setKind(SummaryKind.PROGRESS);
        v.setProgress(new Progress(50L, 70000L, Summaries.instant(first + hop * HOP_MICROS), seqEnd, ack,
            64 - hop, 64 - hop, ipId[0], ipId[0] + 50, null, Summaries.instant(first + hop * HOP_MICROS)));
        out.add(new Out(key, v, false));
      }
      ipId[0] += 51;
    }

    PacketSummary base(String point, long micros, boolean fromClient, int ttl, int ipId, int flags, long seq,
        long ack, int len) {
      return PacketSummary.newBuilder().setPoint(point).setKind(SummaryKind.PACKET)
          .setCaptureTime(Summaries.instant(micros)).setIpVersion(4)
          .setSrcAddress(ByteBuffer.wrap(fromClient ? c : s)).setDstAddress(ByteBuffer.wrap(fromClient ? s : c))
          .setSrcPort(fromClient ? cp : sp).setDstPort(fromClient ? sp : cp).setTtl(ttl).setIpId(ipId)
          .setDontFragment(true).setTcpFlags(flags).setSeq(seq & 0xffffffffL).setAck(ack & 0xffffffffL)
          .setWindow(502).setPayloadLength(len).build();
    }
  }

  /** The summaries of flows [first, first+GROUP) started at t0 (1 µs apart), in capture-time order. */
  static List<Out> group(long first, long t0) {
    return group(first, t0, GROUP);
  }

  static List<Out> group(long first, long t0, int size) {
    List<Out> all = new ArrayList<>(size * 25);
    for (int i = 0; i < size; i++) {
      all.addAll(flow(first + i, t0 + i));
    }
    all.sort((a, b) -> Long.compare(Summaries.micros(a.value.getCaptureTime()), Summaries.micros(b.value.getCaptureTime())));
    return all;
  }

  // ---------------------------------------------------------------- clients

  static Properties producerProps() {
    Properties p = new Properties();
    // the agent's producer settings (KafkaPublisher.defaults)
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, BOOTSTRAP);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "5");
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    p.put(ProducerConfig.LINGER_MS_CONFIG, "20");
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, "65536");
    p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, String.valueOf(64L * 1024 * 1024));
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    return p;
  }

  static Admin admin() {
    return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, BOOTSTRAP));
  }

  static void createTopics(Topics topics) throws Exception {
    try (Admin admin = admin()) {
      List<NewTopic> all = new ArrayList<>();
      for (TopicSpec<?, ?> t : topics.all()) {
        NewTopic nt = new NewTopic(t.name(), t.partitions(), (short) 1);
        if (t.compacted()) {
          nt.configs(Map.of("cleanup.policy", "compact"));
        }
        all.add(nt);
      }
      admin.createTopics(all).all().get();
    }
  }

  // ---------------------------------------------------------------- load

  static void load(String prefix, long n) throws Exception {
    Topics topics = new Topics(prefix, PARTITIONS);
    createTopics(topics);
    Serializer<FlowKey> ks = topics.packets.keySerde().serializer();
    Serializer<PacketSummary> vs = topics.packets.valueSerde().serializer();
    String topic = topics.packets.name();
    byte[] wmKey = ks.serialize(topic, FlowKeys.of(new byte[4], 0, new byte[4], 0));
    long t0 = Summaries.micros(Instant.parse("2026-11-25T01:00:00Z"));
    long sent = 0;
    long rsts = 0;
    long flows = 0;
    long lastWm = t0;
    long wms = 0;
    long start = System.nanoTime();
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProps())) {
      long base = t0;
      while (sent < n) {
        List<Out> g = group(flows, base);
        flows += GROUP;
        for (Out o : g) {
          long ts = Summaries.micros(o.value.getCaptureTime());
          if (ts - lastWm >= 1_000_000L) {
            wms += watermarks(producer, topic, wmKey, vs, ts - 1, null);
            lastWm = ts;
          }
          producer.send(new ProducerRecord<>(topic, ks.serialize(topic, o.key), vs.serialize(topic, o.value)));
          sent++;
          if (o.rst && o.value.getPoint().equals("P1")) {
            rsts++; // every RST of the bench is seen at P1
          }
        }
        base += 200_000; // a new group of flows every 200 ms of event time: about 225k summaries per event second
      }
      wms += watermarks(producer, topic, wmKey, vs, Long.MAX_VALUE, null);
      producer.flush();
    }
    double secs = (System.nanoTime() - start) / 1e9;
    Files.writeString(Path.of("/tmp/rsp-bench-" + prefix + ".expect"), flows + " " + rsts + " " + sent + "\n");
    System.out.printf("LOAD prefix=%s summaries=%d flows=%d rsts=%d watermarks=%d in %.1f s (%.0f/s)%n",
        prefix, sent, flows, rsts, wms, secs, sent / secs);
  }

  /** A WATERMARK from every point to every partition, as the agent's heartbeat does; returns records sent. */
  static int watermarks(KafkaProducer<byte[], byte[]> producer, String topic, byte[] key,
      Serializer<PacketSummary> vs, long micros, WmTracker tracker) {
    int n = 0;
    for (String point : POINTS) {
      byte[] v = vs.serialize(topic, Summaries.watermark(point, micros == Long.MAX_VALUE
          ? Summaries.END_OF_CAPTURE : Summaries.instant(micros)));
      for (int p = 0; p < PARTITIONS; p++) {
        final int part = p;
        producer.send(new ProducerRecord<>(topic, p, key, v), (m, e) -> {
          if (e == null && tracker != null) {
            tracker.acked(micros, part, System.nanoTime());
          }
        });
        n++;
      }
    }
    return n;
  }

  // ---------------------------------------------------------------- run

  static Properties streamsProps(String appId, String guarantee) throws IOException {
    Path dir = STATE.resolve(appId);
    Map<String, String> overrides = new HashMap<>();
    for (String name : System.getProperties().stringPropertyNames()) {
      if (name.startsWith("bench.streams.")) {
        overrides.put(name.substring("bench.streams.".length()), System.getProperty(name));
      }
    }
    Properties p = StreamsSettings.of(appId, BOOTSTRAP, dir, THREADS, overrides);
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, guarantee.equals("alos") ? StreamsConfig.AT_LEAST_ONCE
        : StreamsConfig.EXACTLY_ONCE_V2);
    return p;
  }

  static ProcessorConfig config() {
    return ProcessorConfig.defaults();
  }

  /**
   * With -Dbench.passes=N the whole input is processed N times in this JVM, each time under a fresh application
   * id from offset 0; every pass prints its figures. Pass 1 runs while the JIT compiles (C1/C2 spend ~20 CPU s
   * of a 40 s run here), later passes are what a long-running processor does.
   */
  static void run(String prefix, String guarantee) throws Exception {
    int passes = Integer.getInteger("bench.passes", 1);
    for (int pass = 1; pass <= passes; pass++) {
      System.out.println("PASS " + pass + " of " + passes);
      runOnce(prefix, guarantee);
    }
  }

  static void runOnce(String prefix, String guarantee) throws Exception {
    Topics topics = new Topics(prefix, PARTITIONS);
    String[] expect = Files.readString(Path.of("/tmp/rsp-bench-" + prefix + ".expect")).trim().split(" ");
    long flows = Long.parseLong(expect[0]);
    long rsts = Long.parseLong(expect[1]);
    String appId = prefix + "-" + guarantee + "-" + System.currentTimeMillis() / 1000;
    Properties props = streamsProps(appId, guarantee);
    System.out.println("RUN app=" + appId + " settings=" + props);
    try (Admin admin = admin()) {
      Map<TopicPartition, OffsetSpec> req = new HashMap<>();
      for (int p = 0; p < PARTITIONS; p++) {
        req.put(new TopicPartition(topics.packets.name(), p), OffsetSpec.latest());
      }
      long end = admin.listOffsets(req).all().get().values().stream().mapToLong(i -> i.offset()).sum();
      Map<TopicPartition, OffsetSpec> freq = new HashMap<>();
      for (int p = 0; p < PARTITIONS; p++) {
        freq.put(new TopicPartition(topics.findings.name(), p), OffsetSpec.latest());
      }
      Map<TopicPartition, Long> findingsStart = new HashMap<>();
      admin.listOffsets(freq).all().get().forEach((tp, i) -> findingsStart.put(tp, i.offset()));
      double stopAt = Double.parseDouble(System.getProperty("bench.stopAt", "1"));
      long cpu0 = cpuNanos();
      Map<String, double[]> threads0 = threadCpu();
      long t0 = System.nanoTime();
      KafkaStreams streams = new KafkaStreams(topology(topics), props);
      streams.start();
      List<long[]> samples = new ArrayList<>(); // wall ns, consumed, cpu ns
      long maxRss = 0;
      long consumed = 0;
      while (consumed < end * stopAt) {
        Thread.sleep(1000);
        consumed = committed(admin, appId, topics.packets.name());
        long now = System.nanoTime();
        samples.add(new long[] {now, consumed, cpuNanos()});
        maxRss = Math.max(maxRss, rssKb());
        System.out.printf("  t=%5.1fs consumed=%,d (%.0f%%) cpu=%.1fs rss=%d MB state=%s%n", (now - t0) / 1e9,
            consumed, 100.0 * consumed / end, (cpuNanos() - cpu0) / 1e9, rssKb() / 1024, streams.state());
        if (streams.state() == KafkaStreams.State.ERROR || streams.state() == KafkaStreams.State.NOT_RUNNING) {
          throw new IllegalStateException("streams " + streams.state());
        }
      }
      long tDone = System.nanoTime();
      long cpuDone = cpuNanos();
      long findings = stopAt < 1 ? -1 : countFindings(findingsStart, Duration.ofSeconds(60));
      long tFindings = System.nanoTime();
      printThreadCpu(threads0, threadCpu());
      streams.close(Duration.ofSeconds(60));
      // warmed: from the first sample past 20 % to the first past 90 %
      long[] a = samples.stream().filter(s -> s[1] >= end / 5).findFirst().orElse(samples.get(0));
      long[] b = samples.stream().filter(s -> s[1] >= end * Math.min(0.9, stopAt)).findFirst().orElse(samples.get(samples.size() - 1));
      double warm = (b[1] - a[1]) / ((b[0] - a[0]) / 1e9);
      double warmCpu = (b[2] - a[2]) / 1e9;
      double total = (tDone - t0) / 1e9;
      System.out.printf("RESULT guarantee=%s summaries=%d flows=%d wall=%.1fs overall=%.0f/s warmed(20-90%%)=%.0f/s "
              + "(cpu %.1f s over %.1f s wall = %.2f cores) cpuTotal=%.1fs peakRss=%d MB findings=%d/%d "
              + "(all readable %.1f s after the last summary was committed) load=%s%n",
          guarantee, end, flows, total, end / total, warm, warmCpu, (b[0] - a[0]) / 1e9, warmCpu / ((b[0] - a[0]) / 1e9),
          (cpuDone - cpu0) / 1e9, Math.max(maxRss, rssKb()) / 1024, findings, rsts, (tFindings - tDone) / 1e9,
          Files.readString(Path.of("/proc/loadavg")).trim());
      if (stopAt >= 1) {
        stateSize(admin, appId, flows);
      }
      deleteInternalTopics(admin, appId);
    }
  }

  /**
   * Every run makes ~120 partitions of changelogs and repartition topics under a fresh application id; left on
   * the broker they pile up by the thousand and slow it (log cleaner, index files), which drifts the figures.
   * Pass -Dbench.keepTopics=true to keep them.
   */
  static void deleteInternalTopics(Admin admin, String appId) throws Exception {
    if (Boolean.getBoolean("bench.keepTopics")) {
      return;
    }
    List<String> mine = admin.listTopics().names().get().stream().filter(t -> t.startsWith(appId + "-")).toList();
    admin.deleteTopics(mine).all().get();
    System.out.println("deleted " + mine.size() + " internal topics of " + appId);
  }

  /** CPU seconds of every live thread of this process, by thread id: [seconds] plus its name (from /proc/self/task). */
  static Map<String, double[]> threadCpu() throws IOException {
    Map<String, double[]> out = new HashMap<>();
    try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
      for (Path task : (Iterable<Path>) tasks::iterator) {
        try {
          String name = Files.readString(task.resolve("comm")).trim();
          String stat = Files.readString(task.resolve("stat"));
          String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
          double seconds = (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0; // USER_HZ
          out.put(task.getFileName() + " " + name, new double[] {seconds});
        } catch (IOException | RuntimeException e) {
          // the thread ended while being read
        }
      }
    }
    return out;
  }

  /**
   * CPU seconds per thread group over a run: shows what a sampling profiler leaves out (the JIT compilers, GC,
   * RocksDB's own threads) beside the stream threads.
   */
  static void printThreadCpu(Map<String, double[]> before, Map<String, double[]> after) {
    Map<String, Double> byGroup = new TreeMap<>();
    after.forEach((id, now) -> {
      double[] then = before.get(id);
      String name = id.substring(id.indexOf(' ') + 1);
      // Linux keeps 15 characters of a thread's name: stream threads show as their application id
      // ("b2-eos-1795598434"), the JVM's as "C2 CompilerThre", "GC Thread#1"; the trailing number is dropped.
      String group = name.replaceAll("[-#]?\\d+$", "");
      byGroup.merge(group, now[0] - (then == null ? 0 : then[0]), Double::sum);
    });
    StringBuilder sb = new StringBuilder("THREADS cpu s:");
    byGroup.entrySet().stream().filter(e -> e.getValue() >= 0.2)
        .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
        .forEach(e -> sb.append(String.format(" %s=%.1f", e.getKey(), e.getValue())));
    System.out.println(sb);
  }

  /**
   * The topology under test: the real one, or with -Dbench.topology a floor that only reads the summaries
   * (floor-bytes: raw records; floor-avro: decoded key and value), to measure what Kafka Streams itself costs
   * per record on this machine with the same settings.
   */
  static Topology topology(Topics topics) {
    String which = System.getProperty("bench.topology", "real");
    if (which.equals("real")) {
      return RstTopology.build(config(), topics);
    }
    StreamsBuilder builder = new StreamsBuilder();
    boolean decode = switch (which) {
      case "floor-avro" -> true;
      case "floor-bytes" -> false;
      default -> throw new IllegalArgumentException("bench.topology: real, floor-avro or floor-bytes, not " + which);
    };
    AtomicLong sink = new AtomicLong();
    if (decode) {
      builder.stream(topics.packets.name(), Consumed.with(topics.packets.keySerde(), topics.packets.valueSerde()))
          .foreach((k, v) -> sink.addAndGet(v.getCaptureTime().toEpochMilli()));
    } else {
      builder.stream(topics.packets.name(), Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()))
          .foreach((k, v) -> sink.addAndGet(v.length));
    }
    return builder.build();
  }

  static long committed(Admin admin, String appId, String topic) throws Exception {
    Map<TopicPartition, OffsetAndMetadata> offs =
        admin.listConsumerGroupOffsets(appId).partitionsToOffsetAndMetadata().get();
    return offs.entrySet().stream().filter(e -> e.getKey().topic().equals(topic) && e.getValue() != null)
        .mapToLong(e -> e.getValue().offset()).sum();
  }

  /** Findings this run wrote (read_committed, from the offsets before it started), until 3 s without any. */
  static long countFindings(Map<TopicPartition, Long> from, Duration timeout) {
    long n = 0;
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(consumerProps())) {
      c.assign(from.keySet());
      from.forEach(c::seek);
      long deadline = System.nanoTime() + timeout.toNanos();
      long lastSeen = System.nanoTime();
      while (System.nanoTime() < deadline && System.nanoTime() - lastSeen < 3_000_000_000L) {
        int got = c.poll(Duration.ofMillis(200)).count();
        if (got > 0) {
          n += got;
          lastSeen = System.nanoTime();
        }
      }
    }
    return n;
  }

  static Properties consumerProps() {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, BOOTSTRAP);
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "10");
    return p;
  }

  /** RocksDB files per store on disk, and changelog bytes on the broker, per flow. */
  static void stateSize(Admin admin, String appId, long flows) throws Exception {
    Map<String, Long> disk = new TreeMap<>();
    Path root = STATE.resolve(appId).resolve(appId);
    try (Stream<Path> files = Files.walk(root)) {
      files.filter(Files::isRegularFile).forEach(f -> {
        Path rel = root.relativize(f);
        // <task>/rocksdb/<store>/...
        if (rel.getNameCount() >= 3 && rel.getName(1).toString().equals("rocksdb")) {
          try {
            disk.merge(rel.getName(2).toString(), Files.size(f), Long::sum);
          } catch (IOException ignored) {
            // removed meanwhile
          }
        }
      });
    }
    Map<String, Long> changelog = new TreeMap<>();
    Map<Integer, Map<String, LogDirDescription>> dirs = admin.describeLogDirs(List.of(1)).allDescriptions().get();
    for (Map<String, LogDirDescription> byDir : dirs.values()) {
      for (LogDirDescription d : byDir.values()) {
        for (Map.Entry<TopicPartition, ReplicaInfo> e : d.replicaInfos().entrySet()) {
          String t = e.getKey().topic();
          if (t.startsWith(appId + "-") && t.endsWith("-changelog")) {
            changelog.merge(t.substring(appId.length() + 1, t.length() - "-changelog".length()), e.getValue().size(),
                Long::sum);
          }
        }
      }
    }
    for (String store : new java.util.TreeSet<>(union(disk.keySet(), changelog.keySet()))) {
      long d = disk.getOrDefault(store, 0L);
      long c = changelog.getOrDefault(store, 0L);
      System.out.printf("STATE %-24s rocksdb %,14d B (%,7.0f B/flow)  changelog %,14d B (%,7.0f B/flow)%n",
          store, d, (double) d / flows, c, (double) c / flows);
    }
  }

  static List<String> union(java.util.Set<String> a, java.util.Set<String> b) {
    List<String> out = new ArrayList<>(a);
    for (String s : b) {
      if (!out.contains(s)) {
        out.add(s);
      }
    }
    return out;
  }

  static long cpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
  }

  static long rssKb() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException ignored) {
      // not Linux
    }
    return 0;
  }

  // ---------------------------------------------------------------- latency

  /** Broker ack times of the live watermarks, per watermark value and partition (latest point's ack). */
  static final class WmTracker {
    final List<Long> values = Collections.synchronizedList(new ArrayList<>());
    final Map<Long, long[]> acks = new ConcurrentHashMap<>();

    void sent(long micros) {
      values.add(micros);
    }

    void acked(long micros, int partition, long nanos) {
      long[] a = acks.computeIfAbsent(micros, m -> new long[PARTITIONS]);
      synchronized (a) {
        a[partition] = Math.max(a[partition], nanos);
      }
    }

    /** When the first watermark at or past need was on the broker for this partition (from every point). */
    long closedAt(long needMicros, int partition) {
      synchronized (values) {
        for (long v : values) {
          if (v >= needMicros) {
            long[] a = acks.get(v);
            return a == null ? 0 : a[partition];
          }
        }
      }
      return 0;
    }
  }

  record RstInfo(long firstMicros, int partition) {}

  static void latency(String prefix, String guarantee, int rate, int seconds) throws Exception {
    Topics topics = new Topics(prefix, PARTITIONS);
    createTopics(topics);
    String appId = prefix + "-" + guarantee + "-live";
    KafkaStreams streams = new KafkaStreams(RstTopology.build(config(), topics), streamsProps(appId, guarantee));
    streams.start();
    long waitStart = System.nanoTime();
    while (streams.state() != KafkaStreams.State.RUNNING && System.nanoTime() - waitStart < 60e9) {
      Thread.sleep(100);
    }
    Thread.sleep(3000); // let the group settle after RUNNING
    long cpu0 = cpuNanos();
    Map<String, RstInfo> rstByFlow = new ConcurrentHashMap<>();
    Map<String, Long> seenAt = new ConcurrentHashMap<>();
    AtomicLong findings = new AtomicLong();
    volatileStop = false;
    Thread reader = new Thread(() -> {
      try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(consumerProps())) {
        List<TopicPartition> parts = new ArrayList<>();
        for (int i = 0; i < PARTITIONS; i++) {
          parts.add(new TopicPartition(topics.findings.name(), i));
        }
        c.assign(parts);
        c.seekToBeginning(parts);
        while (!volatileStop) {
          for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(50))) {
            long now = System.nanoTime();
            seenAt.putIfAbsent(HexFormat.of().formatHex(r.key()), now);
            findings.incrementAndGet();
          }
        }
      }
    }, "bench-findings-reader");
    reader.start();
    WmTracker wm = new WmTracker();
    Serializer<FlowKey> ks = topics.packets.keySerde().serializer();
    Serializer<PacketSummary> vs = topics.packets.valueSerde().serializer();
    String topic = topics.packets.name();
    byte[] wmKey = ks.serialize(topic, FlowKeys.of(new byte[4], 0, new byte[4], 0));
    long sent = 0;
    long flows = 0;
    long start = System.nanoTime();
    long startMicros = Summaries.micros(Instant.now());
    long lastWm = System.nanoTime();
    long maxRss = 0;
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProps())) {
      // groups of flows of about rate/10 summaries every 100 ms, captured "now"
      List<Out> pending = new ArrayList<>();
      int cursor = 0;
      int liveGroup = Math.max(10, rate / 10 / 22); // about 100 ms of summaries per group
      while (System.nanoTime() - start < seconds * 1_000_000_000L) {
        long elapsed = System.nanoTime() - start;
        long due = (long) (rate * (elapsed / 1e9));
        long nowMicros = startMicros + elapsed / 1000;
        while (sent < due) {
          if (cursor >= pending.size()) {
            pending = group(flows, nowMicros, liveGroup);
            flows += liveGroup;
            cursor = 0;
          }
          Out o = pending.get(cursor++);
          // the capture time is when we publish it: a live agent
          long ts = Summaries.micros(o.value.getCaptureTime());
          if (ts > nowMicros) {
            break; // not captured yet
          }
          byte[] kb = ks.serialize(topic, o.key);
          boolean trackRst = o.rst; // the first sighting sent is the earliest (groups are in capture order)
          producer.send(new ProducerRecord<>(topic, kb, vs.serialize(topic, o.value)), trackRst ? (m, e) -> {
            if (e == null) {
              rstByFlow.putIfAbsent(HexFormat.of().formatHex(kb), new RstInfo(ts, m.partition()));
            }
          } : null);
          sent++;
        }
        if (System.nanoTime() - lastWm >= 1_000_000_000L) {
          lastWm = System.nanoTime();
          long w = Summaries.micros(Instant.now()) - 1;
          // everything captured before w has been sent (pending packets are all later than nowMicros)
          w = Math.min(w, startMicros + (System.nanoTime() - start) / 1000);
          if (cursor < pending.size()) {
            w = Math.min(w, Summaries.micros(pending.get(cursor).value.getCaptureTime()) - 1);
          }
          wm.sent(w);
          watermarks(producer, topic, wmKey, vs, w, wm);
          maxRss = Math.max(maxRss, rssKb());
        }
        Thread.sleep(1);
      }
      // keep watermarks flowing so the last RSTs' windows close
      long tail = System.nanoTime();
      while (System.nanoTime() - tail < 8_000_000_000L) {
        Thread.sleep(1000);
        long w = Summaries.micros(Instant.now()) - 1;
        wm.sent(w);
        watermarks(producer, topic, wmKey, vs, w, wm);
      }
      producer.flush();
    }
    Thread.sleep(2000);
    volatileStop = true;
    reader.join();
    double secs = seconds;
    double cpu = (cpuNanos() - cpu0) / 1e9;
    long waitMicros = config().waitMicros();
    List<Long> lat = new ArrayList<>();
    long missing = 0;
    Map<Long, long[]> bySecond = new java.util.TreeMap<>(); // second of the run -> {count, max ms}
    // A cold JVM lags behind a high live rate for its first seconds (JIT); "steady" leaves them out.
    long warmup = Long.getLong("bench.warmupSeconds", 15);
    List<Long> steady = new ArrayList<>();
    for (Map.Entry<String, RstInfo> e : rstByFlow.entrySet()) {
      Long seen = seenAt.get(e.getKey());
      long closed = wm.closedAt(e.getValue().firstMicros + waitMicros, e.getValue().partition);
      if (seen == null || closed == 0) {
        missing++;
        continue;
      }
      lat.add(seen - closed);
      if ((e.getValue().firstMicros - startMicros) / 1_000_000 >= warmup) {
        steady.add(seen - closed);
      }
      long[] b = bySecond.computeIfAbsent((e.getValue().firstMicros - startMicros) / 1_000_000, k -> new long[2]);
      b[0]++;
      b[1] = Math.max(b[1], (seen - closed) / 1_000_000);
    }
    StringBuilder series = new StringBuilder();
    bySecond.forEach((sec, b) -> series.append(' ').append(sec).append("s:").append(b[1]));
    System.out.println("LATENCY_MAX_MS_BY_RST_SECOND" + series);
    streams.close(Duration.ofSeconds(30));
    Collections.sort(lat);
    System.out.printf("LATENCY guarantee=%s rate=%d/s for %d s: sent=%d flows=%d rsts=%d findings=%d missing=%d "
            + "p50=%.0f ms p90=%.0f ms p99=%.0f ms max=%.0f ms min=%.0f ms; cpu %.1f s (%.2f cores incl. producer) "
            + "peakRss=%d MB load=%s%n",
        guarantee, rate, seconds, sent, flows, rstByFlow.size(), findings.get(), missing,
        pct(lat, 50), pct(lat, 90), pct(lat, 99), pct(lat, 100), pct(lat, 0), cpu, cpu / (secs + 10),
        maxRss / 1024, Files.readString(Path.of("/proc/loadavg")).trim());
    Collections.sort(steady);
    System.out.printf("LATENCY_STEADY RSTs first seen after the first %d s: %d, p50=%.0f ms p90=%.0f ms p99=%.0f ms"
        + " max=%.0f ms%n", warmup, steady.size(), pct(steady, 50), pct(steady, 90), pct(steady, 99), pct(steady, 100));
    System.out.println("LATENCY_MS_SAMPLE " + Arrays.toString(lat.stream().skip(Math.max(0, lat.size() - 5))
        .map(x -> x / 1_000_000).toArray()));
  }

  static volatile boolean volatileStop;

  static double pct(List<Long> sorted, int p) {
    if (sorted.isEmpty()) {
      return Double.NaN;
    }
    int i = (int) Math.min(sorted.size() - 1, Math.ceil(p / 100.0 * sorted.size()) - 1);
    return sorted.get(Math.max(0, i)) / 1e6;
  }
}
