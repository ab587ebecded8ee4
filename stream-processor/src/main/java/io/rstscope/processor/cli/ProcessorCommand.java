package io.rstscope.processor.cli;

import io.rstscope.agent.AgentException;
import io.rstscope.agent.cli.Settings;
import io.rstscope.processor.analyze.CaptureFiles;
import io.rstscope.processor.app.ProcessorRunner;
import io.rstscope.processor.query.QueryServer;
import io.rstscope.processor.topology.ProcessorConfig;
import io.rstscope.schemas.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code rstscope processor}: one long-running instance of the stream processor with its query API and web page. */
@Command(name = "processor", mixinStandardHelpOptions = true, versionProvider = VersionText.class, sortOptions = false, usageHelpAutoWidth = true,
    description = {
        "Runs the RST locator on Kafka (exactly-once) and serves its state: a query API, Prometheus metrics and a "
            + "web page with live findings and ladder diagrams on http://HTTP-ADDRESS:HTTP-PORT/. Run several instances "
            + "with the same --application-id to share the work; any of them answers for all.",
        "",
        "Settings come from, lowest first: defaults < --config FILE (key=value, keys are the long option names "
            + "without dashes, e.g. http-port=8080) < environment RSTSCOPE_PROCESSOR_<NAME> (e.g. "
            + "RSTSCOPE_PROCESSOR_BOOTSTRAP=kafka1:9092) < command-line options. Unknown keys are an error.", ""},
    footer = {"", "Example:", "  rstscope processor --bootstrap 127.0.0.1:9092 --path P1,P2,P3 --http-port 8080",
        "", "Exit status: 0 stopped by SIGTERM/SIGINT, 2 bad settings, 1 stopped by an error."})
public final class ProcessorCommand implements Callable<Integer> {
  static final String ENV_PREFIX = "RSTSCOPE_PROCESSOR_";
  static final List<String> KEYS = List.of("bootstrap", "application-id", "state-dir", "threads", "standby-replicas",
      "path", "correlation-window", "clock-skew", "max-verdict-wait", "point-return-wait",
      "point-missing-after", "topic-prefix", "partitions", "client-properties",
      "http-address", "http-port", "http-advertised-host", "http-tls-keystore", "http-tls-keystore-password",
      "http-tls-truststore", "http-tls-truststore-password");

  @Option(names = {"-b", "--bootstrap"}, paramLabel = "HOST:PORT[,...]", description = "Kafka bootstrap servers (default: 127.0.0.1:9092).")
  String bootstrap;
  @Option(names = "--application-id", paramLabel = "ID", description = "Kafka Streams application id; instances with the same id share the work (default: rstscope-processor).")
  String applicationId;
  @Option(names = "--state-dir", paramLabel = "DIR", description = "Local state folder, one per instance (default: var/processor-state).")
  String stateDir;
  @Option(names = "--threads", paramLabel = "N", description = "Stream threads (default: 1).")
  Integer threads;
  @Option(names = "--standby-replicas", paramLabel = "N", description = "Warm copies of each task's state on other instances (default: 0).")
  Integer standbyReplicas;
  @Option(names = "--path", paramLabel = "P1,P2,...", description = "Points along the path, client side first (default: inferred from TTLs).")
  String path;
  @Option(names = "--correlation-window", paramLabel = "DURATION", description = "Event time to wait after a RST for its other sightings (default: 2s).")
  String correlationWindow;
  @Option(names = "--clock-skew", paramLabel = "DURATION", description = "Residual clock error allowed between points (default: 500ms).")
  String clockSkew;
  @Option(names = "--max-verdict-wait", paramLabel = "DURATION", description = "Decide anyway after this much running time (the processor up, the cluster reachable) when a point's evidence does not come (default: 30s).")
  String maxVerdictWait;
  @Option(names = "--point-return-wait", paramLabel = "DURATION", description = "How long a point whose capture session ended is waited for, for RSTs after its end, before it counts as not capturing then (default: 30s).")
  String pointReturnWait;
  @Option(names = "--point-missing-after", paramLabel = "DURATION", description = "A point that sends nothing for this long without ending its session is missing: verdicts stop waiting for it (default: 30s).")
  String pointMissingAfter;
  @Option(names = "--topic-prefix", paramLabel = "PREFIX", description = "Topic name prefix (default: rstscope).")
  String topicPrefix;
  @Option(names = "--partitions", paramLabel = "N", description = "Partitions of the flow topics, as provisioned (default: 12).")
  Integer partitions;
  @Option(names = "--client-properties", paramLabel = "FILE", description = "Kafka client properties (TLS, SASL, ...), key=value.")
  Path clientProperties;
  @Option(names = "--http-address", paramLabel = "ADDR", description = "Address the HTTP API and page listen on (default: 127.0.0.1).")
  String httpAddress;
  @Option(names = "--http-port", paramLabel = "PORT", description = "HTTP port (default: 8080; 0 picks a free one).")
  Integer httpPort;
  @Option(names = "--http-advertised-host", paramLabel = "HOST", description = "Host other instances reach this one at (default: --http-address).")
  String advertisedHost;
  @Option(names = "--http-tls-keystore", paramLabel = "FILE", description = "PKCS12 keystore: serve HTTPS instead of HTTP.")
  Path tlsKeystore;
  @Option(names = "--http-tls-keystore-password", paramLabel = "SECRET", description = "Its password (prefer the environment or the config file).")
  String tlsKeystorePassword;
  @Option(names = "--http-tls-truststore", paramLabel = "FILE", description = "PKCS12 truststore for calls to other instances (default: the keystore).")
  Path tlsTruststore;
  @Option(names = "--http-tls-truststore-password", paramLabel = "SECRET", description = "Its password.")
  String tlsTruststorePassword;
  @Option(names = "--config", paramLabel = "FILE", description = "Settings file, key=value (see above).")
  Path config;

  private final Map<String, String> env;

  public ProcessorCommand() {
    this(System.getenv());
  }

  ProcessorCommand(Map<String, String> env) {
    this.env = env;
  }

  Map<String, String> flags() {
    Map<String, String> f = new LinkedHashMap<>();
    Object[][] all = {{"bootstrap", bootstrap}, {"application-id", applicationId}, {"state-dir", stateDir},
        {"threads", threads}, {"standby-replicas", standbyReplicas}, {"path", path},
        {"correlation-window", correlationWindow}, {"clock-skew", clockSkew}, {"max-verdict-wait", maxVerdictWait},
        {"point-return-wait", pointReturnWait}, {"point-missing-after", pointMissingAfter},
        {"topic-prefix", topicPrefix}, {"partitions", partitions}, {"client-properties", clientProperties},
        {"http-address", httpAddress}, {"http-port", httpPort}, {"http-advertised-host", advertisedHost},
        {"http-tls-keystore", tlsKeystore}, {"http-tls-keystore-password", tlsKeystorePassword},
        {"http-tls-truststore", tlsTruststore}, {"http-tls-truststore-password", tlsTruststorePassword}};
    for (Object[] kv : all) {
      if (kv[1] != null) {
        f.put((String) kv[0], kv[1].toString());
      }
    }
    return f;
  }

  /** The run these settings resolve to; bad settings are {@link CaptureFiles.BadInput} (exit 2). */
  ProcessorRunner.Options options() {
    try {
      if (config != null && !Files.isRegularFile(config)) {
        throw new CaptureFiles.BadInput("config file not found: " + config);
      }
      Settings s = Settings.layered(ENV_PREFIX, KEYS, config, env, flags());
      ProcessorConfig.Builder cfg = ProcessorConfig.builder();
      if (s.has("path")) {
        cfg.pathOrder(CaptureFiles.pathNames(s.get("path")));
      }
      if (s.has("correlation-window")) cfg.correlationWindow(s.duration("correlation-window"));
      if (s.has("clock-skew")) cfg.clockSkewAllowance(s.duration("clock-skew"));
      if (s.has("max-verdict-wait")) cfg.maxVerdictWait(s.duration("max-verdict-wait"));
      if (s.has("point-return-wait")) cfg.pointReturnWait(s.duration("point-return-wait"));
      if (s.has("point-missing-after")) cfg.pointMissingAfter(s.duration("point-missing-after"));
      Topics topics;
      try {
        topics = new Topics(s.has("topic-prefix") ? s.get("topic-prefix") : Topics.DEFAULT_PREFIX,
            s.has("partitions") ? s.integer("partitions") : Topics.defaults().packets.partitions());
      } catch (IllegalArgumentException e) {
        throw new CaptureFiles.BadInput(e.getMessage());
      }
      int port = s.has("http-port") ? s.integer("http-port") : 8080;
      if (port < 0 || port > 65535) {
        throw new CaptureFiles.BadInput("http-port must be 0..65535, not " + port + " (" + s.origin("http-port") + ")");
      }
      QueryServer.Tls tls = s.has("http-tls-keystore")
          ? new QueryServer.Tls(Path.of(s.get("http-tls-keystore")), s.get("http-tls-keystore-password")) : null;
      return new ProcessorRunner.Options(
          s.has("bootstrap") ? s.get("bootstrap") : "127.0.0.1:9092",
          s.has("application-id") ? s.get("application-id") : "rstscope-processor",
          Path.of(s.has("state-dir") ? s.get("state-dir") : "var/processor-state"),
          s.has("threads") ? s.integer("threads") : 1,
          s.has("standby-replicas") ? s.integer("standby-replicas") : 0,
          cfg.build(), topics,
          s.has("client-properties") ? Settings.clientProperties(Path.of(s.get("client-properties"))) : Map.of(),
          s.has("http-address") ? s.get("http-address") : "127.0.0.1", port,
          s.get("http-advertised-host"), tls,
          s.has("http-tls-truststore") ? Path.of(s.get("http-tls-truststore")) : null,
          s.get("http-tls-truststore-password"));
    } catch (AgentException e) {
      throw new CaptureFiles.BadInput(e.getMessage());
    } catch (IllegalArgumentException e) {
      throw new CaptureFiles.BadInput(e.getMessage());
    }
  }

  @Override
  public Integer call() throws Exception {
    return new ProcessorRunner(options()).runUntilStopped();
  }
}
