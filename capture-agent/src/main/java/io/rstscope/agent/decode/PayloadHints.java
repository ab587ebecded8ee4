package io.rstscope.agent.decode;

/**
 * Recognises the two payloads that tell a content filter's reset from an application's: a TLS
 * ClientHello (and its server_name) and an HTTP request line (method, target, Host header).
 * Reads only the captured bytes; a hint cut by the snap length keeps what was visible.
 */
final class PayloadHints {
  private static final byte[][] METHODS = {
      ascii("GET "), ascii("POST "), ascii("PUT "), ascii("HEAD "), ascii("DELETE "),
      ascii("OPTIONS "), ascii("PATCH "), ascii("CONNECT "), ascii("TRACE ")};
  private static final byte[] HTTP_VERSION = ascii(" HTTP/");
  private static final byte[] HOST = ascii("host:");

  private PayloadHints() {}

  static void recognise(byte[] b, int off, int n, DecodedPacket out) {
    if (n >= 6 && b[off] == 0x16 && b[off + 1] == 0x03 && b[off + 5] == 0x01) {
      out.hintKind = DecodedPacket.HINT_TLS_CLIENT_HELLO;
      sni(b, off, off + n, out);
      return;
    }
    if (n >= 5 && b[off] >= 'C' && b[off] <= 'T') {
      http(b, off, off + n, out);
    }
  }

  /*
   * TLS record: type 0x16 (1) | version (2) | length (2)
   * Handshake: type 0x01 (1) | length (3) | client_version (2) | random (32)
   *   | session_id <1> | cipher_suites <2> | compression_methods <1> | extensions <2>
   * Extension server_name (0): list length (2) | name type 0 (1) | name length (2) | name
   */
  private static void sni(byte[] b, int off, int end, DecodedPacket out) {
    int i = off + 5 + 4 + 2 + 32;
    if (i + 1 > end) {
      return;
    }
    i += 1 + (b[i] & 0xff);
    if (i + 2 > end) {
      return;
    }
    i += 2 + PacketDecoder.u16(b, i);
    if (i + 1 > end) {
      return;
    }
    i += 1 + (b[i] & 0xff);
    if (i + 2 > end) {
      return;
    }
    int extensionsEnd = Math.min(end, i + 2 + PacketDecoder.u16(b, i));
    i += 2;
    while (i + 4 <= extensionsEnd) {
      int type = PacketDecoder.u16(b, i);
      int length = PacketDecoder.u16(b, i + 2);
      i += 4;
      if (type == 0) {
        if (i + 5 > end || b[i + 2] != 0) {
          return;
        }
        int nameLength = PacketDecoder.u16(b, i + 3);
        int name = i + 5;
        if (nameLength == 0 || nameLength > 255 || name + nameLength > end || !printable(b, name, nameLength)) {
          return;
        }
        out.sniOffset = name;
        out.sniLength = nameLength;
        return;
      }
      i += length;
    }
  }

  /* Request-line = method SP request-target SP HTTP-version CRLF, then header fields. */
  private static void http(byte[] b, int off, int end, DecodedPacket out) {
    byte[] method = null;
    for (byte[] m : METHODS) {
      if (startsWith(b, off, end, m)) {
        method = m;
        break;
      }
    }
    if (method == null) {
      return;
    }
    int target = off + method.length;
    int i = target;
    while (i < end && b[i] != ' ' && b[i] != '\r' && b[i] != '\n') {
      if (b[i] < 0x21 || b[i] > 0x7e) {
        return;
      }
      i++;
    }
    if (i == target) {
      return;
    }
    boolean cut = i == end;
    if (!cut && !startsWith(b, i, end, HTTP_VERSION) && !(end - i < HTTP_VERSION.length)) {
      return;
    }
    out.hintKind = DecodedPacket.HINT_HTTP_REQUEST;
    out.httpMethodOffset = off;
    out.httpMethodLength = method.length - 1;
    out.httpTargetOffset = target;
    out.httpTargetLength = i - target;
    // Header lines: look for Host until the empty line or the end of the captured bytes.
    int line = nextLine(b, i, end);
    while (line > 0 && line < end && b[line] != '\r' && b[line] != '\n') {
      if (startsWithIgnoreCase(b, line, end, HOST)) {
        int v = line + HOST.length;
        while (v < end && (b[v] == ' ' || b[v] == '\t')) {
          v++;
        }
        int e = v;
        while (e < end && b[e] != '\r' && b[e] != '\n') {
          e++;
        }
        if (e < end && e > v) {
          int valueEnd = e;
          while (valueEnd > v && (b[valueEnd - 1] == ' ' || b[valueEnd - 1] == '\t')) {
            valueEnd--;
          }
          out.httpHostOffset = v;
          out.httpHostLength = Math.min(valueEnd - v, 255);
        }
        return;
      }
      line = nextLine(b, line, end);
    }
  }

  private static int nextLine(byte[] b, int i, int end) {
    while (i < end && b[i] != '\n') {
      i++;
    }
    return i < end ? i + 1 : -1;
  }

  private static boolean printable(byte[] b, int off, int n) {
    for (int i = off; i < off + n; i++) {
      if (b[i] < 0x21 || b[i] > 0x7e) {
        return false;
      }
    }
    return true;
  }

  private static boolean startsWith(byte[] b, int off, int end, byte[] prefix) {
    if (end - off < prefix.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if (b[off + i] != prefix[i]) {
        return false;
      }
    }
    return true;
  }

  private static boolean startsWithIgnoreCase(byte[] b, int off, int end, byte[] lowerPrefix) {
    if (end - off < lowerPrefix.length) {
      return false;
    }
    for (int i = 0; i < lowerPrefix.length; i++) {
      int c = b[off + i];
      if (c >= 'A' && c <= 'Z') {
        c += 'a' - 'A';
      }
      if (c != lowerPrefix[i]) {
        return false;
      }
    }
    return true;
  }

  private static byte[] ascii(String s) {
    return s.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  }
}
