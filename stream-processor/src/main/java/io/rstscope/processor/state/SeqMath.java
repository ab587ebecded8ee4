package io.rstscope.processor.state;

/** RFC 1982-style comparison of unsigned 32-bit TCP sequence numbers. */
public final class SeqMath {
  private SeqMath() {}

  /** Signed distance b - a in sequence space, in [-2^31, 2^31). */
  public static long diff(long a, long b) {
    return (int) ((b - a) & 0xffffffffL);
  }

  /** True when a is after b in sequence space. */
  public static boolean after(long a, long b) {
    return diff(b, a) > 0;
  }
}
