package io.rstscope.agent.decode;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Crafted frames for decoder tests, built from the RFC header layouts. */
final class Frames {
  private Frames() {}

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  static byte[] bytes(int... v) {
    byte[] b = new byte[v.length];
    for (int i = 0; i < v.length; i++) {
      b[i] = (byte) v[i];
    }
    return b;
  }

  static byte[] ethernet(int etherType) {
    return bytes(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, etherType >> 8, etherType);
  }

  static byte[] vlan(int vid, int innerType) {
    return bytes(vid >> 8, vid, innerType >> 8, innerType);
  }

  /** IPv4 header; {@code options} must be a multiple of 4 bytes. */
  static byte[] ipv4(int protocol, int ttl, int id, int flagsFragment, byte[] options, int payloadLength) {
    int ihl = 20 + options.length;
    int total = ihl + payloadLength;
    byte[] h = bytes(0x40 | ihl / 4, 0, total >> 8, total, id >> 8, id, flagsFragment >> 8, flagsFragment,
        ttl, protocol, 0, 0, 10, 0, 0, 1, 10, 0, 3, 2);
    return concat(h, options);
  }

  static byte[] ipv6(int nextHeader, int hopLimit, int payloadLength) {
    byte[] h = new byte[40];
    h[0] = 0x60;
    h[4] = (byte) (payloadLength >> 8);
    h[5] = (byte) payloadLength;
    h[6] = (byte) nextHeader;
    h[7] = (byte) hopLimit;
    h[8] = 0x20; h[9] = 0x01; h[10] = 0x0d; h[11] = (byte) 0xb8; h[23] = 1;   // 2001:db8::1
    h[24] = 0x20; h[25] = 0x01; h[26] = 0x0d; h[27] = (byte) 0xb8; h[39] = 2; // 2001:db8::2
    return h;
  }

  /** TCP header with options padded to 4 bytes. */
  static byte[] tcp(int srcPort, int dstPort, long seq, long ack, int flags, int window, byte[] options) {
    int padded = (options.length + 3) / 4 * 4;
    byte[] opts = java.util.Arrays.copyOf(options, padded);
    int offset = (20 + padded) / 4;
    byte[] h = bytes(srcPort >> 8, srcPort, dstPort >> 8, dstPort,
        (int) (seq >> 24), (int) (seq >> 16), (int) (seq >> 8), (int) seq,
        (int) (ack >> 24), (int) (ack >> 16), (int) (ack >> 8), (int) ack,
        offset << 4 | (flags >> 8 & 1), flags & 0xff, window >> 8, window, 0, 0, 0, 0);
    return concat(h, opts);
  }

  static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  /** An IPv4/TCP packet (no link header) carrying {@code payload}. */
  static byte[] ipv4Tcp(int flags, byte[] tcpOptions, byte[] payload) {
    byte[] tcp = tcp(40000, 443, 1000, 2000, flags, 65535, tcpOptions);
    return concat(ipv4(6, 64, 0x1234, 0x4000, new byte[0], tcp.length + payload.length), tcp, payload);
  }

  /** A TLS 1.2 ClientHello record with a server_name extension (after another extension). */
  static byte[] clientHello(String serverName) {
    byte[] name = ascii(serverName);
    byte[] sniExt = concat(bytes(0, 0), u16(name.length + 5), u16(name.length + 3), bytes(0), u16(name.length), name);
    byte[] otherExt = concat(bytes(0, 23), u16(0)); // extended_master_secret, empty
    byte[] extensions = concat(otherExt, sniExt);
    byte[] body = concat(bytes(3, 3), new byte[32], bytes(32), new byte[32], u16(4), bytes(0x13, 1, 0x13, 2),
        bytes(1, 0), u16(extensions.length), extensions);
    byte[] handshake = concat(bytes(1, 0, body.length >> 8, body.length), body);
    return concat(bytes(0x16, 3, 1), u16(handshake.length), handshake);
  }

  static byte[] u16(int v) {
    return bytes(v >> 8, v);
  }
}
