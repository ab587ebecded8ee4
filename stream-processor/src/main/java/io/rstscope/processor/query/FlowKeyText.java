package io.rstscope.processor.query;

import io.rstscope.avro.FlowKey;
import io.rstscope.schemas.FlowKeys;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/**
 * Flow keys and endpoints from their text forms ({@code 10.0.0.1:40000-10.0.3.2:443},
 * {@code [2001:db8::1]:443}), as findings and URLs print them. Only address literals are accepted:
 * a name would mean a DNS lookup inside a query.
 */
public final class FlowKeyText {
  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
  private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]+");

  /** A text that is not a flow key or an endpoint. */
  public static final class BadKey extends IllegalArgumentException {
    public BadKey(String message) {
      super(message);
    }
  }

  public record Endpoint(byte[] address, int port) {}

  private FlowKeyText() {}

  /** "A:p-B:q" in either order; the key is canonical whichever end is written first. */
  public static FlowKey parseKey(String text) {
    if (text == null) {
      throw new BadKey("missing flow key");
    }
    int dash = text.startsWith("[") ? text.indexOf("]:") : 0;
    int split = text.indexOf('-', Math.max(dash, 0));
    if (split < 0) {
      throw new BadKey("a flow key is ENDPOINT-ENDPOINT, e.g. 10.0.0.1:40000-10.0.3.2:443: " + text);
    }
    Endpoint a = parseEndpoint(text.substring(0, split));
    Endpoint b = parseEndpoint(text.substring(split + 1));
    return FlowKeys.of(a.address(), a.port(), b.address(), b.port());
  }

  public static FlowKey of(String client, String server) {
    Endpoint c = parseEndpoint(client);
    Endpoint s = parseEndpoint(server);
    return FlowKeys.of(c.address(), c.port(), s.address(), s.port());
  }

  public static Endpoint parseEndpoint(String text) {
    String t = text == null ? "" : text.strip();
    int colon = t.lastIndexOf(':');
    if (colon < 0) {
      throw new BadKey("an endpoint is ADDRESS:PORT or [IPV6]:PORT: " + text);
    }
    String host = t.substring(0, colon);
    int port;
    try {
      port = Integer.parseInt(t.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new BadKey("bad port in " + text);
    }
    if (port < 0 || port > 65535) {
      throw new BadKey("port out of range in " + text);
    }
    return new Endpoint(address(host), port);
  }

  /** An IPv4 literal or an IPv6 literal, with or without brackets. */
  public static byte[] address(String host) {
    String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    boolean v4 = IPV4.matcher(h).matches();
    boolean v6 = !v4 && h.contains(":") && IPV6.matcher(h).matches();
    if (!v4 && !v6) {
      throw new BadKey("not an IP address literal: " + host);
    }
    try {
      return InetAddress.getByName(h).getAddress(); // a literal: no lookup
    } catch (UnknownHostException e) {
      throw new BadKey("not an IP address literal: " + host);
    }
  }
}
