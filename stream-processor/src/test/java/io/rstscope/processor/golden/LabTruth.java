package io.rstscope.processor.golden;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rstscope.deploy.testing.LabCaptures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** A lab scenario's truth.json (deploy/lab/README.md): what really emitted every RST in its captures. */
record LabTruth(String scenario, String description, List<String> path, Map<String, Long> clockOffsetsMicros, List<TruthRst> rsts) {

  record Flow(String client, String server, String proto) {}

  record Rst(String src, String dst, long seq, long ack, String flags, Integer ipId) {}

  record Sighting(String point, int ttl) {}

  record Expected(String emitter, String location, boolean forged, String phase, String cause) {}

  record TruthRst(Flow flow, Rst rst, List<Sighting> sightings, Expected expected) {}

  static final Path CAPTURES = LabCaptures.root();

  private static final ObjectMapper JSON = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  static LabTruth read(Path scenarioDir) {
    try {
      return JSON.readValue(scenarioDir.resolve("truth.json").toFile(), LabTruth.class);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + scenarioDir.resolve("truth.json") + ": " + e.getMessage(), e);
    }
  }

  /** Every scenario folder that has a truth file, by name. */
  static List<Path> scenarios() {
    try (Stream<Path> dirs = Files.list(CAPTURES)) {
      return dirs.filter(d -> Files.isRegularFile(d.resolve("truth.json"))).sorted().toList();
    } catch (IOException e) {
      throw new IllegalStateException("cannot list " + CAPTURES, e);
    }
  }
}
