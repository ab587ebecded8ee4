package io.rstscope.processor.golden;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.rstscope.agent.AgentConfig;
import io.rstscope.agent.AgentReport;
import io.rstscope.agent.CaptureAgent;
import io.rstscope.avro.RstFinding;
import io.rstscope.avro.Sighting;
import io.rstscope.deploy.testing.KafkaTestCluster;
import io.rstscope.deploy.testing.LabCaptures;
import io.rstscope.processor.analyze.FindingsReader;
import io.rstscope.processor.analyze.StreamsCompletion;
import io.rstscope.processor.app.StreamsSettings;
import io.rstscope.processor.evaluate.LabTruth;
import io.rstscope.processor.topology.ProcessorConfig;
import io.rstscope.processor.topology.RstTopology;
import io.rstscope.schemas.Topics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole product live: the lab's namespace network is built, three capture agents capture
 * live on the routers' interfaces (P1 on R1 facing the client, P2 and P3 on R2) through pcap4j,
 * publish to a real broker, the topology runs, the lab's bypass_block scenario is played by
 * the real kernels and the injector, and the findings must match the lab's recorded truth for
 * that scenario. Needs root and the lab's tools (CI runs as root and installs them); skipped
 * otherwise.
 */
@ExtendWith(KafkaTestCluster.class)
class LiveLabTest {
  static final String SCENARIO = "bypass_block";

  record Point(String name, String netns, String iface) {}

  static final List<Point> POINTS = List.of(
      new Point("P1", "rsl-r1", "r1-c"), new Point("P2", "rsl-r2", "r2-r1"), new Point("P3", "rsl-r2", "r2-s"));

  @Test
  void shouldExplainAnInjectionCapturedLiveAtThreePoints(KafkaTestCluster.Broker kafka, @TempDir Path state) throws Exception {
    assumeTrue("root".equals(System.getProperty("user.name")), "the live lab needs root");
    Path lab = LabCaptures.root().getParent();
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/python3")) && run(lab.resolve("lab-net.sh").toString(), "status") >= 0,
        "lab tools missing");
    LabTruth truth = LabTruth.read(LabCaptures.root().resolve(SCENARIO));
    Topics topics = kafka.newTopics("live", 4);
    ExecutorService pool = Executors.newFixedThreadPool(POINTS.size());
    List<CaptureAgent> agents = new ArrayList<>();
    try {
      assertEquals(0, run(lab.resolve("lab-net.sh").toString(), "up"), "lab network up");
      String appId = "rstscope-live-" + ProcessHandle.current().pid();
      try (KafkaStreams streams = new KafkaStreams(
          RstTopology.build(ProcessorConfig.builder().pathOrder(truth.path())
              .expectedPoints(java.util.Set.copyOf(truth.path())).build(), topics),
          StreamsSettings.of(appId, kafka.bootstrap(), state, 1, Map.of()))) {
        streams.start();
        List<Future<AgentReport>> reports = new ArrayList<>();
        for (Point p : POINTS) {
          CaptureAgent agent = new CaptureAgent(AgentConfig.builder().point(p.name()).site("lab").iface(p.iface())
              .netns(p.netns()).bootstrap(kafka.bootstrap()).topics(topics).heartbeatInterval(Duration.ofSeconds(1)).build());
          agents.add(agent);
          reports.add(pool.submit(agent::run));
        }
        Thread.sleep(3000); // the agents open their handles and reach the cluster
        reports.forEach(r -> assertTrue(!r.isDone(), "an agent stopped early"));

        Map<String, String> env = Map.of("LAB_NO_CAPTURE", "1", "LAB_REUSE_NET", "1");
        assertEquals(0, run(env, lab.resolve("run-lab.sh").toString(), SCENARIO), "the scenario ran");
        Thread.sleep(2000); // the collateral RST comes ~300 ms after the injection; leave the agents time to see it
        agents.forEach(CaptureAgent::stop);
        long captured = 0;
        for (Future<AgentReport> f : reports) {
          AgentReport r = f.get(60, TimeUnit.SECONDS);
          captured += r.captured();
          // At the lab's rates nothing may be lost before the agent: libpcap's own counters.
          assertEquals(0, r.pcapDropped() + r.pcapIfDropped(), "kernel or interface drops: " + r);
          assertEquals(0, r.dropped(), "summaries dropped by the agent: " + r);
        }
        assertTrue(captured > 0, "the agents captured the scenario's packets live");

        new StreamsCompletion(kafka.bootstrap(), appId, topics.packets.name(), Duration.ofSeconds(120)).await(streams);
        List<RstFinding> findings = FindingsReader.readAll(kafka.bootstrap(), topics);
        assertEquals(truth.rsts().size(), findings.size(), "one finding per RST of the scenario: " + findings);
        for (LabTruth.TruthRst t : truth.rsts()) {
          // Sequence numbers differ from the recorded run; endpoints and flags do not.
          RstFinding f = findings.stream().filter(x -> x.getRst().getSrc().equals(t.rst().src())
              && x.getRst().getDst().equals(t.rst().dst()) && x.getRst().getFlags().equals(t.rst().flags()))
              .findFirst().orElse(null);
          assertNotNull(f, "no live finding for " + t.rst() + " among " + findings);
          assertEquals(t.expected().emitter(), f.getEmitter().toString(), "emitter of " + t.rst());
          assertEquals(t.expected().location(), f.getLocation(), "location of " + t.rst());
          assertEquals(t.expected().forged(), f.getForged(), "forged of " + t.rst());
          assertEquals(t.expected().phase(), f.getPhase().toString(), "phase of " + t.rst());
          assertEquals(t.expected().cause(), f.getCause().toString(), "cause of " + t.rst());
          assertEquals(t.sightings().stream().map(LabTruth.Sighting::point).sorted().toList(),
              f.getSightings().stream().map(Sighting::getPoint).sorted().toList(), "points that saw " + t.rst());
        }
      }
    } finally {
      agents.forEach(CaptureAgent::stop);
      pool.shutdownNow();
      run(lab.resolve("lab-net.sh").toString(), "down");
    }
  }

  static int run(String... command) throws IOException, InterruptedException {
    return run(Map.of(), command);
  }

  static int run(Map<String, String> env, String... command) throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(Path.of("target", "live-lab.log").toFile()));
    pb.environment().putAll(env);
    Files.createDirectories(Path.of("target"));
    Process p = pb.start();
    if (!p.waitFor(180, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return -1;
    }
    return p.exitValue();
  }
}
