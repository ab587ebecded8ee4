package io.rstscope.schemas;

import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;

/** Records as an older writer sent them: encoded with a schema from the schema history. */
final class OlderWriters {
  private OlderWriters() {}

  static Schema schema(String historyFile) throws Exception {
    try (InputStream in = OlderWriters.class.getResourceAsStream("/rstscope/schema-history/" + historyFile)) {
      return new Schema.Parser().parse(in);
    }
  }

  /** Single-object encoding of a record of that older schema: its defaults, then the given values. */
  static byte[] encode(String historyFile, Map<String, Object> values) throws Exception {
    Schema old = schema(historyFile);
    GenericRecord record = new GenericData.Record(old);
    for (Schema.Field f : old.getFields()) {
      if (f.hasDefaultValue()) {
        record.put(f.name(), GenericData.get().getDefaultValue(f));
      }
    }
    values.forEach(record::put);
    ByteBuffer encoded = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), old).encode(record);
    byte[] bytes = new byte[encoded.remaining()];
    encoded.get(bytes);
    return bytes;
  }
}
