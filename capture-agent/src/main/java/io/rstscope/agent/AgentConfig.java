package io.rstscope.agent;

import io.rstscope.agent.policy.PublishPolicy;
import io.rstscope.schemas.PointNames;
import io.rstscope.schemas.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Immutable configuration of one capture agent. Build with {@link #builder()}; {@link Builder#build()}
 * checks it and throws {@link AgentException} with a one-line reason when it is not usable.
 */
public final class AgentConfig {
  private final String point;
  private final String site;
  private final Path file;
  private final String iface;
  private final String netns;
  private final String filter;
  private final PublishPolicy.Mode policy;
  private final int snapLength;
  private final boolean promiscuous;
  private final int bufferBytes;
  private final boolean immediate;
  private final String bootstrap;
  private final Map<String, String> clientProperties;
  private final Topics topics;
  private final Duration heartbeatInterval;
  private final int maxFlows;
  private final Duration flowIdle;
  private final int maxBufferedRecords;
  private final boolean publish;
  private final Duration startupTimeout;

  private AgentConfig(Builder b) {
    point = b.point;
    site = b.site;
    file = b.file;
    iface = b.iface;
    netns = b.netns;
    filter = b.filter;
    policy = b.policy;
    snapLength = b.snapLength;
    promiscuous = b.promiscuous;
    bufferBytes = b.bufferBytes;
    immediate = b.immediate;
    bootstrap = b.bootstrap;
    clientProperties = Map.copyOf(b.clientProperties);
    topics = b.topics;
    heartbeatInterval = b.heartbeatInterval;
    maxFlows = b.maxFlows;
    flowIdle = b.flowIdle;
    maxBufferedRecords = b.maxBufferedRecords;
    publish = b.publish;
    startupTimeout = b.startupTimeout;
  }

  public static Builder builder() {
    return new Builder();
  }

  public String point() { return point; }
  public String site() { return site; }
  public Optional<Path> file() { return Optional.ofNullable(file); }
  public Optional<String> iface() { return Optional.ofNullable(iface); }
  /** Network namespace (name under /var/run/netns, or a path) the interface lives in; empty for the agent's own. */
  public Optional<String> netns() { return Optional.ofNullable(netns); }
  public boolean live() { return iface != null; }
  /** The interface name or the file path, for heartbeats and logs. */
  public String source() { return iface != null ? iface : file.toString(); }
  public String filter() { return filter; }
  public PublishPolicy.Mode policy() { return policy; }
  public int snapLength() { return snapLength; }
  public boolean promiscuous() { return promiscuous; }
  public int bufferBytes() { return bufferBytes; }
  public boolean immediate() { return immediate; }
  public String bootstrap() { return bootstrap; }
  public Map<String, String> clientProperties() { return clientProperties; }
  public Topics topics() { return topics; }
  public Duration heartbeatInterval() { return heartbeatInterval; }
  public int maxFlows() { return maxFlows; }
  public Duration flowIdle() { return flowIdle; }
  public int maxBufferedRecords() { return maxBufferedRecords; }
  /** False for a decode-and-policy-only run (no Kafka): benchmarks and dry runs. */
  public boolean publish() { return publish; }
  public Duration startupTimeout() { return startupTimeout; }

  public PublishPolicy.Settings policySettings() {
    return PublishPolicy.Settings.defaults().withMaxFlows(maxFlows).withFlowIdle(flowIdle);
  }

  public Builder toBuilder() {
    Builder b = new Builder();
    b.point = point;
    b.site = site;
    b.file = file;
    b.iface = iface;
    b.netns = netns;
    b.filter = filter;
    b.policy = policy;
    b.snapLength = snapLength;
    b.promiscuous = promiscuous;
    b.bufferBytes = bufferBytes;
    b.immediate = immediate;
    b.bootstrap = bootstrap;
    b.clientProperties = new LinkedHashMap<>(clientProperties);
    b.topics = topics;
    b.heartbeatInterval = heartbeatInterval;
    b.maxFlows = maxFlows;
    b.flowIdle = flowIdle;
    b.maxBufferedRecords = maxBufferedRecords;
    b.publish = publish;
    b.startupTimeout = startupTimeout;
    return b;
  }

  @Override
  public String toString() {
    return "AgentConfig{point=" + point + ", site=" + site + ", source=" + (iface != null ? "interface " + iface + (netns != null ? " in netns " + netns : "") : "file " + file)
        + ", filter='" + filter + "', policy=" + policy + ", snapLength=" + snapLength + ", bootstrap=" + bootstrap
        + ", publish=" + publish + ", heartbeat=" + heartbeatInterval + ", maxFlows=" + maxFlows
        + ", flowIdle=" + flowIdle + ", maxBufferedRecords=" + maxBufferedRecords + "}";
  }

  public static final class Builder {
    private String point;
    private String site = "";
    private Path file;
    private String iface;
    private String netns;
    private String filter = "tcp";
    private PublishPolicy.Mode policy = PublishPolicy.Mode.CONTROL;
    private int snapLength = 384;
    private boolean promiscuous = true;
    private int bufferBytes = 32 * 1024 * 1024;
    private boolean immediate = true;
    private String bootstrap = "127.0.0.1:9092";
    private Map<String, String> clientProperties = new LinkedHashMap<>();
    private Topics topics = Topics.defaults();
    private Duration heartbeatInterval = Duration.ofSeconds(2);
    private int maxFlows = PublishPolicy.Settings.DEFAULT_MAX_FLOWS;
    private Duration flowIdle = Duration.ofSeconds(300);
    private int maxBufferedRecords = 200_000;
    private boolean publish = true;
    private Duration startupTimeout = Duration.ofSeconds(15);

    private Builder() {}

    /** Name of the observation point, e.g. "P1" (required). */
    public Builder point(String point) { this.point = point; return this; }
    public Builder site(String site) { this.site = site == null ? "" : site; return this; }
    /** Replay a pcap or pcapng file (exclusive with {@link #iface}). */
    public Builder file(Path file) { this.file = file; return this; }
    /** Capture live on an interface (exclusive with {@link #file}). */
    public Builder iface(String iface) { this.iface = iface; return this; }
    /** Open the interface inside this network namespace (live capture on a router or container's interface). */
    public Builder netns(String netns) { this.netns = netns == null || netns.isBlank() ? null : netns; return this; }
    /** BPF filter; empty for none. */
    public Builder filter(String filter) { this.filter = filter == null ? "" : filter; return this; }
    public Builder policy(PublishPolicy.Mode policy) { this.policy = policy; return this; }
    public Builder snapLength(int snapLength) { this.snapLength = snapLength; return this; }
    public Builder promiscuous(boolean promiscuous) { this.promiscuous = promiscuous; return this; }
    /** Kernel capture buffer size (live capture). */
    public Builder bufferBytes(int bufferBytes) { this.bufferBytes = bufferBytes; return this; }
    /** Deliver packets as they arrive (live capture) rather than when the kernel buffer block fills. */
    public Builder immediate(boolean immediate) { this.immediate = immediate; return this; }
    public Builder bootstrap(String bootstrap) { this.bootstrap = bootstrap; return this; }
    /** Extra producer properties (security, tuning); they override the agent's defaults. */
    public Builder clientProperties(Map<String, String> properties) {
      this.clientProperties = new LinkedHashMap<>(properties);
      return this;
    }
    public Builder topics(Topics topics) { this.topics = topics; return this; }
    public Builder heartbeatInterval(Duration interval) { this.heartbeatInterval = interval; return this; }
    public Builder maxFlows(int maxFlows) { this.maxFlows = maxFlows; return this; }
    public Builder flowIdle(Duration flowIdle) { this.flowIdle = flowIdle; return this; }
    /** Summaries sent but not yet acknowledged beyond which new ones are dropped (and counted). */
    public Builder maxBufferedRecords(int max) { this.maxBufferedRecords = max; return this; }
    public Builder publish(boolean publish) { this.publish = publish; return this; }
    /** How long to wait for the cluster at start before failing. */
    public Builder startupTimeout(Duration timeout) { this.startupTimeout = timeout; return this; }

    public AgentConfig build() {
      if (point == null || point.isBlank()) {
        throw new AgentException("a point name is required (--point), e.g. P1");
      }
      String pointProblem = PointNames.problem(point);
      if (pointProblem != null) {
        throw new AgentException(pointProblem);
      }
      if ((file == null) == (iface == null)) {
        throw new AgentException("give exactly one of an interface (--interface) or a capture file (--file)");
      }
      Objects.requireNonNull(policy, "policy");
      Objects.requireNonNull(topics, "topics");
      if (snapLength < 68 || snapLength > 262_144) {
        throw new AgentException("snap length must be between 68 and 262144 bytes: " + snapLength);
      }
      if (bufferBytes < 65_536) {
        throw new AgentException("capture buffer must be at least 65536 bytes: " + bufferBytes);
      }
      if (heartbeatInterval == null || heartbeatInterval.toMillis() < 100) {
        throw new AgentException("heartbeat interval must be at least 100 ms: " + heartbeatInterval);
      }
      if (maxFlows < 16) {
        throw new AgentException("max flows must be at least 16: " + maxFlows);
      }
      if (flowIdle == null || flowIdle.isNegative() || flowIdle.isZero()) {
        throw new AgentException("flow idle timeout must be positive: " + flowIdle);
      }
      if (maxBufferedRecords < 1) {
        throw new AgentException("max buffered records must be at least 1: " + maxBufferedRecords);
      }
      if (publish && (bootstrap == null || bootstrap.isBlank())) {
        throw new AgentException("a bootstrap server is required (--bootstrap host:port)");
      }
      return new AgentConfig(this);
    }
  }
}
