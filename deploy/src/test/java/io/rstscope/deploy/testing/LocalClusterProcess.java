package io.rstscope.deploy.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Drives {@code deploy/bin/kafka-cluster} (and {@code kafka-secure-setup}) for tests: real broker
 * processes, exactly as a user starts them, in a folder under the module's {@code target/} and on
 * free ports (never kafka-local's 9092/9093). {@link #close()} stops every node and SIGKILLs
 * whatever is left, so a failing test leaves no process behind; a JVM shutdown hook does the
 * same if the test JVM is torn down.
 */
public final class LocalClusterProcess implements AutoCloseable {
  /** What a script printed and returned. */
  public record Result(int exitCode, String output) {}

  private final Path home;
  private final int nodes;
  private final int basePort;
  private final Path script;
  private final Map<String, String> env;
  private final Thread hook;

  private LocalClusterProcess(Path home, int nodes, int basePort, Map<String, String> extraEnv) {
    this.home = home;
    this.nodes = nodes;
    this.basePort = basePort;
    this.script = binDir().resolve("kafka-cluster");
    Map<String, String> e = new java.util.HashMap<>(extraEnv);
    e.put("RSTSCOPE_CLUSTER_HOME", home.toString());
    e.put("RSTSCOPE_CLUSTER_NODES", Integer.toString(nodes));
    e.put("RSTSCOPE_CLUSTER_BASE_PORT", Integer.toString(basePort));
    e.putIfAbsent("RSTSCOPE_KAFKA_HEAP", "384m");
    // Start-up speed over peak throughput: tests push tens of thousands of records, not millions.
    e.putIfAbsent("RSTSCOPE_KAFKA_JVM_OPTS", "-XX:+UseSerialGC -XX:TieredStopAtLevel=1");
    this.env = Map.copyOf(e);
    this.hook = new Thread(this::killAll, "kill-test-brokers");
    Runtime.getRuntime().addShutdownHook(hook);
  }

  /** A configured, not yet started cluster in {@code target/clusters/NAME-...}. */
  public static LocalClusterProcess create(String name, int nodes, Map<String, String> extraEnv) {
    try {
      Path parent = Path.of("target", "clusters").toAbsolutePath();
      Files.createDirectories(parent);
      Path home = Files.createTempDirectory(parent, name + "-");
      return new LocalClusterProcess(home, nodes, freeBasePort(nodes), extraEnv);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Starts {@code nodes} broker processes with the topic registry provisioned; fails the caller with the script's output. */
  public static LocalClusterProcess start(String name, int nodes) {
    LocalClusterProcess cluster = create(name, nodes, Map.of());
    try {
      cluster.require("start");
      return cluster;
    } catch (RuntimeException e) {
      cluster.close();
      throw e;
    }
  }

  public Path home() { return home; }
  public int nodes() { return nodes; }

  public String bootstrap() {
    List<String> list = new ArrayList<>();
    for (int n = 1; n <= nodes; n++) {
      list.add("127.0.0.1:" + (basePort + n - 1));
    }
    return String.join(",", list);
  }

  public Result cluster(String... args) {
    List<String> cmd = new ArrayList<>(List.of(script.toString()));
    cmd.addAll(List.of(args));
    return run(cmd, env);
  }

  /** Runs another script of deploy/bin with this cluster's environment. */
  public Result script(String name, String... args) {
    List<String> cmd = new ArrayList<>(List.of(binDir().resolve(name).toString()));
    cmd.addAll(List.of(args));
    return run(cmd, env);
  }

  public Result require(String... args) {
    Result r = cluster(args);
    if (r.exitCode() != 0) {
      throw new IllegalStateException("kafka-cluster " + String.join(" ", args) + " exited " + r.exitCode() + ":\n" + r.output());
    }
    return r;
  }

  public void killBroker(int node) { require("kill-broker", Integer.toString(node)); }
  public void startBroker(int node) { require("start-broker", Integer.toString(node)); }

  /** The broker process of node N, if its pid file names a live one. */
  public java.util.Optional<ProcessHandle> process(int node) {
    Path pid = home.resolve("node-" + node).resolve("broker.pid");
    try {
      if (!Files.exists(pid)) {
        return java.util.Optional.empty();
      }
      return ProcessHandle.of(Long.parseLong(Files.readString(pid).strip())).filter(ProcessHandle::isAlive);
    } catch (IOException | NumberFormatException e) {
      return java.util.Optional.empty();
    }
  }

  @Override
  public void close() {
    try {
      cluster("stop");
    } finally {
      killAll();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // already shutting down: the hook runs anyway
      }
    }
  }

  private void killAll() {
    for (int n = 1; n <= nodes; n++) {
      process(n).ifPresent(p -> {
        p.destroyForcibly();
        p.onExit().orTimeout(10, TimeUnit.SECONDS).exceptionally(t -> null).join();
      });
    }
  }

  static Result run(List<String> cmd, Map<String, String> env) {
    try {
      ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
      pb.environment().putAll(env);
      Path out = Files.createTempFile("kafka-cluster-", ".out");
      pb.redirectOutput(out.toFile());
      Process p = pb.start();
      if (!p.waitFor(240, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException(String.join(" ", cmd) + " did not finish in 240 s:\n" + Files.readString(out));
      }
      String text = Files.readString(out, StandardCharsets.UTF_8);
      Files.deleteIfExists(out);
      return new Result(p.exitValue(), text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** True when an executable named {@code tool} is on the PATH. */
  public static boolean onPath(String tool) {
    String path = System.getenv().getOrDefault("PATH", "");
    for (String dir : path.split(java.io.File.pathSeparator)) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
        return true;
      }
    }
    return false;
  }

  /** deploy/bin, found from the module's folder (deploy/ or a sibling module). */
  public static Path binDir() {
    Path dir = Path.of("").toAbsolutePath();
    for (Path d = dir; d != null; d = d.getParent()) {
      for (Path candidate : List.of(d.resolve("bin"), d.resolve("deploy").resolve("bin"))) {
        if (Files.isExecutable(candidate.resolve("kafka-cluster"))) {
          return candidate;
        }
      }
    }
    throw new IllegalStateException("deploy/bin/kafka-cluster not found above " + dir);
  }

  /** A base port whose client, controller (+100) and inter-broker (+200) ports are all free. */
  static int freeBasePort(int nodes) {
    for (int attempt = 0; attempt < 200; attempt++) {
      int base = ThreadLocalRandom.current().nextInt(20_000, 45_000);
      boolean free = true;
      for (int n = 0; n < nodes && free; n++) {
        free = isFree(base + n) && isFree(base + 100 + n) && isFree(base + 200 + n);
      }
      if (free) {
        return base;
      }
    }
    throw new IllegalStateException("no free port range found on 127.0.0.1");
  }

  private static boolean isFree(int port) {
    try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
