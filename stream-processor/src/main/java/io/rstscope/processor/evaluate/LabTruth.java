package io.rstscope.processor.evaluate;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A lab configuration's truth.json (deploy/lab/README.md): what really emitted every RST in its
 * captures. Fields this reader does not know are ignored, so the lab may add some; cause names are
 * plain strings, so a cause the product does not know yet is scored as a wrong verdict, not an error.
 */
public record LabTruth(String scenario, String description, List<String> path, Map<String, Long> clockOffsetsMicros,
    List<TruthRst> rsts) {

  public LabTruth {
    path = path == null ? List.of() : List.copyOf(path);
    clockOffsetsMicros = clockOffsetsMicros == null ? Map.of() : Map.copyOf(clockOffsetsMicros);
    rsts = rsts == null ? List.of() : List.copyOf(rsts);
  }

  public record Flow(String client, String server, String proto) {}

  public record Sighting(String point, int ttl) {}

  /** The right verdict, field by field. */
  public record Expected(String emitter, String location, boolean forged, String phase, String cause) {}

  /** What the emitting endpoint's kernel said about this RST (tcp:tcp_send_reset), when the lab recorded it. */
  public record Kernel(String event, String reason, String state) {}

  public record TruthRst(Flow flow, RstKey rst, List<Sighting> sightings, Expected expected, Kernel kernel) {}

  private static final ObjectMapper JSON = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  /** Reads DIR/truth.json; a missing, unreadable or malformed file is an {@link IOException} naming it. */
  public static LabTruth read(Path configurationDir) throws IOException {
    Path file = configurationDir.resolve("truth.json");
    try {
      LabTruth truth = JSON.readValue(file.toFile(), LabTruth.class);
      for (TruthRst r : truth.rsts()) {
        if (r.rst() == null || r.expected() == null) {
          throw new IOException("an entry of rsts lacks its rst or expected object");
        }
      }
      return truth;
    } catch (IOException e) {
      throw new IOException(file + ": " + e.getMessage().lines().findFirst().orElse("unreadable"), e);
    }
  }
}
