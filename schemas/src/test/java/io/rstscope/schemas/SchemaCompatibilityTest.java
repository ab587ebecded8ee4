package io.rstscope.schemas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rstscope.avro.PointStatus;
import io.rstscope.avro.PointRole;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
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
    Schema v1;
    try (InputStream in = getClass().getResourceAsStream("/rstscope/schema-history/PointStatus-v1.avsc")) {
      v1 = new Schema.Parser().parse(in);
    }
    GenericRecord record = new GenericData.Record(v1);
    for (Schema.Field f : v1.getFields()) {
      if (f.hasDefaultValue()) {
        record.put(f.name(), GenericData.get().getDefaultValue(f));
      }
    }
    record.put("point", "P1");
    record.put("source", "eth0");
    record.put("live", true);
    record.put("agentTime", 1_700_000_000_000_000L);
    record.put("startedAt", 1_699_999_990_000_000L);
    ByteBuffer encoded = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v1).encode(record);
    byte[] bytes = new byte[encoded.remaining()];
    encoded.get(bytes);
    PointStatus status = AvroSerde.of(PointStatus.class).fromBytes(bytes);
    assertEquals(PointRole.CAPTURE, status.getRole());
    assertTrue(status.getHostAddresses().isEmpty());
  }
}
