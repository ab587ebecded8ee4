package io.rstscope.processor.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.rstscope.processor.topology.PointHealthBoard;
import io.javalin.http.staticfiles.Location;
import io.rstscope.avro.FlowKey;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP side of a processor instance (Javalin): the query API under /api (one fixed endpoint
 * per store; see openapi.json), /health, /ready, /metrics, /openapi.json and the web page.
 * Started before Kafka Streams, so its port can be advertised as {@code application.server};
 * until {@link #attach} every query answers 503.
 */
public final class QueryServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(QueryServer.class);
  static final String RETRY_AFTER_SECONDS = "2";
  private static final int DEFAULT_LIMIT = 100;

  /** PKCS12 keystore for HTTPS; null means plain HTTP. */
  public record Tls(java.nio.file.Path keystore, String password) {}

  private final Javalin app;
  private final ProcessorMetrics metrics;
  private volatile PointHealthBoard board = new PointHealthBoard();
  private volatile QueryService service;

  private QueryServer(Javalin app, ProcessorMetrics metrics) {
    this.app = app;
    this.metrics = metrics;
  }

  public static QueryServer start(String address, int port, Tls tls, ProcessorMetrics metrics) {
    QueryServer[] self = new QueryServer[1];
    Javalin app = Javalin.create(cfg -> {
      cfg.startup.showJavalinBanner = false;
      cfg.staticFiles.add(s -> {
        s.hostedPath = "/";
        s.directory = "/io/rstscope/processor/web/static";
        s.location = Location.CLASSPATH;
      });
      if (tls != null) {
        cfg.jetty.addConnector((server, http) -> {
          SslContextFactory.Server ssl = new SslContextFactory.Server();
          ssl.setKeyStorePath(tls.keystore().toString());
          ssl.setKeyStorePassword(tls.password());
          ssl.setKeyStoreType("PKCS12");
          ServerConnector c = new ServerConnector(server, new SslConnectionFactory(ssl, "http/1.1"),
              new HttpConnectionFactory(http));
          c.setHost(address);
          c.setPort(port);
          return c;
        });
      }
      var r = cfg.routes;
      r.get("/health", ctx -> self[0].health(ctx));
      r.get("/ready", ctx -> self[0].ready(ctx));
      r.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.scrape()));
      r.get("/openapi.json", ctx -> ctx.contentType("application/json").result(resource("openapi.json")));
      r.get("/api/flows", ctx -> self[0].flowByQuery(ctx));
      r.get("/api/flows/{key}", ctx -> self[0].flow(ctx, ctx.pathParam("key"), false));
      r.get("/api/flows/{key}/ladder.svg", ctx -> self[0].flow(ctx, ctx.pathParam("key"), true));
      r.get("/api/flow-index", ctx -> self[0].flowIndex(ctx));
      r.get("/api/findings", ctx -> self[0].findings(ctx));
      r.get("/api/scans", ctx -> self[0].gather(ctx, "scans", s -> s.localScans()));
      r.get("/api/segments", ctx -> self[0].gather(ctx, "segments", s -> s.localSegments()));
      r.get("/api/path", ctx -> self[0].path(ctx));
      r.get("/api/points", ctx -> self[0].points(ctx));
      r.exception(QueryErrors.NotFound.class, (e, ctx) -> error(ctx, 404, e.getMessage()));
      r.exception(FlowKeyText.BadKey.class, (e, ctx) -> error(ctx, 400, e.getMessage()));
      r.exception(QueryErrors.Unavailable.class, (e, ctx) -> unavailable(ctx, e.getMessage()));
      r.exception(InvalidStateStoreException.class, (e, ctx) -> unavailable(ctx, "state store not queryable now: " + e.getMessage()));
      r.exception(Exception.class, (e, ctx) -> {
        LOG.warn("query {} failed", ctx.path(), e);
        error(ctx, 500, e.toString());
      });
    });
    QueryServer server = new QueryServer(app, metrics);
    self[0] = server;
    if (tls != null) {
      app.start();
    } else {
      app.start(address, port);
    }
    return server;
  }

  public int port() {
    return app.port() > 0 ? app.port() : ((ServerConnector) app.jettyServer().server().getConnectors()[0]).getLocalPort();
  }

  public void attach(QueryService service) {
    this.service = service;
    metrics.attach(service);
  }

  @Override
  public void close() {
    app.stop();
  }

  // ---- handlers ----

  private QueryService service() {
    QueryService s = service;
    if (s == null) {
      throw new QueryErrors.Unavailable("the processor is starting");
    }
    return s;
  }

  private static boolean localOnly(Context ctx) {
    return ctx.header(Remote.LOCAL_HEADER) != null;
  }

  private void health(Context ctx) {
    QueryService s = service;
    KafkaStreams.State state = s == null ? KafkaStreams.State.CREATED : s.streams().state();
    boolean ok = state != KafkaStreams.State.ERROR && state != KafkaStreams.State.PENDING_ERROR
        && state != KafkaStreams.State.NOT_RUNNING && state != KafkaStreams.State.PENDING_SHUTDOWN;
    ctx.status(ok ? 200 : 503).contentType("application/json").result("{\"status\":\"" + (ok ? "up" : "down")
        + "\",\"streams\":\"" + state + "\"}");
  }

  /**
   * Ready: Kafka Streams RUNNING and the cluster answering. The body says, either way, the cluster's state,
   * how many verdicts the wall-clock fallback decided, and each point's state and event-time lag.
   */
  private void ready(Context ctx) {
    QueryService s = service;
    KafkaStreams.State state = s == null ? KafkaStreams.State.CREATED : s.streams().state();
    PointHealthBoard b = board;
    boolean reachable = b.clusterReachable();
    boolean ready = state == KafkaStreams.State.RUNNING && reachable;
    ObjectNode body = Json.MAPPER.createObjectNode();
    body.put("ready", ready).put("streams", state.name());
    ObjectNode cluster = body.putObject("cluster").put("reachable", reachable);
    if (!reachable && b.clusterProblem() != null) {
      cluster.put("problem", b.clusterProblem());
    }
    body.put("verdictsByFallback", b.fallbackVerdicts());
    ObjectNode points = body.putObject("points");
    b.points().forEach((point, view) -> points.putObject(point).put("state", view.state().name())
        .put("eventTimeLagSeconds", view.lagMicros() / 1e6));
    if (!ready) {
      ctx.header("Retry-After", RETRY_AFTER_SECONDS);
      ctx.status(503);
    }
    ctx.contentType("application/json").result(Json.write(body));
  }

  /** The time model's health, shown by /ready (a fresh board, all reachable and empty, until attached). */
  public void attachHealth(PointHealthBoard health) {
    this.board = health;
  }

  private void flowByQuery(Context ctx) {
    String cid = ctx.queryParam("community_id");
    String client = ctx.queryParam("client");
    String server = ctx.queryParam("server");
    if (cid != null) {
      List<String> keys = gatherIndex(cid);
      if (keys.isEmpty()) {
        throw new QueryErrors.NotFound("no flow with community_id " + cid);
      }
      flow(ctx, keys.get(0), false);
    } else if (client != null && server != null) {
      FlowKey key = FlowKeyText.of(client, server);
      flow(ctx, io.rstscope.schemas.FlowKeys.text(key), false);
    } else {
      throw new FlowKeyText.BadKey("ask /api/flows/{key}, /api/flows?community_id=ID or /api/flows?client=A:P&server=B:Q");
    }
  }

  private void flow(Context ctx, String keyText, boolean svg) {
    FlowKey key = FlowKeyText.parseKey(keyText);
    QueryService s = service();
    QueryService.Placement at = s.place(key);
    String body;
    if (at.local()) {
      body = svg ? s.ladderSvg(key, at.partition()) : Json.write(s.flowJson(key, at.partition()));
    } else if (localOnly(ctx)) {
      throw new QueryErrors.Unavailable("flow moved to " + at.host() + " while asked (rebalancing)");
    } else {
      String path = "/api/flows/" + java.net.URLEncoder.encode(io.rstscope.schemas.FlowKeys.text(key), StandardCharsets.UTF_8)
          .replace("+", "%20") + (svg ? "/ladder.svg" : "");
      body = s.forward(at.host(), path);
    }
    ctx.contentType(svg ? "image/svg+xml" : "application/json").result(body);
  }

  private List<String> gatherIndex(String cid) {
    QueryService s = service();
    List<String> keys = new ArrayList<>(s.localFlowIndex(cid));
    String q = "/api/flow-index?community_id=" + java.net.URLEncoder.encode(cid, StandardCharsets.UTF_8);
    for (HostInfo other : s.others()) {
      Json.parse(s.forward(other, q)).path("flows").forEach(n -> keys.add(n.asText()));
    }
    return keys;
  }

  private void flowIndex(Context ctx) {
    String cid = ctx.queryParam("community_id");
    if (cid == null) {
      throw new FlowKeyText.BadKey("community_id is required");
    }
    List<String> keys = localOnly(ctx) ? service().localFlowIndex(cid) : gatherIndex(cid);
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.set("flows", Json.MAPPER.valueToTree(keys));
    json(ctx, o);
  }

  private void findings(Context ctx) {
    int limit = ctx.queryParam("limit") == null ? DEFAULT_LIMIT : parseLimit(ctx.queryParam("limit"));
    String forged = ctx.queryParam("forged");
    QueryService.FindingFilter filter = new QueryService.FindingFilter(ctx.queryParam("address"),
        ctx.queryParam("cause"), ctx.queryParam("emitter"), ctx.queryParam("segment"),
        forged == null ? null : Boolean.valueOf(forged), limit);
    QueryService s = service();
    List<ArrayNode> parts = new ArrayList<>();
    parts.add(s.localFindings(filter));
    if (!localOnly(ctx)) {
      for (HostInfo other : s.others()) {
        parts.add((ArrayNode) Json.parse(s.forward(other, ctx.path() + query(ctx))).path("findings"));
      }
    }
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.set("findings", QueryService.mergeFindings(parts, limit));
    json(ctx, o);
  }

  private static int parseLimit(String v) {
    try {
      int n = Integer.parseInt(v);
      if (n < 1 || n > 10_000) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw new FlowKeyText.BadKey("limit must be 1..10000, not " + v);
    }
  }

  private void gather(Context ctx, String field, Function<QueryService, ArrayNode> local) {
    QueryService s = service();
    ArrayNode all = local.apply(s);
    if (!localOnly(ctx)) {
      for (HostInfo other : s.others()) {
        Json.parse(s.forward(other, ctx.path())).path(field).forEach(all::add);
      }
    }
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.set(field, all);
    json(ctx, o);
  }

  private void path(Context ctx) {
    json(ctx, service().localPath());
  }

  private void points(Context ctx) {
    QueryService s = service();
    List<ObjectNode> parts = new ArrayList<>();
    parts.add(s.localPath());
    for (HostInfo other : s.others()) {
      parts.add((ObjectNode) Json.parse(s.forward(other, "/api/path")));
    }
    json(ctx, s.points(parts));
  }

  private static String query(Context ctx) {
    String q = ctx.queryString();
    return q == null || q.isEmpty() ? "" : "?" + q;
  }

  private static void json(Context ctx, JsonNode node) {
    ctx.contentType("application/json").result(Json.write(node));
  }

  private static void error(Context ctx, int status, String message) {
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.put("error", message == null ? "error" : message);
    ctx.status(status).contentType("application/json").result(Json.write(o));
  }

  private static void unavailable(Context ctx, String message) {
    ctx.header("Retry-After", RETRY_AFTER_SECONDS);
    error(ctx, 503, message);
  }

  private static String resource(String name) {
    try (InputStream in = QueryServer.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException(name + " missing from the jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
