package io.rstscope.agent.cli;

import com.sun.net.httpserver.HttpServer;
import io.rstscope.agent.AgentException;
import io.rstscope.agent.CaptureAgent;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.Executors;

/** Prometheus text exposition of the agent's counters on /metrics (JDK HTTP server, one thread). */
public final class MetricsServer implements AutoCloseable {
  private final HttpServer server;

  private MetricsServer(HttpServer server) {
    this.server = server;
  }

  public static MetricsServer start(int port, CaptureAgent agent) {
    HttpServer server;
    try {
      server = HttpServer.create(new InetSocketAddress(port), 0);
    } catch (IOException e) {
      throw new AgentException("cannot serve metrics on port " + port + ": " + e.getMessage());
    }
    server.createContext("/metrics", exchange -> {
      byte[] body = render(agent).getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream os = exchange.getResponseBody()) {
        os.write(body);
      }
    });
    server.setExecutor(Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "rstscope-agent-metrics");
      t.setDaemon(true);
      return t;
    }));
    server.start();
    return new MetricsServer(server);
  }

  public int port() {
    return server.getAddress().getPort();
  }

  static String render(CaptureAgent agent) {
    CaptureAgent.Snapshot s = agent.snapshot();
    String point = agent.config().point().replace("\"", "");
    String labels = "{point=\"" + point + "\"}";
    StringBuilder b = new StringBuilder(2048);
    counter(b, "rstscope_agent_captured_packets_total", "Packets handed to the agent by libpcap.", labels, s.captured());
    counter(b, "rstscope_agent_captured_bytes_total", "Captured bytes (up to the snap length).", labels, s.capturedBytes());
    counter(b, "rstscope_agent_decoded_packets_total", "Packets decoded to a TCP segment.", labels, s.decoded());
    b.append("# HELP rstscope_agent_anomalies_total Packets not decoded (or notes on decoded ones), by anomaly.\n");
    b.append("# TYPE rstscope_agent_anomalies_total counter\n");
    for (Map.Entry<String, Long> e : s.anomalies().entrySet()) {
      b.append("rstscope_agent_anomalies_total{point=\"").append(point).append("\",anomaly=\"").append(e.getKey())
          .append("\"} ").append(e.getValue()).append('\n');
    }
    counter(b, "rstscope_agent_summaries_total", "Summaries produced by the publish policy.", labels, s.summaries());
    counter(b, "rstscope_agent_published_total", "Summaries acknowledged by Kafka.", labels, s.published());
    counter(b, "rstscope_agent_dropped_total", "Summaries dropped (buffer full or refused).", labels, s.dropped());
    gauge(b, "rstscope_agent_buffered", "Summaries sent and not yet acknowledged.", labels, s.buffered());
    gauge(b, "rstscope_agent_flows_tracked", "Flows in the flow table.", labels, s.flowsTracked());
    counter(b, "rstscope_agent_flow_evictions_total", "Flows evicted because the table was full.", labels, s.flowEvictions());
    counter(b, "rstscope_agent_pcap_received_total", "libpcap ps_recv.", labels, s.pcapReceived());
    counter(b, "rstscope_agent_pcap_dropped_total", "libpcap ps_drop (kernel buffer full).", labels, s.pcapDropped());
    counter(b, "rstscope_agent_pcap_ifdropped_total", "libpcap ps_ifdrop (interface/driver).", labels, s.pcapIfDropped());
    counter(b, "rstscope_agent_heartbeats_total", "Heartbeats sent.", labels, s.heartbeats());
    return b.toString();
  }

  private static void counter(StringBuilder b, String name, String help, String labels, long v) {
    metric(b, name, help, "counter", labels, v);
  }

  private static void gauge(StringBuilder b, String name, String help, String labels, long v) {
    metric(b, name, help, "gauge", labels, v);
  }

  private static void metric(StringBuilder b, String name, String help, String type, String labels, long v) {
    b.append("# HELP ").append(name).append(' ').append(help).append('\n');
    b.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    b.append(name).append(labels).append(' ').append(v).append('\n');
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
