package io.rstscope.schemas;

import java.nio.ByteBuffer;

/** Text form of addresses and endpoints as findings print them: {@code 10.0.0.1:80}, {@code [2001:db8::1]:80}. */
public final class Endpoints {
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
