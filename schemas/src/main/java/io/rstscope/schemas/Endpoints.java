package io.rstscope.schemas;

import io.rstscope.avro.Endpoint;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.regex.Pattern;

/**
 * Text form of addresses and endpoints as findings print them: {@code 10.0.0.1:80}, {@code [2001:db8::1]:80}; and
 * the one parser of that form.
 */
public final class Endpoints {
  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
  private static final Pattern DOT = Pattern.compile("\\.");
  private static final Pattern IPV6_CHARS = Pattern.compile("[0-9A-Fa-f:.]+");
  private Endpoints() {}

  public static String address(ByteBuffer address) {
    return address(bytes(address));
  }

  public static String address(byte[] address) {
    if (address.length == 4) {
      return (address[0] & 0xff) + "." + (address[1] & 0xff) + "." + (address[2] & 0xff) + "." + (address[3] & 0xff);
    }
    if (address.length == 16) {
      return ipv6(address);
    }
    throw new IllegalArgumentException("an IP address has 4 or 16 bytes, not " + address.length);
  }

  public static String endpoint(byte[] address, int port) {
    return address.length == 16 ? "[" + address(address) + "]:" + port : address(address) + ":" + port;
  }

  public static String endpoint(ByteBuffer address, int port) {
    return endpoint(bytes(address), port);
  }

  /**
   * The endpoint of {@code 10.0.0.1:80} or {@code [2001:db8::1]:80}. An IPv4-mapped IPv6 address
   * ({@code [::ffff:10.0.0.1]:80}, as a dual-stack socket reports an IPv4 peer) becomes the IPv4 address the
   * packets carry. Never resolves names.
   *
   * @throws IllegalArgumentException when the text is not an endpoint
   */
  public static Endpoint parseEndpoint(String text) {
    int colon = text.lastIndexOf(':');
    if (colon <= 0 || colon == text.length() - 1) {
      throw new IllegalArgumentException("not address:port: " + text);
    }
    String host = text.substring(0, colon);
    boolean bracketed = host.startsWith("[") && host.endsWith("]");
    if (host.indexOf(':') >= 0 && !bracketed) {
      throw new IllegalArgumentException("an IPv6 endpoint is written [address]:port: " + text);
    }
    int port;
    try {
      port = Integer.parseInt(text.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("bad port: " + text);
    }
    if (port < 0 || port > 65535 || !text.substring(colon + 1).chars().allMatch(Character::isDigit)) {
      throw new IllegalArgumentException("bad port: " + text);
    }
    String literal = bracketed ? host.substring(1, host.length() - 1) : host;
    if (bracketed && literal.indexOf(':') < 0) {
      throw new IllegalArgumentException("only IPv6 addresses are written in brackets: " + text);
    }
    byte[] address = parseAddress(literal);
    return new Endpoint(ByteBuffer.wrap(address), port);
  }

  /**
   * The bytes of an IPv4 ({@code 10.0.0.1}) or IPv6 ({@code 2001:db8::1}) address literal; IPv4-mapped IPv6
   * addresses give the IPv4 bytes. Never resolves names.
   *
   * @throws IllegalArgumentException when the text is not an address literal
   */
  public static byte[] parseAddress(String text) {
    if (IPV4.matcher(text).matches()) {
      byte[] out = new byte[4];
      String[] parts = DOT.split(text);
      for (int i = 0; i < 4; i++) {
        int b = Integer.parseInt(parts[i]);
        if (b > 255) {
          throw new IllegalArgumentException("not an IPv4 address: " + text);
        }
        out[i] = (byte) b;
      }
      return out;
    }
    // Only hex digits, ':' and '.' (an embedded IPv4 part): InetAddress then parses a literal, never a name.
    if (text.indexOf(':') < 0 || !IPV6_CHARS.matcher(text).matches()) {
      throw new IllegalArgumentException("not an IP address: " + text);
    }
    try {
      return InetAddress.getByName(text).getAddress();
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("not an IPv6 address: " + text);
    }
  }

  /** True for 0.0.0.0 and ::, the address a socket bound to every address reports. */
  public static boolean isWildcard(ByteBuffer address) {
    for (int i = address.position(); i < address.limit(); i++) {
      if (address.get(i) != 0) {
        return false;
      }
    }
    return true;
  }

  /** A copy of the buffer's remaining bytes, leaving the buffer's position alone. */
  public static byte[] bytes(ByteBuffer buffer) {
    ByteBuffer view = buffer.duplicate();
    byte[] out = new byte[view.remaining()];
    view.get(out);
    return out;
  }

  /** RFC 5952 text: lower case, leading zeros dropped, the longest run of two or more zero groups as "::". */
  private static String ipv6(byte[] a) {
    int[] groups = new int[8];
    for (int i = 0; i < 8; i++) {
      groups[i] = ((a[2 * i] & 0xff) << 8) | (a[2 * i + 1] & 0xff);
    }
    int bestStart = -1;
    int bestLength = 1;
    for (int i = 0; i < 8; ) {
      if (groups[i] != 0) {
        i++;
        continue;
      }
      int j = i;
      while (j < 8 && groups[j] == 0) {
        j++;
      }
      if (j - i > bestLength) {
        bestStart = i;
        bestLength = j - i;
      }
      i = j;
    }
    StringBuilder out = new StringBuilder(39);
    for (int i = 0; i < 8; i++) {
      if (i == bestStart) {
        out.append("::");
        i += bestLength - 1;
        continue;
      }
      if (out.length() > 0 && out.charAt(out.length() - 1) != ':') {
        out.append(':');
      }
      out.append(Integer.toHexString(groups[i]));
    }
    return out.toString();
  }
}
