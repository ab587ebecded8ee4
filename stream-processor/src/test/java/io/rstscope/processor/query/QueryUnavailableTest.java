package io.rstscope.processor.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rstscope.processor.app.StreamsSettings;
import io.rstscope.processor.topology.ProcessorConfig;
import io.rstscope.processor.topology.RstTopology;
import io.rstscope.schemas.Topics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.state.HostInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** While state is not queryable (starting, rebalancing) every store endpoint answers 503 with Retry-After. */
class QueryUnavailableTest {
  static final HttpClient HTTP = HttpClient.newHttpClient();

  static HttpResponse<String> get(int port, String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(5))
        .build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void shouldAnswer503WithRetryAfterUntilStreamsRun(@TempDir Path state) throws Exception {
    try (ProcessorMetrics metrics = new ProcessorMetrics();
         QueryServer server = QueryServer.start("127.0.0.1", 0, null, metrics)) {
      int port = server.port();
      HttpResponse<String> starting = get(port, "/api/findings");
      assertEquals(503, starting.statusCode());
      assertEquals("2", starting.headers().firstValue("Retry-After").orElse(""));
      Topics topics = Topics.defaults();
      // Created, not started: the same as a store that is not yet (or no longer) queryable.
      try (KafkaStreams streams = new KafkaStreams(RstTopology.build(ProcessorConfig.defaults(), topics),
          StreamsSettings.of("rstscope-unavailable-test", "127.0.0.1:1", state, 1, Map.of()))) {
        server.attach(new QueryService(streams, new HostInfo("127.0.0.1", port),
            new Remote(null, Duration.ofSeconds(1), Duration.ofSeconds(1)), ProcessorConfig.defaults(), topics));
        for (String path : new String[] {"/api/flows/10.0.0.1:1-10.0.0.2:2", "/api/findings", "/api/scans",
            "/api/segments", "/api/points", "/api/flows?community_id=x"}) {
          HttpResponse<String> r = get(port, path);
          assertEquals(503, r.statusCode(), path + ": " + r.body());
          assertTrue(r.headers().firstValue("Retry-After").isPresent(), path);
          assertTrue(r.body().contains("\"error\""), path);
        }
        HttpResponse<String> ready = get(port, "/ready");
        assertEquals(503, ready.statusCode());
        assertEquals(200, get(port, "/health").statusCode(), "created is alive, only not ready");
        assertEquals(400, get(port, "/api/flows/nonsense").statusCode(), "a bad key is the caller's error even now");
      }
    }
  }
}
