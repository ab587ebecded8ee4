package io.rstscope.agent.cli;

import io.rstscope.agent.AgentConfig;
import io.rstscope.agent.AgentException;
import io.rstscope.agent.policy.PublishPolicy;
import io.rstscope.schemas.Topics;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Configuration in layers, one precedence everywhere:
 * defaults &lt; config file (--config) &lt; environment (PREFIX_*) &lt; command-line flags.
 * Keys are the long flag names without dashes in front (e.g. {@code heartbeat-interval}); in
 * the environment they are upper case with underscores after the prefix
 * ({@code RSTSCOPE_AGENT_HEARTBEAT_INTERVAL}). An unknown key in the file or an unknown
 * variable with the prefix is an error, not ignored. The agent uses {@link #layered(Path, Map, Map)};
 * other commands (the processor) give their own prefix and key list to
 * {@link #layered(String, List, Path, Map, Map)}.
 */
public final class Settings {
  public static final String ENV_PREFIX = "RSTSCOPE_AGENT_";
  public static final List<String> KEYS = List.of(
      "point", "site", "interface", "netns", "file", "filter", "policy", "bootstrap", "client-properties",
      "topic-prefix", "snaplen", "promisc", "buffer-size", "immediate", "heartbeat-interval",
      "max-flows", "flow-idle", "max-buffered", "metrics-port", "publish", "progress");

  private final Map<String, String> values;
  private final Map<String, String> origin;

  private Settings(Map<String, String> values, Map<String, String> origin) {
    this.values = values;
    this.origin = origin;
  }

  /** The agent's settings: prefix RSTSCOPE_AGENT_, keys {@link #KEYS}. */
  public static Settings layered(Path configFile, Map<String, String> env, Map<String, String> flags) {
    return layered(ENV_PREFIX, KEYS, configFile, env, flags);
  }

  /** Layers the file (may be null), the environment variables starting with envPrefix and the flags given on the command line. */
  public static Settings layered(String envPrefix, List<String> keys, Path configFile, Map<String, String> env,
      Map<String, String> flags) {
    Map<String, String> values = new LinkedHashMap<>();
    Map<String, String> origin = new TreeMap<>();
    if (configFile != null) {
      Properties p = new Properties();
      try (Reader r = Files.newBufferedReader(configFile)) {
        p.load(r);
      } catch (IOException e) {
        throw new AgentException("cannot read config file " + configFile + ": " + e.getMessage());
      }
      for (String key : p.stringPropertyNames()) {
        put(keys, values, origin, key.strip(), p.getProperty(key).strip(), "config file " + configFile);
      }
    }
    for (Map.Entry<String, String> e : env.entrySet()) {
      if (e.getKey().startsWith(envPrefix)) {
        String key = e.getKey().substring(envPrefix.length()).toLowerCase(Locale.ROOT).replace('_', '-');
        put(keys, values, origin, key, e.getValue().strip(), "environment " + e.getKey());
      }
    }
    for (Map.Entry<String, String> e : flags.entrySet()) {
      put(keys, values, origin, e.getKey(), e.getValue(), "flag --" + e.getKey());
    }
    return new Settings(values, origin);
  }

  private static void put(List<String> keys, Map<String, String> values, Map<String, String> origin, String key,
      String value, String from) {
    if (!keys.contains(key)) {
      throw new AgentException("unknown setting '" + key + "' in " + from + " (known: " + String.join(", ", keys) + ")");
    }
    values.put(key, value);
    origin.put(key, from);
  }

  public boolean has(String key) {
    return values.containsKey(key);
  }

  public String get(String key) {
    return values.get(key);
  }

  public String origin(String key) {
    return origin.getOrDefault(key, "default");
  }

  public int metricsPort() {
    return values.containsKey("metrics-port") ? integer("metrics-port") : -1;
  }

  public boolean progress() {
    return !values.containsKey("progress") || bool("progress");
  }

  public AgentConfig toConfig() {
    AgentConfig.Builder b = AgentConfig.builder();
    b.point(values.get("point"));
    if (values.containsKey("site")) b.site(values.get("site"));
    if (values.containsKey("interface")) b.iface(values.get("interface"));
    if (values.containsKey("netns")) b.netns(values.get("netns"));
    if (values.containsKey("file")) b.file(Path.of(values.get("file")));
    if (values.containsKey("filter")) b.filter(values.get("filter"));
    if (values.containsKey("policy")) b.policy(policy(values.get("policy")));
    if (values.containsKey("bootstrap")) b.bootstrap(values.get("bootstrap"));
    if (values.containsKey("client-properties")) b.clientProperties(clientProperties(Path.of(values.get("client-properties"))));
    if (values.containsKey("topic-prefix")) {
      try {
        b.topics(new Topics(values.get("topic-prefix"), Topics.defaults().packets.partitions()));
      } catch (IllegalArgumentException e) {
        throw new AgentException(e.getMessage() + " (" + origin("topic-prefix") + ")");
      }
    }
    if (values.containsKey("snaplen")) b.snapLength(integer("snaplen"));
    if (values.containsKey("promisc")) b.promiscuous(bool("promisc"));
    if (values.containsKey("buffer-size")) b.bufferBytes((int) bytes("buffer-size"));
    if (values.containsKey("immediate")) b.immediate(bool("immediate"));
    if (values.containsKey("heartbeat-interval")) b.heartbeatInterval(duration("heartbeat-interval"));
    if (values.containsKey("max-flows")) b.maxFlows(integer("max-flows"));
    if (values.containsKey("flow-idle")) b.flowIdle(duration("flow-idle"));
    if (values.containsKey("max-buffered")) b.maxBufferedRecords(integer("max-buffered"));
    if (values.containsKey("publish")) b.publish(bool("publish"));
    return b.build();
  }

  private PublishPolicy.Mode policy(String v) {
    switch (v.toLowerCase(Locale.ROOT)) {
      case "control": return PublishPolicy.Mode.CONTROL;
      case "full": return PublishPolicy.Mode.FULL;
      default: throw new AgentException("policy must be 'control' or 'full', not '" + v + "' (" + origin("policy") + ")");
    }
  }

  public static Map<String, String> clientProperties(Path file) {
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(file)) {
      p.load(r);
    } catch (IOException e) {
      throw new AgentException("cannot read client properties " + file + ": " + e.getMessage());
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (String k : p.stringPropertyNames()) {
      out.put(k, p.getProperty(k).strip());
    }
    return out;
  }

  public int integer(String key) {
    try {
      return Integer.parseInt(values.get(key).replace("_", ""));
    } catch (NumberFormatException e) {
      throw new AgentException(key + " must be a whole number, not '" + values.get(key) + "' (" + origin(key) + ")");
    }
  }

  public boolean bool(String key) {
    String v = values.get(key).toLowerCase(Locale.ROOT);
    if (v.equals("true") || v.equals("yes") || v.equals("1") || v.equals("on")) return true;
    if (v.equals("false") || v.equals("no") || v.equals("0") || v.equals("off")) return false;
    throw new AgentException(key + " must be true or false, not '" + values.get(key) + "' (" + origin(key) + ")");
  }

  public long bytes(String key) {
    String v = values.get(key).toLowerCase(Locale.ROOT).strip();
    long unit = 1;
    if (v.endsWith("k") || v.endsWith("kb") || v.endsWith("kib")) unit = 1024;
    else if (v.endsWith("m") || v.endsWith("mb") || v.endsWith("mib")) unit = 1024 * 1024;
    else if (v.endsWith("g") || v.endsWith("gb") || v.endsWith("gib")) unit = 1024L * 1024 * 1024;
    String digits = v.replaceAll("[a-z]+$", "");
    try {
      long n = Long.parseLong(digits) * unit;
      if (n > Integer.MAX_VALUE) throw new NumberFormatException();
      return n;
    } catch (NumberFormatException e) {
      throw new AgentException(key + " must be a size such as 33554432, 32m or 512k, not '" + values.get(key) + "' (" + origin(key) + ")");
    }
  }

  /** "2s", "500ms", "5m", "1h" or ISO-8601 "PT2S". */
  public Duration duration(String key) {
    String v = values.get(key).strip().toLowerCase(Locale.ROOT);
    try {
      if (v.startsWith("pt")) return Duration.parse(v.toUpperCase(Locale.ROOT));
      if (v.endsWith("ms")) return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
      if (v.endsWith("s")) return Duration.ofMillis(Math.round(Double.parseDouble(v.substring(0, v.length() - 1)) * 1000));
      if (v.endsWith("m")) return Duration.ofMinutes(Long.parseLong(v.substring(0, v.length() - 1)));
      if (v.endsWith("h")) return Duration.ofHours(Long.parseLong(v.substring(0, v.length() - 1)));
      return Duration.ofSeconds(Long.parseLong(v));
    } catch (RuntimeException e) {
      throw new AgentException(key + " must be a duration such as 2s, 500ms, 5m or PT2S, not '" + values.get(key) + "' (" + origin(key) + ")");
    }
  }
}
