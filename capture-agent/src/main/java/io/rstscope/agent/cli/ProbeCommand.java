package io.rstscope.agent.cli;

import io.rstscope.agent.AgentException;
import io.rstscope.agent.kernel.KernelProbe;
import io.rstscope.schemas.Topics;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code rstscope probe}: a host's own kernel says which RSTs it sent and why, into Kafka or a recording. */
@Command(name = "probe", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
    version = "rstscope probe 0.1.0",
    description = {
        "Reads the Linux tracepoints tcp:tcp_send_reset (with the kernel's reason, 6.10+) and tcp:tcp_receive_reset",
        "in a tracefs instance of its own, keeps the events of one host (its addresses, in --netns NS when given),",
        "and publishes one KernelReset per event to Kafka (--bootstrap) or writes them as JSON Lines (--out), the",
        "recording that 'rstscope analyze --kernel-trace FILE' reads. Runs until SIGTERM or Ctrl-C; the tracefs",
        "instance is removed on the way out. Needs root, or CAP_SYS_ADMIN or CAP_PERFMON.",
        "",
        "Settings: defaults < --config FILE < environment RSTSCOPE_PROBE_<NAME> < command-line options.",
        ""},
    footer = {"", "Examples:",
        "  rstscope probe --host server --bootstrap kafka1:9092",
        "  rstscope probe --host client --netns client --out client-kernel.jsonl",
        "",
        "Exit status: 0 stopped, 2 bad input or missing privilege (one-line reason on stderr), 1 unexpected error."})
public final class ProbeCommand implements Callable<Integer> {
  static final String ENV_PREFIX = "RSTSCOPE_PROBE_";
  static final List<String> KEYS = List.of("host", "netns", "bootstrap", "out", "client-properties", "topic-prefix",
      "heartbeat-interval", "address-refresh", "max-buffered");

  @Option(names = "--host", paramLabel = "NAME", description = "Name of the probed host (required).")
  String host;

  @Option(names = "--netns", paramLabel = "NS",
      description = "The host is this network namespace (ip netns name or /proc/PID/ns/net): its addresses are the ones configured there.")
  String netns;

  @Option(names = {"-b", "--bootstrap"}, paramLabel = "HOST:PORT[,...]", description = "Publish to this Kafka cluster.")
  String bootstrap;

  @Option(names = {"-o", "--out"}, paramLabel = "FILE", description = "Write a JSON Lines recording instead.")
  Path out;

  @Option(names = "--client-properties", paramLabel = "FILE", description = "Kafka producer properties (TLS, SASL, ...), key=value.")
  Path clientProperties;

  @Option(names = "--topic-prefix", paramLabel = "PREFIX", description = "Topic name prefix (default: rstscope).")
  String topicPrefix;

  @Option(names = "--heartbeat-interval", paramLabel = "DURATION", description = "Heartbeat interval (default: 2s).")
  String heartbeatInterval;

  @Option(names = "--address-refresh", paramLabel = "DURATION", description = "Re-read the host's addresses this often (default: 2s, with the heartbeat).")
  String addressRefresh;

  @Option(names = "--config", paramLabel = "FILE", description = "Settings file, key=value.")
  Path config;

  private final Map<String, String> env;
  private final PrintStream stdout;

  public ProbeCommand() {
    this(System.getenv(), System.out);
  }

  ProbeCommand(Map<String, String> env, PrintStream stdout) {
    this.env = env;
    this.stdout = stdout;
  }

  KernelProbe.Config toConfig() {
    if (config != null && !Files.isRegularFile(config)) {
      throw new AgentException("config file not found: " + config);
    }
    Map<String, String> flags = new LinkedHashMap<>();
    put(flags, "host", host);
    put(flags, "netns", netns);
    put(flags, "bootstrap", bootstrap);
    put(flags, "out", out);
    put(flags, "client-properties", clientProperties);
    put(flags, "topic-prefix", topicPrefix);
    put(flags, "heartbeat-interval", heartbeatInterval);
    put(flags, "address-refresh", addressRefresh);
    Settings s = Settings.layered(ENV_PREFIX, KEYS, config, env, flags);
    Duration heartbeat = s.has("heartbeat-interval") ? s.duration("heartbeat-interval") : Duration.ofSeconds(2);
    if (heartbeat.isZero() || heartbeat.isNegative()) {
      throw new AgentException("heartbeat-interval must be positive");
    }
    return new KernelProbe.Config(s.get("host"), Optional.ofNullable(s.get("netns")),
        Optional.ofNullable(s.get("bootstrap")),
        s.has("client-properties") ? Settings.clientProperties(Path.of(s.get("client-properties"))) : Map.of(),
        new Topics(s.has("topic-prefix") ? s.get("topic-prefix") : Topics.DEFAULT_PREFIX, 12),
        Optional.ofNullable(s.get("out")).map(Path::of), heartbeat,
        s.has("address-refresh") ? s.duration("address-refresh") : heartbeat,
        s.has("max-buffered") ? s.integer("max-buffered") : 200_000, Duration.ofSeconds(30));
  }

  private static void put(Map<String, String> m, String key, Object value) {
    if (value != null) {
      m.put(key, value.toString());
    }
  }

  @Override
  public Integer call() {
    KernelProbe probe = new KernelProbe(toConfig());
    Thread hook = new Thread(probe::stop, "rstscope-probe-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    KernelProbe.Report report;
    try {
      report = probe.run();
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // Already shutting down: the hook is running.
      }
    }
    stdout.println("probe " + toString(report));
    return 0;
  }

  private static String toString(KernelProbe.Report report) {
    return report.summaryLine();
  }
}
