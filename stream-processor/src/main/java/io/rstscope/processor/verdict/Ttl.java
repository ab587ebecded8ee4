package io.rstscope.processor.verdict;

/** Initial-TTL guesses: stacks start at 32, 64, 128 or 255 and each router takes one off. */
public final class Ttl {
  private static final int[] INITIAL = {32, 64, 128, 255};

  private Ttl() {}

  /** The smallest common initial TTL at or above the observed one. */
  public static int initialGuess(int ttl) {
    for (int initial : INITIAL) {
      if (ttl <= initial) {
        return initial;
      }
    }
    return 255;
  }

  public static int hops(int ttl) {
    return initialGuess(ttl) - ttl;
  }
}
