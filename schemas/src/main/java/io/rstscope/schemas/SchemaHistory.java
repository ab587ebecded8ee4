package io.rstscope.schemas;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.apache.avro.Schema;
import org.apache.avro.message.SchemaStore;

/**
 * Every schema a writer may have used: the current ones (registered by their serdes) and the
 * older versions listed in {@code rstscope/schema-history/index.txt}. When a schema changes,
 * copy its previous .avsc there and add a line to the index, so old records still decode.
 */
public final class SchemaHistory {
  static final String INDEX = "rstscope/schema-history/index.txt";
  private static final SchemaStore.Cache STORE = new SchemaStore.Cache();

  static {
    loadHistory();
  }

  private SchemaHistory() {}

  public static SchemaStore store() {
    return STORE;
  }

  static void register(Schema schema) {
    STORE.addSchema(schema);
  }

  private static void loadHistory() {
    ClassLoader loader = SchemaHistory.class.getClassLoader();
    try {
      var indexes = loader.getResources(INDEX);
      while (indexes.hasMoreElements()) {
        try (BufferedReader reader = new BufferedReader(
            new InputStreamReader(indexes.nextElement().openStream(), StandardCharsets.UTF_8))) {
          String line;
          while ((line = reader.readLine()) != null) {
            line = line.strip();
            if (line.isEmpty() || line.startsWith("#")) {
              continue;
            }
            try (InputStream avsc = loader.getResourceAsStream("rstscope/schema-history/" + line)) {
              if (avsc == null) {
                throw new IllegalStateException(INDEX + " lists " + line + " but it is not on the classpath");
              }
              STORE.addSchema(new Schema.Parser().parse(avsc));
            }
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + INDEX, e);
    }
  }
}
