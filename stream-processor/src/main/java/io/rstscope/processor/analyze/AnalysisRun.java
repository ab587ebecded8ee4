package io.rstscope.processor.analyze;

import io.rstscope.agent.AgentConfig;
import io.rstscope.agent.AgentReport;
import io.rstscope.agent.CaptureAgent;
import io.rstscope.agent.publish.KafkaPublisher;
import io.rstscope.avro.RstFinding;
import io.rstscope.deploy.broker.EmbeddedKafka;
import io.rstscope.deploy.topics.TopicProvisioner;
import io.rstscope.processor.app.StreamsSettings;
import io.rstscope.processor.topology.ProcessorConfig;
import io.rstscope.processor.topology.RstTopology;
import io.rstscope.schemas.Topics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;

/**
 * One {@code rstscope analyze} run: a real broker (embedded unless one is given), the real
 * capture agents replaying each point's file, the real topology, and a wait until every
 * correlation window has closed. Completion is exact, not a sleep: agents end each replay with
 * a final watermark on every partition, which makes the topology decide everything pending, so
 * the run is complete once the processor has committed every input record and holds no
 * pending RST.
 */
public final class AnalysisRun {
  /** What the run produced. */
  public record Result(List<RstFinding> findings, Map<String, AgentReport> agents, Duration elapsed,
      Map<String, io.rstscope.processor.web.Ladder> ladders, Map<String, Long> clockOffsetsMicros,
      List<String> flows) {
    public Result(List<RstFinding> findings, Map<String, AgentReport> agents, Duration elapsed) {
      this(findings, agents, elapsed, Map.of(), Map.of(), List.of());
    }

    public Result withFindings(List<RstFinding> replaced) {
      return new Result(replaced, agents, elapsed, ladders, clockOffsetsMicros, flows);
    }
  }

  /** Also read each finding's flow from the stores before the run closes, to draw ladders (--format html). */
  private boolean withLadders;
  private Consumer<String> notices;

  /** Where one-line notices go (a --path the TTLs contradict); by default with the progress lines. */
  public AnalysisRun withNotices(Consumer<String> sink) {
    this.notices = sink;
    return this;
  }

  public AnalysisRun withLadders(boolean on) {
    this.withLadders = on;
    return this;
  }

  /** Also write the per-flow log (one line per connection, FlowLog) from the flow states before the run closes. */
  private boolean withFlows;

  public AnalysisRun withFlows(boolean on) {
    this.withFlows = on;
    return this;
  }

  /** A BPF filter of the user's, applied at every point on top of "tcp"; null or blank for none. */
  private String filter;

  public AnalysisRun withFilter(String userFilter) {
    this.filter = userFilter;
    return this;
  }

  /** What each point's capture is filtered with: TCP, and the user's filter when one is given. */
  public static String captureFilter(String userFilter) {
    return userFilter == null || userFilter.isBlank() ? "tcp" : "tcp and (" + userFilter.strip() + ")";
  }

  /**
   * A one-shot run starts from empty topics and is simply run again if it fails, so it does not
   * need exactly-once: on a fresh broker the transaction coordinator's start-up alone costs
   * 15-20 s. With no failure, at-least-once produces each finding exactly once.
   *
   * <p>Its stores start empty, yet Streams "restores" each of them from its changelog: the restore
   * consumer's fetch then waits out fetch.max.wait.ms (500 ms) on empty partitions, task after
   * task, about 2 s in all; the global consumer waits the same on close. Short waits and a short
   * poll suit a run that is idle only while starting and stopping; they change no result.
   *
   * <p>Commits every 100 ms, not the long-running processor's 500 ms: its completion is read from
   * committed offsets, and 250 ms already made a 1M-packet run 11-12 s instead of 8.4-8.9 s (BENCHMARKS.md).
   */
  static final Map<String, String> ONE_SHOT = Map.of(
      StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE,
      StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "100",
      StreamsConfig.POLL_MS_CONFIG, "10",
      StreamsConfig.restoreConsumerPrefix(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG), "10",
      StreamsConfig.globalConsumerPrefix(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG), "10");

  private final Map<String, Path> points;
  private final List<String> path;
  private final String bootstrap;
  private final Duration timeout;
  private final Consumer<String> progress;
  private List<KernelTraces.Trace> kernelTraces = List.of();

  /** Kernel probes' recordings to publish beside the captures (analyze --kernel-trace). */
  public AnalysisRun withKernelTraces(List<KernelTraces.Trace> traces) {
    this.kernelTraces = List.copyOf(traces);
    return this;
  }

  public AnalysisRun(Map<String, Path> points, List<String> path, String bootstrap, Duration timeout, Consumer<String> progress) {
    this.points = new LinkedHashMap<>(points);
    this.path = List.copyOf(path);
    this.bootstrap = bootstrap;
    this.timeout = timeout;
    this.progress = progress;
  }

  public Result run() throws Exception {
    long start = System.nanoTime();
    EmbeddedKafka embedded = null;
    Path stateDir = Files.createTempDirectory("rstscope-analyze-state-");
    // A prefix of its own per run, so runs against a shared cluster never read each other's records.
    String runId = "rstscope-analyze-" + UUID.randomUUID().toString().substring(0, 8);
    String servers = bootstrap;
    try {
      if (servers == null) {
        progress.accept("starting an embedded Kafka broker");
        // The broker starts on a thread of its own while this one builds the topology (both load many classes).
        embedded = EmbeddedKafka.launch(new Properties());
        servers = embedded.bootstrap();
      }
      Topics topics = new Topics(runId, 4);
      String applicationId = runId;

      // Every point is known up front: no RST is decided before a late-starting agent's first record arrives.
      // Each point replays one file: a point whose replay ended does not come back.
      ProcessorConfig.Builder builder = ProcessorConfig.builder().pathOrder(path).expectedPoints(points.keySet())
          .pointReturnWait(Duration.ZERO).notices(notices != null ? notices : progress);
      if (withFlows) {
        // The flow log reports every flow of the captures, however long ago in capture time it went quiet.
        builder.flowIdleExpiry(Duration.ofDays(365L * 100));
      }
      ProcessorConfig config = builder.build();
      Topology topology = RstTopology.build(config, topics);
      List<NewTopic> internalTopics = InternalTopics.of(topology.describe(), applicationId, topics);
      Properties settings = StreamsSettings.of(applicationId, servers, stateDir, 1, ONE_SHOT);

      if (embedded != null) {
        embedded.awaitReady(Duration.ofSeconds(60));
      }
      createTopics(servers, topics, internalTopics, applicationId);

      Map<String, AgentReport> reports;
      List<RstFinding> findings;
      Map<String, io.rstscope.processor.web.Ladder> ladders = Map.of();
      Map<String, Long> offsets = Map.of();
      List<String> flows = List.of();
      try (KafkaStreams streams = new KafkaStreams(topology, settings)) {
        streams.setUncaughtExceptionHandler(e -> {
          progress.accept("processor failed: " + e.getMessage());
          return org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
        // Kernel reports first: each must be in its flow's state before the RSTs of that flow are decided, which
        // happens once the captures' final watermarks have been processed.
        publishKernelTraces(servers, topics);
        streams.start();
        reports = replay(servers, topics);
        progress.accept("all captures published; waiting for the last correlation windows");
        new StreamsCompletion(servers, applicationId, List.of(topics.packets.name(), topics.kernel.name()), timeout)
            .await(streams);
        findings = FindingsReader.readAll(servers, topics);
        ladders = withLadders ? io.rstscope.processor.web.LocalLadders.read(streams, findings, config) : Map.of();
        offsets = io.rstscope.processor.web.LocalLadders.clockOffsetsMicros(streams, config);
        flows = withFlows ? LocalFlows.read(streams, path.isEmpty() ? List.copyOf(points.keySet()) : path) : List.of();
        if (embedded == null) {
          // Leave the group now, so that it is empty and can be deleted with the run's topics.
          streams.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP));
        }
      }
      findings.sort(Comparator.comparing(RstFinding::getRstTime).thenComparing(RstFinding::getFindingId));
      return new Result(findings, reports, Duration.ofNanos(System.nanoTime() - start), ladders, offsets, flows);
    } finally {
      if (embedded != null) {
        embedded.close();
      } else if (servers != null) {
        deleteRunTopics(servers, runId);
      }
      deleteRecursively(stateDir);
    }
  }

  /**
   * rstscope's topics through the provisioner, and Streams' internal topics in a request of their
   * own sent first, so the broker creates both sets at once and Streams finds its topics ready.
   * Looking the group up meanwhile makes a fresh broker create its offsets topic and load the group
   * coordinator now rather than when Streams first joins (about 0.4 s on the sample run).
   */
  private static void createTopics(String servers, Topics topics, List<NewTopic> internalTopics, String applicationId)
      throws Exception {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, servers))) {
      KafkaFuture<Void> internal = admin.createTopics(internalTopics).all();
      KafkaFuture<?> coordinator = admin.listConsumerGroupOffsets(applicationId).partitionsToOffsetAndMetadata();
      new TopicProvisioner(1).provision(servers, topics, Map.of());
      try {
        internal.get(60, TimeUnit.SECONDS);
        coordinator.get(60, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        throw new IllegalStateException("cannot prepare the processor's topics and group: " + e.getCause().getMessage(), e.getCause());
      }
    }
  }

  /**
   * Each recording's events on the kernel topic, then the heartbeat its probe would have sent, through the agents'
   * publisher (the one a live probe uses). A replay waits for room rather than drop; anything not acknowledged in
   * the end fails the run.
   */
  private void publishKernelTraces(String servers, Topics topics) {
    if (kernelTraces.isEmpty()) {
      return;
    }
    KafkaPublisher publisher = new KafkaPublisher(servers, Map.of(), topics, "rstscope-analyze-kernel", 200_000,
        Duration.ofSeconds(60), true);
    try {
      publisher.awaitCluster(List.of(topics.kernel, topics.points));
      java.time.Instant now = java.time.Instant.now();
      for (KernelTraces.Trace trace : kernelTraces) {
        trace.events().forEach(publisher::kernelReset);
        publisher.heartbeat(trace.status(now));
        progress.accept("kernel trace " + trace.name() + ": " + trace.events().size() + " events for "
            + (trace.addresses().isEmpty() ? "no address" : String.join(", ", trace.addresses()))
            + (trace.skipped().isEmpty() ? "" : "; lines skipped: " + trace.skipped()));
      }
      publisher.flush();
    } finally {
      publisher.close();
    }
    if (publisher.dropped() > 0) {
      throw new IllegalStateException(publisher.dropped() + " kernel reports were not published: "
          + publisher.lastError());
    }
  }

  /**
   * A run on a given cluster leaves nothing behind: its topics (rstscope's and Streams' internal
   * ones all start with the run's prefix) and its consumer group. A cluster that refuses is told
   * in a progress line; the findings are already read, so the run itself still succeeds.
   */
  private void deleteRunTopics(String servers, String runId) {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, servers))) {
      List<String> names = admin.listTopics().names().get(30, TimeUnit.SECONDS).stream()
          .filter(name -> name.startsWith(runId + ".") || name.startsWith(runId + "-")).toList();
      admin.deleteTopics(names).all().get(30, TimeUnit.SECONDS);
      admin.deleteConsumerGroups(List.of(runId)).all().get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      progress.accept("could not delete this run's topics and group " + runId + "*: " + e.getCause().getMessage());
    } catch (java.util.concurrent.TimeoutException e) {
      progress.accept("could not delete this run's topics and group " + runId + "*: no answer within 30 s");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Replays every point at once. When one agent fails (a file libpcap refuses), the others are asked to stop and
   * are waited for, never interrupted: an interrupt inside a Kafka producer's close is logged by the client
   * with its stack trace, and the user must see only the one-line reason.
   */
  private Map<String, AgentReport> replay(String servers, Topics topics) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(points.size(), r -> {
      Thread t = new Thread(r, "analyze-agent");
      t.setDaemon(true);
      return t;
    });
    List<CaptureAgent> agents = new ArrayList<>();
    boolean complete = false;
    try {
      Map<String, Future<AgentReport>> running = new LinkedHashMap<>();
      for (Map.Entry<String, Path> point : points.entrySet()) {
        AgentConfig config = AgentConfig.builder().point(point.getKey()).file(point.getValue())
            .bootstrap(servers).topics(topics).filter(captureFilter(filter)).build();
        CaptureAgent agent = new CaptureAgent(config);
        agents.add(agent);
        running.put(point.getKey(), pool.submit(() -> {
          try (agent) {
            return agent.run();
          }
        }));
      }
      Map<String, AgentReport> reports = new LinkedHashMap<>();
      for (Map.Entry<String, Future<AgentReport>> f : running.entrySet()) {
        try {
          reports.put(f.getKey(), f.getValue().get());
        } catch (ExecutionException e) {
          throw e.getCause() instanceof Exception cause ? cause : e;
        }
      }
      complete = true;
      return reports;
    } finally {
      if (!complete) {
        agents.forEach(CaptureAgent::stop);
      }
      pool.shutdown();
      if (!pool.awaitTermination(AGENT_STOP_WAIT.toSeconds(), TimeUnit.SECONDS)) {
        progress.accept("agents still running " + AGENT_STOP_WAIT.toSeconds() + " s after the run ended; leaving them");
      }
    }
  }

  /** How long a failed run waits for its other agents to stop. */
  private static final Duration AGENT_STOP_WAIT = Duration.ofSeconds(60);

  private static void deleteRecursively(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete the temporary state folder " + dir, e);
    }
  }
}
