package io.rstscope.processor.analyze;

import io.rstscope.agent.capture.CaptureFileCheck;
import io.rstscope.schemas.PointNames;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks the {@code --point NAME=FILE} arguments before anything starts, so that a wrong file
 * gives one clear line instead of a failure deep inside a broker run.
 */
public final class CaptureFiles {
  private CaptureFiles() {}

  /** Standard input as a capture file name, as tcpdump -r - reads it. */
  public static final String STDIN = "-";

  /**
   * Capture files given as positional arguments: {@code NAME=FILE}, or a file alone, its point named
   * after it (P1.pcap and P1.pcap.gz are point P1; {@code -}, standard input, is point "stdin").
   */
  public static List<String> specsFromArguments(List<String> args) {
    List<String> specs = new ArrayList<>();
    for (String a : args) {
      if (a.equals(STDIN)) {
        specs.add("stdin=" + STDIN);
      } else if (a.contains("=") && !Files.exists(Path.of(a))) {
        specs.add(a);
      } else {
        String stem = Path.of(a).getFileName().toString().replaceFirst("\\.gz$", "")
            .replaceFirst("\\.(pcap|pcapng|cap)$", "");
        if (!PointNames.valid(stem)) {
          throw new BadInput(a + ": cannot name a point after this file; give it as NAME=" + a);
        }
        specs.add(stem + "=" + a);
      }
    }
    return specs;
  }

  /** Point name to file, in the order given. */
  public static Map<String, Path> parse(List<String> specs) {
    Map<String, Path> points = new LinkedHashMap<>();
    for (String spec : specs) {
      int eq = spec.indexOf('=');
      if (eq <= 0 || eq == spec.length() - 1) {
        throw new BadInput("--point wants NAME=FILE, got '" + spec + "'");
      }
      String name = spec.substring(0, eq);
      Path file = Path.of(spec.substring(eq + 1));
      if (spec.substring(eq + 1).equals(STDIN)) {
        if (points.containsValue(file)) {
          throw new BadInput("standard input (-) can be read only once");
        }
        points.put(name, file);
        continue;
      }
      String problem = PointNames.problem(name);
      if (problem != null) {
        throw new BadInput(problem + (spec.contains(java.io.File.separator) ? " (" + spec + ")" : ""));
      }
      if (points.put(name, file) != null) {
        throw new BadInput("point " + name + " is given twice");
      }
      checkCapture(name, file);
    }
    if (points.isEmpty()) {
      throw new BadInput("give at least one --point NAME=FILE");
    }
    return points;
  }

  /** All *.pcap and *.pcapng files of a folder, the point named after the file. */
  public static List<String> specsFromDirectory(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new BadInput(dir + ": not a folder");
    }
    List<String> specs = new ArrayList<>();
    try (var files = Files.list(dir)) {
      files.filter(f -> f.getFileName().toString().matches(".+\\.(pcap|pcapng)(\\.gz)?"))
          .sorted()
          .forEach(f -> specs.add(f.getFileName().toString().replaceFirst("\\.(pcap|pcapng)(\\.gz)?$", "") + "=" + f));
    } catch (IOException e) {
      throw new BadInput(dir + ": cannot list: " + e.getMessage());
    }
    if (specs.isEmpty()) {
      throw new BadInput(dir + ": no .pcap or .pcapng files in it");
    }
    return specs;
  }

  /** The path order: as given, else the points in the order given. Every name must be a point. */
  public static List<String> path(String pathOption, Map<String, Path> points) {
    if (pathOption == null || pathOption.isBlank()) {
      return List.of();
    }
    List<String> path = pathNames(pathOption);
    for (String name : path) {
      if (!points.containsKey(name)) {
        throw new BadInput("--path names " + name + ", which is not a --point");
      }
    }
    return path;
  }

  /** A --path value: comma-separated point names, each following the point-name rule, none twice. */
  public static List<String> pathNames(String pathOption) {
    List<String> path = java.util.Arrays.stream(pathOption.split(",")).map(String::strip).filter(p -> !p.isEmpty())
        .toList();
    for (String name : path) {
      String problem = PointNames.problem(name);
      if (problem != null) {
        throw new BadInput("--path: " + problem);
      }
    }
    if (new java.util.HashSet<>(path).size() != path.size()) {
      throw new BadInput("--path names a point twice: " + pathOption);
    }
    return path;
  }

  static void checkCapture(String name, Path file) {
    String problem = CaptureFileCheck.problem(file);
    if (problem != null) {
      throw new BadInput(name + "=" + file + ": " + problem);
    }
    byte[] magic = new byte[4];
    try (InputStream in = open(file)) {
      if (in.readNBytes(magic, 0, 4) < 4) {
        throw new BadInput(name + "=" + file + ": too short to be a capture file");
      }
    } catch (IOException e) {
      throw new BadInput(name + "=" + file + ": cannot read: " + e.getMessage());
    }
    int m = ((magic[0] & 0xff) << 24) | ((magic[1] & 0xff) << 16) | ((magic[2] & 0xff) << 8) | (magic[3] & 0xff);
    boolean pcap = m == 0xa1b2c3d4 || m == 0xd4c3b2a1 || m == 0xa1b23c4d || m == 0x4d3cb2a1;
    boolean pcapng = m == 0x0a0d0d0a;
    if (!pcap && !pcapng) {
      throw new BadInput(name + "=" + file + ": not a pcap or pcapng file (magic " + String.format("%08x", m) + ")");
    }
  }

  /** The file's bytes, gunzipped when it is gzip-compressed (by its magic, whatever its name). */
  static InputStream open(Path file) throws IOException {
    return unzipIfGzip(new java.io.BufferedInputStream(Files.newInputStream(file)));
  }

  /**
   * Files libpcap reads as they are, and temporary copies of the others: standard input is read to
   * its end (as tcpdump -r - would) and gzip files are uncompressed, each into a temporary file
   * that {@link Materialized#close()} deletes.
   */
  public static Materialized materialize(Map<String, Path> points) {
    Map<String, Path> out = new LinkedHashMap<>();
    List<Path> temporary = new ArrayList<>();
    Materialized m = new Materialized(out, temporary);
    try {
      for (Map.Entry<String, Path> e : points.entrySet()) {
        Path file = e.getValue();
        boolean stdin = file.toString().equals(STDIN);
        if (!stdin && !gzip(file)) {
          out.put(e.getKey(), file);
          continue;
        }
        Path copy = Files.createTempFile("rstscope-" + e.getKey() + "-", ".pcap");
        temporary.add(copy);
        try (InputStream in = stdin ? unzipIfGzip(new java.io.BufferedInputStream(System.in)) : open(file)) {
          Files.copy(in, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        if (stdin) {
          checkCapture(e.getKey(), copy);
        }
        out.put(e.getKey(), copy);
      }
      return m;
    } catch (IOException e) {
      m.close();
      throw new BadInput("cannot read a capture: " + e.getMessage());
    } catch (RuntimeException e) {
      m.close();
      throw e;
    }
  }

  private static InputStream unzipIfGzip(java.io.BufferedInputStream in) throws IOException {
    in.mark(2);
    int b0 = in.read();
    int b1 = in.read();
    in.reset();
    return b0 == 0x1f && b1 == 0x8b ? new java.util.zip.GZIPInputStream(in, 1 << 16) : in;
  }

  private static boolean gzip(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return in.read() == 0x1f && in.read() == 0x8b;
    }
  }

  /** The files to read, and the temporary copies to delete afterwards. */
  public record Materialized(Map<String, Path> points, List<Path> temporary) implements AutoCloseable {
    @Override
    public void close() {
      for (Path p : temporary) {
        try {
          Files.deleteIfExists(p);
        } catch (IOException e) {
          System.err.println("rstscope: cannot delete the temporary copy " + p + ": " + e.getMessage());
        }
      }
    }
  }

  /** Bad input from the user: printed as one line, exit code 2. */
  public static final class BadInput extends RuntimeException {
    public BadInput(String message) {
      super(message);
    }
  }
}
