package io.rstscope.processor.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rstscope.agent.AgentConfig;
import io.rstscope.agent.CaptureAgent;
import io.rstscope.avro.FlowKey;
import io.rstscope.deploy.testing.KafkaTestCluster;
import io.rstscope.deploy.testing.LabCaptures;
import io.rstscope.processor.app.ProcessorRunner;
import io.rstscope.processor.topology.ProcessorConfig;
import io.rstscope.processor.topology.RstTopology;
import io.rstscope.schemas.Topics;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Two processor instances (two KafkaStreams in one JVM, own state folders and HTTP ports) against
 * a real broker, fed by the real agents replaying the lab's sample captures (refused connection,
 * firewall reject, injection, TLS block). Every flow is asked of the instance that does NOT hold
 * it, so each answer proves the forwarding; the page is then driven in headless Chromium.
 */
@ExtendWith(KafkaTestCluster.class)
class TwoInstanceQueryTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  static ProcessorRunner a;
  static ProcessorRunner b;
  static Topics topics;
  static List<JsonNode> findings;

  static Path scenario(String name) {
    return LabCaptures.scenario(name);
  }

  static ProcessorRunner instance(KafkaTestCluster.Broker kafka, String name) throws Exception {
    ProcessorConfig config = ProcessorConfig.builder().pathOrder(List.of("P1", "P2", "P3")).build();
    // At-least-once here only to skip the fresh broker's transaction-coordinator start (15-20 s); the runner's default is exactly_once_v2.
    ProcessorRunner.Options o = new ProcessorRunner.Options(kafka.bootstrap(), "rstscope-iq-" + topics.packets.name().split("\\.")[0],
        Files.createTempDirectory("rstscope-iq-" + name), 1, 0, config, topics,
        Map.of(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE), "127.0.0.1", 0, null, null, null, null);
    return new ProcessorRunner(o).start();
  }

  @BeforeAll
  static void startTwoInstancesAndReplayTheSample(KafkaTestCluster.Broker kafka) throws Exception {
    topics = kafka.newTopics("iq", 4);
    a = instance(kafka, "a");
    b = instance(kafka, "b");
    awaitRunning(a.streams());
    awaitRunning(b.streams());
    Path dir = scenario("sample");
    for (String point : List.of("P1", "P2", "P3")) {
      try (CaptureAgent agent = new CaptureAgent(AgentConfig.builder().point(point).file(dir.resolve(point + ".pcap"))
          .bootstrap(kafka.bootstrap()).topics(topics).build())) {
        agent.run();
      }
    }
    Set<String> truthFlows = new TreeSet<>();
    for (JsonNode r : JSON.readTree(dir.resolve("truth.json").toFile()).path("rsts")) {
      truthFlows.add(r.at("/flow/client").asText() + "-" + r.at("/flow/server").asText());
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (true) {
      findings = new ArrayList<>();
      HttpResponse<String> r = get(a, "/api/findings?limit=1000");
      if (r.statusCode() == 200) {
        JSON.readTree(r.body()).path("findings").forEach(findings::add);
      }
      Set<String> flows = new TreeSet<>();
      findings.forEach(f -> flows.add(f.at("/flow/client").asText() + "-" + f.at("/flow/server").asText()));
      if (flows.containsAll(truthFlows) && bothRunning()) {
        break;
      }
      assertTrue(System.nanoTime() < deadline, "findings of every truth flow within 90 s; have " + flows + ", want " + truthFlows);
      Thread.sleep(250);
    }
  }

  /** Both instances RUNNING (not in the middle of a rebalance). */
  private static boolean bothRunning() {
    return a.streams().state() == KafkaStreams.State.RUNNING && b.streams().state() == KafkaStreams.State.RUNNING;
  }

  static void awaitRunning(KafkaStreams s) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (s.state() != KafkaStreams.State.RUNNING) {
      assertTrue(System.nanoTime() < deadline, "streams RUNNING within 60 s, is " + s.state());
      Thread.sleep(100);
    }
  }

  @AfterAll
  static void stop() {
    if (b != null) b.close();
    if (a != null) a.close();
  }

  static HttpResponse<String> get(ProcessorRunner r, String path) throws IOException, InterruptedException {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + r.httpPort() + path))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
  }

  static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  static String key(JsonNode finding) {
    return finding.at("/flow/client").asText() + "-" + finding.at("/flow/server").asText();
  }

  /** The instance not holding the flow's partition, and the one holding it. */
  static ProcessorRunner[] otherAndHolder(String keyText) {
    FlowKey key = FlowKeyText.parseKey(keyText);
    KeyQueryMetadata md = a.streams().queryMetadataForKey(RstTopology.FLOW_STATE_STORE, key,
        topics.packets.keySerde().serializer());
    boolean aHolds = md.activeHost().port() == a.httpPort();
    return aHolds ? new ProcessorRunner[] {b, a} : new ProcessorRunner[] {a, b};
  }

  @Test
  void shouldAnswerForAFlowHeldByTheOtherInstance() throws Exception {
    Set<String> asked = new TreeSet<>();
    for (JsonNode f : findings) {
      String key = key(f);
      if (!asked.add(key)) continue;
      ProcessorRunner[] oh = otherAndHolder(key);
      HttpResponse<String> remote = get(oh[0], "/api/flows/" + enc(key));
      HttpResponse<String> local = get(oh[1], "/api/flows/" + enc(key));
      assertEquals(200, remote.statusCode(), remote.body());
      JsonNode flow = JSON.readTree(remote.body());
      assertEquals("127.0.0.1:" + oh[1].httpPort(), flow.get("held_by").asText(), "answered by the holder");
      assertNotEquals(oh[0].httpPort(), oh[1].httpPort());
      assertEquals(JSON.readTree(local.body()), flow, "the same answer whichever instance is asked");
      assertEquals(f.at("/flow/client").asText(), flow.get("client").asText());
      assertFalse(flow.get("segments").isEmpty());
      assertTrue(flow.get("points").has("P1"), "state across points: " + flow.get("points").fieldNames());
      // By community_id and by client/server, from the non-holder too.
      JsonNode byCid = JSON.readTree(get(oh[0], "/api/flows?community_id=" + enc(f.get("community_id").asText())).body());
      assertEquals(flow.get("key").asText(), byCid.get("key").asText());
      JsonNode byEnds = JSON.readTree(get(oh[0], "/api/flows?client=" + enc(f.at("/flow/client").asText())
          + "&server=" + enc(f.at("/flow/server").asText())).body());
      assertEquals(flow.get("key").asText(), byEnds.get("key").asText());
    }
    assertTrue(asked.size() >= 3, "the sample has several flows: " + asked);
  }

  @Test
  void shouldDrawTheForgedRstWhereItWasLocated() throws Exception {
    JsonNode forged = findings.stream().filter(f -> f.get("forged").asBoolean()
        && f.get("location").asText().startsWith("segment:")).findFirst().orElseThrow();
    ProcessorRunner[] oh = otherAndHolder(key(forged));
    HttpResponse<String> svg = get(oh[0], "/api/flows/" + enc(key(forged)) + "/ladder.svg");
    assertEquals(200, svg.statusCode());
    assertTrue(svg.headers().firstValue("Content-Type").orElse("").startsWith("image/svg+xml"));
    String body = svg.body();
    assertTrue(body.contains("class=\"pkt rst forged\" data-finding=\"" + forged.get("finding_id").asText() + "\" data-location=\""
        + forged.get("location").asText() + "\""), body);
    assertTrue(body.contains("class=\"located-segment forged\" data-location=\"" + forged.get("location").asText() + "\""));
    for (String p : List.of("P1", "P2", "P3")) {
      assertTrue(body.matches("(?s).*class=\"lifeline point [a-z-]+\" data-name=\"" + p + "\" data-coverage=\"[A-Z_]+\".*"),
          "point " + p + " drawn, with what it saw of the flow");
    }
  }

  @Test
  void shouldGiveTheSameListsOnBothInstancesAndFilterThem() throws Exception {
    JsonNode fa = JSON.readTree(get(a, "/api/findings?limit=1000").body()).get("findings");
    JsonNode fb = JSON.readTree(get(b, "/api/findings?limit=1000").body()).get("findings");
    assertEquals(fa, fb);
    JsonNode forged = JSON.readTree(get(b, "/api/findings?forged=true").body()).get("findings");
    assertFalse(forged.isEmpty());
    forged.forEach(f -> assertTrue(f.get("forged").asBoolean()));
    String cause = fa.get(0).get("cause").asText();
    JsonNode byCause = JSON.readTree(get(a, "/api/findings?cause=" + cause).body()).get("findings");
    byCause.forEach(f -> assertEquals(cause, f.get("cause").asText()));
    assertTrue(byCause.size() < fa.size() || fa.findValuesAsText("cause").stream().allMatch(cause::equals));
    String server = fa.get(0).at("/flow/server").asText();
    String addr = server.substring(0, server.lastIndexOf(':'));
    JsonNode byAddr = JSON.readTree(get(b, "/api/findings?address=" + addr).body()).get("findings");
    assertFalse(byAddr.isEmpty());
    byAddr.forEach(f -> assertTrue(f.toString().contains(addr)));
    assertEquals(JSON.readTree(get(a, "/api/segments").body()), JSON.readTree(get(b, "/api/segments").body()));
    JsonNode points = JSON.readTree(get(b, "/api/points").body());
    assertEquals(List.of("P1", "P2", "P3"), JSON.convertValue(points.get("path"), List.class));
    assertTrue(points.get("points").get(0).get("heartbeat").asBoolean(), "heartbeats from the agents: " + points);
  }

  @Test
  void shouldAnswer404ForUnknownFlowsAnd400ForBadKeys() throws Exception {
    HttpResponse<String> unknown = get(a, "/api/flows/" + enc("10.9.9.9:1-10.9.9.8:2"));
    assertEquals(404, unknown.statusCode(), unknown.body());
    assertTrue(JSON.readTree(unknown.body()).get("error").asText().contains("10.9.9.8:2"));
    assertEquals(404, get(b, "/api/flows?community_id=" + enc("1:AAAAAAAAAAAAAAAAAAAAAAAAAAA=")).statusCode());
    assertEquals(400, get(a, "/api/flows/not-a-key").statusCode());
    assertEquals(400, get(a, "/api/flows/" + enc("example.com:80-10.0.0.1:1")).statusCode(), "no DNS inside a query");
  }

  @Test
  void shouldServeMetricsHealthReadinessAndTheApiDescription() throws Exception {
    assertEquals(200, get(a, "/health").statusCode());
    HttpResponse<String> ready = get(b, "/ready");
    assertEquals(200, ready.statusCode());
    JsonNode readiness = JSON.readTree(ready.body());
    assertTrue(readiness.at("/cluster/reachable").asBoolean(), ready.body());
    assertTrue(readiness.get("verdictsByFallback").isNumber(), ready.body());
    assertTrue(readiness.get("points").isObject(), ready.body());
    String metrics = get(a, "/metrics").body();
    assertTrue(metrics.contains("rstscope_cluster_reachable 1.0"), metrics);
    assertTrue(metrics.contains("rstscope_verdicts_fallback_total"), metrics);
    assertTrue(metrics.contains("rstscope_store_entries{store=\"flow-state\"}"), metrics);
    assertTrue(metrics.contains("rstscope_recent_findings{cause="));
    assertTrue(metrics.contains("kafka_consumer_fetch_manager_records_lag"), "consumer lag exported");
    JsonNode openapi = JSON.readTree(get(b, "/openapi.json").body());
    assertTrue(openapi.at("/paths").has("/api/flows/{key}"));
  }

  // ---- the page, in headless Chromium ----

  static Path chromium() {
    for (String c : List.of("/usr/bin/chromium", "/usr/bin/chromium-browser")) {
      if (Files.isExecutable(Path.of(c))) return Path.of(c);
    }
    return null;
  }

  static String runChromium(Path userData, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(chromium().toString(), "--headless", "--no-sandbox", "--disable-gpu",
        "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--user-data-dir=" + userData, "--virtual-time-budget=8000", "--window-size=1500,1100"));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "chromium finished");
    return out;
  }

  @Test
  void shouldShowTheForgedRstInTheFlowPageInHeadlessChromium() throws Exception {
    Assumptions.assumeTrue(chromium() != null, "chromium not installed (CI installs it: deploy/lab/REQUIREMENTS)");
    JsonNode forged = findings.stream().filter(f -> f.get("forged").asBoolean()).findFirst().orElseThrow();
    ProcessorRunner[] oh = otherAndHolder(key(forged));
    String base = "http://127.0.0.1:" + oh[0].httpPort() + "/";
    Path out = Path.of("target/web-e2e");
    Files.createDirectories(out);
    String list = runChromium(Files.createTempDirectory("chromium-"), "--dump-dom", base);
    assertTrue(list.contains("data-finding=\"" + forged.get("finding_id").asText() + "\""), "the live list shows the finding");
    String flowUrl = base + "#/flow/" + enc(key(forged));
    String dom = runChromium(Files.createTempDirectory("chromium-"), "--dump-dom", flowUrl);
    assertTrue(dom.contains("class=\"pkt rst forged\""), "the diagram shows the forged RST:\n" + dom);
    assertTrue(dom.contains("located-segment forged"), "its segment is highlighted");
    for (String point : List.of("P1", "P2", "P3")) {
      assertTrue(dom.contains("class=\"lifeline point") && dom.contains("data-name=\"" + point + "\" data-coverage="),
          point + " keeps its lifeline, with what it saw of the flow");
    }
    assertTrue(dom.contains(forged.get("cause").asText()), "the evidence names the cause");
    Path shot = out.resolve("flow-forged-rst.png").toAbsolutePath();
    Files.deleteIfExists(shot);
    runChromium(Files.createTempDirectory("chromium-"), "--screenshot=" + shot, flowUrl);
    assertTrue(Files.size(shot) > 10_000, "screenshot kept at " + shot);
    assertNotNull(dom);
  }
}
