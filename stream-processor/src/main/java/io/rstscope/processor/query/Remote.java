package io.rstscope.processor.query;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import org.apache.kafka.streams.state.HostInfo;

/**
 * Calls to other processor instances: the same API, asked to answer from its local stores only
 * ({@link #LOCAL_HEADER}), with a connect and a request timeout. A 404 there is a 404 here; any
 * other failure is 503 here (the other instance is moving or gone; try again).
 */
public final class Remote {
  /** Set on instance-to-instance requests: answer locally, never forward again. */
  public static final String LOCAL_HEADER = "X-Rstscope-Local";

  private final HttpClient client;
  private final String scheme;
  private final Duration requestTimeout;

  public Remote(SSLContext tls, Duration connectTimeout, Duration requestTimeout) {
    HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(connectTimeout).version(HttpClient.Version.HTTP_1_1);
    if (tls != null) {
      b.sslContext(tls);
    }
    this.client = b.build();
    this.scheme = tls != null ? "https" : "http";
    this.requestTimeout = requestTimeout;
  }

  public String get(HostInfo host, String pathAndQuery) {
    URI uri = URI.create(scheme + "://" + hostPart(host.host()) + ":" + host.port() + pathAndQuery);
    HttpRequest req = HttpRequest.newBuilder(uri).timeout(requestTimeout).header(LOCAL_HEADER, "1").GET().build();
    HttpResponse<String> resp;
    try {
      resp = client.send(req, HttpResponse.BodyHandlers.ofString());
    } catch (HttpTimeoutException e) {
      throw new QueryErrors.Unavailable("instance " + host + " did not answer within " + requestTimeout.toMillis() + " ms", e);
    } catch (IOException e) {
      throw new QueryErrors.Unavailable("instance " + host + " cannot be reached: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new QueryErrors.Unavailable("interrupted while asking " + host, e);
    }
    if (resp.statusCode() == 200) {
      return resp.body();
    }
    String reason = reason(resp.body());
    if (resp.statusCode() == 404) {
      throw new QueryErrors.NotFound(reason);
    }
    throw new QueryErrors.Unavailable("instance " + host + " answered " + resp.statusCode() + ": " + reason);
  }

  private static String reason(String body) {
    try {
      return Json.parse(body).path("error").asText(body);
    } catch (RuntimeException notJson) {
      return body;
    }
  }

  private static String hostPart(String host) {
    return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
  }
}
