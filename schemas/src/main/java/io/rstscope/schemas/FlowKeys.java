package io.rstscope.schemas;

import io.rstscope.avro.Endpoint;
import io.rstscope.avro.FlowKey;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * The canonical, direction-independent flow key (DESIGN.md) and the flow's Community ID v1.
 * Both ends are ordered the same way: unsigned address bytes, then port.
 */
public final class FlowKeys {
  public static final int TCP = 6;

  private FlowKeys() {}

  /** Key of the flow a packet from (src, srcPort) to (dst, dstPort) belongs to. */
  public static FlowKey of(byte[] src, int srcPort, byte[] dst, int dstPort) {
    boolean srcFirst = compare(src, srcPort, dst, dstPort) <= 0;
    Endpoint a = new Endpoint(ByteBuffer.wrap(src.clone()), srcPort);
    Endpoint b = new Endpoint(ByteBuffer.wrap(dst.clone()), dstPort);
    return srcFirst ? new FlowKey(a, b, TCP) : new FlowKey(b, a, TCP);
  }

  /** Negative when (a, aPort) sorts before (b, bPort). Shorter addresses (IPv4) sort first. */
  public static int compare(byte[] a, int aPort, byte[] b, int bPort) {
    if (a.length != b.length) {
      return Integer.compare(a.length, b.length);
    }
    for (int i = 0; i < a.length; i++) {
      int c = Integer.compare(a[i] & 0xff, b[i] & 0xff);
      if (c != 0) {
        return c;
      }
    }
    return Integer.compare(aPort, bPort);
  }

  /**
   * Hash of a key from its fields, equal for equal keys. Avro's generated hashCode and equals walk the schema
   * field by field (55 and 75-110 ns here); the processor looks a flow up several times per summary.
   */
  public static int hash(FlowKey key) {
    return 31 * (31 * key.getProtocol() + hash(key.getLow())) + hash(key.getHigh());
  }

  /** The same flow: what {@code equals} says, without going through the schema. */
  public static boolean same(FlowKey a, FlowKey b) {
    return a == b || a.getProtocol() == b.getProtocol() && same(a.getLow(), b.getLow()) && same(a.getHigh(), b.getHigh());
  }

  private static int hash(Endpoint e) {
    ByteBuffer a = e.getAddress();
    int h = e.getPort();
    for (int i = a.position(); i < a.limit(); i++) {
      h = 31 * h + a.get(i);
    }
    return h;
  }

  private static boolean same(Endpoint a, Endpoint b) {
    return a.getPort() == b.getPort() && a.getAddress().equals(b.getAddress());
  }

  /** "10.0.0.1:40000-10.0.3.2:443" in key order, for logs and URLs. */
  public static String text(FlowKey key) {
    return Endpoints.endpoint(key.getLow().getAddress(), key.getLow().getPort()) + "-"
        + Endpoints.endpoint(key.getHigh().getAddress(), key.getHigh().getPort());
  }

  /** Community ID v1 with seed 0 (corelight/community-id-spec), e.g. "1:LQU9qZlK+B5F3KDmev6m5PMibrg=". */
  public static String communityId(FlowKey key) {
    return communityId(Endpoints.bytes(key.getLow().getAddress()), key.getLow().getPort(),
        Endpoints.bytes(key.getHigh().getAddress()), key.getHigh().getPort(), key.getProtocol());
  }

  public static String communityId(byte[] src, int srcPort, byte[] dst, int dstPort, int protocol) {
    // The spec orders by address, then port, exactly like our canonical key.
    if (compare(src, srcPort, dst, dstPort) > 0) {
      return communityId(dst, dstPort, src, srcPort, protocol);
    }
    try {
      MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
      sha1.update(new byte[] {0, 0}); // seed 0, big endian
      sha1.update(src);
      sha1.update(dst);
      sha1.update(new byte[] {(byte) protocol, 0});
      sha1.update(new byte[] {(byte) (srcPort >>> 8), (byte) srcPort, (byte) (dstPort >>> 8), (byte) dstPort});
      return "1:" + Base64.getEncoder().encodeToString(sha1.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-1", e);
    }
  }
}
