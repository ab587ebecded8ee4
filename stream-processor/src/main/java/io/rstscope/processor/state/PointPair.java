package io.rstscope.processor.state;

import java.util.ArrayList;
import java.util.List;

/**
 * What packets seen at two points say about those points (store {@code point-pairs}, key
 * "A|B" with A before B by name): which of them is nearer the client (TTL votes) and the
 * offset of B's clock against A's (samples of tsB - tsA for the same packet).
 */
public final class PointPair {
  public static final int MAX_SAMPLES = 64;

  public String a;
  public String b;
  /** Packets that show A nearer the client than B, and the reverse. */
  public long aFirstVotes;
  public long bFirstVotes;
  /** Newest samples of tsB - tsA, microseconds. */
  public List<Long> deltaMicros = new ArrayList<>();
  public long samples;

  public static String key(String p, String q) {
    return p.compareTo(q) <= 0 ? p + "|" + q : q + "|" + p;
  }

  public void addDelta(long delta) {
    deltaMicros.add(delta);
    samples++;
    if (deltaMicros.size() > MAX_SAMPLES) {
      deltaMicros.remove(0);
    }
  }

  /** Median of the samples: robust to the few packets queued longer on the way. */
  public long medianDeltaMicros() {
    List<Long> sorted = new ArrayList<>(deltaMicros);
    sorted.sort(null);
    return sorted.isEmpty() ? 0 : sorted.get(sorted.size() / 2);
  }
}
