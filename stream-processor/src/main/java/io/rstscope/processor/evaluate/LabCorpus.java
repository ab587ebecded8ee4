package io.rstscope.processor.evaluate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A folder of lab configurations as {@code lab random} writes it: DIR/ID/ holds one capture per
 * point ({@code POINT.pcap}), truth.json and, when recorded, kernel.jsonl; DIR/INDEX.json may name
 * configurations the lab rejected (its own verification failed), which are not scored.
 *
 * <p>INDEX.json is read leniently: {@code "rejected": ["id", {"id": ..., "reason": ...}]} and
 * {@code "configurations": [{"id": ..., "status": "rejected" | "rejected": true, "reason": ...}]}
 * both mark a configuration as rejected; everything else in it is ignored.
 */
public record LabCorpus(Path dir, List<Configuration> configurations, Map<String, String> skipped) {

  /** One configuration to score: its folder, its capture per point, its kernel trace if any. */
  public record Configuration(String id, Path dir, Map<String, Path> captures, Path kernelTrace) {}

  /** The corpus is unusable as a whole (no folder, an unreadable INDEX.json). */
  public static final class BadCorpus extends Exception {
    public BadCorpus(String message) {
      super(message);
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * Every sub-folder with a truth.json, by name; rejected ones and folders without truth or
   * captures go to {@link #skipped} with the reason.
   */
  public static LabCorpus read(Path dir) throws BadCorpus {
    if (!Files.isDirectory(dir)) {
      throw new BadCorpus(dir + ": not a folder");
    }
    Map<String, String> skipped = new LinkedHashMap<>(rejected(dir.resolve("INDEX.json")));
    List<Configuration> configurations = new ArrayList<>();
    List<Path> folders;
    try (Stream<Path> list = Files.list(dir)) {
      folders = list.filter(Files::isDirectory).sorted().toList();
    } catch (IOException e) {
      throw new BadCorpus(dir + ": cannot list: " + e.getMessage());
    }
    for (Path folder : folders) {
      String id = folder.getFileName().toString();
      if (skipped.containsKey(id)) {
        continue;
      }
      if (!Files.isRegularFile(folder.resolve("truth.json"))) {
        skipped.put(id, "no truth.json");
        continue;
      }
      Map<String, Path> captures = captures(folder);
      if (captures.isEmpty()) {
        skipped.put(id, "no POINT.pcap capture");
        continue;
      }
      Path kernel = folder.resolve("kernel.jsonl");
      configurations.add(new Configuration(id, folder, captures, Files.isRegularFile(kernel) ? kernel : null));
    }
    return new LabCorpus(dir, List.copyOf(configurations), Map.copyOf(skipped));
  }

  private static Map<String, Path> captures(Path folder) throws BadCorpus {
    Map<String, Path> captures = new LinkedHashMap<>();
    try (Stream<Path> files = Files.list(folder)) {
      files.filter(f -> f.getFileName().toString().endsWith(".pcap")).sorted()
          .forEach(f -> captures.put(f.getFileName().toString().replaceFirst("\\.pcap$", ""), f));
    } catch (IOException e) {
      throw new BadCorpus(folder + ": cannot list: " + e.getMessage());
    }
    return captures;
  }

  /** Configuration id to the lab's reason for rejecting it. */
  static Map<String, String> rejected(Path index) throws BadCorpus {
    Map<String, String> rejected = new LinkedHashMap<>();
    if (!Files.isRegularFile(index)) {
      return rejected;
    }
    JsonNode root;
    try {
      root = JSON.readTree(index.toFile());
    } catch (IOException e) {
      throw new BadCorpus(index + ": not JSON: " + e.getMessage().lines().findFirst().orElse(""));
    }
    for (JsonNode entry : root.path("rejected")) {
      String id = entry.isTextual() ? entry.asText() : entry.path("id").asText("");
      if (!id.isEmpty()) {
        rejected.put(id, "rejected by the lab: " + entry.path("reason").asText("no reason given"));
      }
    }
    for (JsonNode entry : root.path("configurations")) {
      boolean isRejected = entry.path("rejected").asBoolean(false) || "rejected".equals(entry.path("status").asText());
      String id = entry.path("id").asText("");
      if (isRejected && !id.isEmpty()) {
        rejected.put(id, "rejected by the lab: " + entry.path("reason").asText("no reason given"));
      }
    }
    return rejected;
  }
}
