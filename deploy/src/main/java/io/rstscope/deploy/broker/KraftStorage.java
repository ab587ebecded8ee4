package io.rstscope.deploy.broker;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import kafka.tools.StorageTool;

/** Formats a node's KRaft storage in this JVM, exactly as {@code kafka-storage format} does. */
public final class KraftStorage {
  private KraftStorage() {}

  /**
   * @param extraArguments more StorageTool arguments, e.g. {@code --add-scram} entries
   * @throws IllegalStateException with StorageTool's own message when formatting fails
   */
  public static void format(Path config, String clusterId, List<String> extraArguments) {
    List<String> args = new ArrayList<>(List.of("format", "-t", clusterId, "-c", config.toString(), "--ignore-formatted"));
    args.addAll(extraArguments);
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    int rc;
    try (PrintStream print = new PrintStream(captured, true, StandardCharsets.UTF_8)) {
      rc = StorageTool.execute(args.toArray(String[]::new), print);
    }
    if (rc != 0) {
      throw new IllegalStateException("formatting Kafka storage (" + config + ") failed: "
          + captured.toString(StandardCharsets.UTF_8).strip());
    }
  }
}
