package io.rstscope.agent.cli;

import io.rstscope.agent.AgentConfig;
import io.rstscope.agent.AgentException;
import io.rstscope.agent.AgentReport;
import io.rstscope.agent.CaptureAgent;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code rstscope agent}: one observation point, from an interface or a capture file into Kafka. */
@Command(name = "agent", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
    versionProvider = AgentCommand.Version.class,
    description = {
        "Captures TCP at one observation point and publishes compact packet summaries to Kafka, where the",
        "rstscope processor joins what every point saw of each flow and works out who really sent each RST.",
        "",
        "Run one agent per capture point (client edge, core, server edge...), each with its own --point name.",
        "Live: needs root or CAP_NET_RAW+CAP_NET_ADMIN. A file (pcap or pcapng) is replayed at full speed with",
        "the packets' own timestamps; the command returns once everything is published and acknowledged.",
        "",
        "By default (--policy control) the agent publishes every SYN, FIN and RST, the first 4 packets of each",
        "direction of a flow (TTL, IP ID and TCP option baselines), every packet for 2 s after a RST, every TLS",
        "ClientHello and HTTP request, and one progress summary per flow direction per heartbeat for the rest.",
        "--policy full publishes every TCP packet.",
        "",
        "Settings come from, lowest first: defaults < --config FILE (key=value, keys are the long option names",
        "without dashes, e.g. heartbeat-interval=2s) < environment RSTSCOPE_AGENT_<NAME> (e.g.",
        "RSTSCOPE_AGENT_BOOTSTRAP=kafka1:9092) < command-line options. Unknown keys are an error.",
        ""},
    footer = {"", "Examples:",
        "  rstscope agent --point P1 --interface eth0 --bootstrap kafka1:9092,kafka2:9092",
        "  rstscope agent --point P2 --file core.pcapng --filter 'tcp port 443'",
        "  rstscope agent --point P1 --file big.pcap --no-publish      # decode and policy only, no Kafka",
        "",
        "Exit status: 0 done, 2 bad input or unreachable cluster (one-line reason on stderr),",
        "3 finished but some summaries were dropped (counted in the report), 1 unexpected error."})
public final class AgentCommand implements Callable<Integer> {
  @Option(names = "--point", paramLabel = "NAME", description = "Name of this observation point, e.g. P1 (required).")
  String point;

  @Option(names = "--site", paramLabel = "NAME", description = "Site this point belongs to (default: none).")
  String site;

  @Option(names = {"-i", "--interface"}, paramLabel = "IFACE", description = "Capture live on this interface.")
  String iface;

  @Option(names = "--netns", paramLabel = "NAME",
      description = "Open the interface inside this network namespace (ip netns name or a path such as /proc/PID/ns/net); Kafka is still reached from the agent's own namespace. Needs CAP_SYS_ADMIN.")
  String netns;

  @Option(names = {"-r", "--file"}, paramLabel = "FILE", description = "Replay a pcap or pcapng file instead.")
  Path file;

  @Option(names = {"-f", "--filter"}, paramLabel = "BPF", description = "Capture filter, tcpdump syntax (default: tcp).")
  String filter;

  @Option(names = "--policy", paramLabel = "control|full", description = "What to publish (default: control).")
  String policy;

  @Option(names = {"-b", "--bootstrap"}, paramLabel = "HOST:PORT[,...]", description = "Kafka bootstrap servers (default: 127.0.0.1:9092).")
  String bootstrap;

  @Option(names = "--client-properties", paramLabel = "FILE", description = "Kafka producer properties (TLS, SASL, ...), key=value.")
  Path clientProperties;

  @Option(names = "--topic-prefix", paramLabel = "PREFIX", description = "Topic name prefix (default: rstscope).")
  String topicPrefix;

  @Option(names = "--config", paramLabel = "FILE", description = "Settings file, key=value (see above).")
  Path config;

  @Option(names = {"-s", "--snaplen"}, paramLabel = "BYTES", description = "Bytes kept of each packet (default: 384; headers plus a TLS/HTTP hint).")
  Integer snaplen;

  @Option(names = "--promisc", negatable = true, description = "Promiscuous mode (default: on; --no-promisc to turn off).")
  Boolean promisc;

  @Option(names = {"-B", "--buffer-size"}, paramLabel = "SIZE", description = "Kernel capture buffer, e.g. 32m (default: 32m).")
  String bufferSize;

  @Option(names = "--immediate", negatable = true, description = "Deliver packets as they arrive (default: on).")
  Boolean immediate;

  @Option(names = "--heartbeat-interval", paramLabel = "DURATION", description = "Heartbeat and watermark interval, e.g. 2s (default: 2s; capture time when replaying a file).")
  String heartbeatInterval;

  @Option(names = "--max-flows", paramLabel = "N", description = "Flows tracked at once; beyond, the least recently seen are evicted and counted (default: 131072).")
  Integer maxFlows;

  @Option(names = "--flow-idle", paramLabel = "DURATION", description = "Forget a flow after this long without packets (default: 300s).")
  String flowIdle;

  @Option(names = "--max-buffered", paramLabel = "N", description = "Summaries awaiting acknowledgement beyond which new ones are dropped and counted (default: 200000).")
  Integer maxBuffered;

  @Option(names = "--metrics-port", paramLabel = "PORT", description = "Serve Prometheus metrics on http://0.0.0.0:PORT/metrics (default: off).")
  Integer metricsPort;

  @Option(names = "--publish", negatable = true, description = "Publish to Kafka (default: on). --no-publish decodes and applies the policy only.")
  Boolean publish;

  @Option(names = "--progress", negatable = true, description = "Show replay progress with rate and ETA on stderr (default: on).")
  Boolean progress;

  private final Map<String, String> env;
  private final PrintStream out;
  private final PrintStream err;

  public AgentCommand() {
    this(System.getenv(), System.out, System.err);
  }

  AgentCommand(Map<String, String> env, PrintStream out, PrintStream err) {
    this.env = env;
    this.out = out;
    this.err = err;
  }

  Map<String, String> flags() {
    Map<String, String> f = new LinkedHashMap<>();
    putIf(f, "point", point);
    putIf(f, "site", site);
    putIf(f, "interface", iface);
    putIf(f, "netns", netns);
    putIf(f, "file", file);
    putIf(f, "filter", filter);
    putIf(f, "policy", policy);
    putIf(f, "bootstrap", bootstrap);
    putIf(f, "client-properties", clientProperties);
    putIf(f, "topic-prefix", topicPrefix);
    putIf(f, "snaplen", snaplen);
    putIf(f, "promisc", promisc);
    putIf(f, "buffer-size", bufferSize);
    putIf(f, "immediate", immediate);
    putIf(f, "heartbeat-interval", heartbeatInterval);
    putIf(f, "max-flows", maxFlows);
    putIf(f, "flow-idle", flowIdle);
    putIf(f, "max-buffered", maxBuffered);
    putIf(f, "metrics-port", metricsPort);
    putIf(f, "publish", publish);
    putIf(f, "progress", progress);
    return f;
  }

  private static void putIf(Map<String, String> m, String key, Object value) {
    if (value != null) {
      m.put(key, value.toString());
    }
  }

  /** The layered settings this command line resolves to. */
  Settings settings() {
    if (config != null && !Files.isRegularFile(config)) {
      throw new AgentException("config file not found: " + config);
    }
    return Settings.layered(config, env, flags());
  }

  @Override
  public Integer call() {
    Settings settings = settings();
    AgentConfig cfg = settings.toConfig();
    try (CaptureAgent agent = new CaptureAgent(cfg);
         MetricsServer metrics = settings.metricsPort() >= 0 ? MetricsServer.start(settings.metricsPort(), agent) : null) {
      Thread hook = new Thread(agent::stop, "rstscope-agent-shutdown");
      Runtime.getRuntime().addShutdownHook(hook);
      ProgressReporter reporter = !cfg.live() && settings.progress()
          ? ProgressReporter.start(agent, cfg.file().orElseThrow(), err) : null;
      AgentReport report;
      try {
        report = agent.run();
      } finally {
        if (reporter != null) {
          reporter.stop();
        }
        try {
          Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
          // Already shutting down: the hook is running.
        }
      }
      out.println("point " + cfg.point() + ": " + report.summaryLine());
      return report.dropped() > 0 ? 3 : 0;
    }
  }

  /** {@code --version}: the project's version, from the build. */
  static final class Version implements picocli.CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {io.rstscope.schemas.RstscopeVersion.line("agent")};
    }
  }
}
