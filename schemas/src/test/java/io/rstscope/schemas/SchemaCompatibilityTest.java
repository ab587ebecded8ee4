package io.rstscope.schemas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rstscope.avro.PointStatus;
import io.rstscope.avro.PointRole;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.specific.SpecificData;
import org.junit.jupiter.api.Test;

/** Every older schema version kept in the history can be read by the current class of the same name. */
class SchemaCompatibilityTest {

  static List<Schema> history() throws Exception {
    List<Schema> out = new ArrayList<>();
    for (var url : Collections.list(SchemaCompatibilityTest.class.getClassLoader().getResources(SchemaHistory.INDEX))) {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(url.openStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = r.readLine()) != null; ) {
          line = line.strip();
          if (line.isEmpty() || line.startsWith("#")) {
            continue;
          }
          try (InputStream in = SchemaCompatibilityTest.class.getResourceAsStream("/rstscope/schema-history/" + line)) {
            out.add(new Schema.Parser().parse(in));
          }
        }
      }
    }
    return out;
  }

  @Test
  void shouldReadEveryOlderVersionWithTheCurrentSchema() throws Exception {
    List<Schema> older = history();
    assertTrue(older.stream().anyMatch(s -> s.getName().equals("PointStatus")), "the history lists PointStatus");
    for (Schema writer : older) {
      Schema reader = SpecificData.get().getSchema(Class.forName(writer.getNamespace() + "." + writer.getName()));
      var result = SchemaCompatibility.checkReaderWriterCompatibility(reader, writer);
      assertEquals(SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE, result.getType(),
          writer.getName() + ": " + result.getDescription());
    }
  }

  @Test
  void shouldReadAHeartbeatOfAnAgentFromBeforeKernelProbesAsACapturePoint() throws Exception {
    byte[] bytes = OlderWriters.encode("PointStatus-v1.avsc", java.util.Map.of(
        "point", "P1",
        "source", "eth0",
        "live", true,
        "agentTime", 1_700_000_000_000_000L,
        "startedAt", 1_699_999_990_000_000L));
    PointStatus status = AvroSerde.of(PointStatus.class).fromBytes(bytes);
    assertEquals(PointRole.CAPTURE, status.getRole());
    assertTrue(status.getHostAddresses().isEmpty());
  }
}
