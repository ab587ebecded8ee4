package io.rstscope.processor.topology;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the locators' time model shows outside the topology, for one processor instance: each point's state
 * and event-time lag as its tasks see it, and how many verdicts the wall-clock fallback decided; and what
 * the time model is told from outside: whether the cluster is reachable (its waits stand still while it is
 * not, so an outage never counts as the points' silence). Written by stream threads, read by /ready and
 * /metrics.
 */
public final class PointHealthBoard {
  /** A point's state as one task's time model sees it. */
  public enum PointState {
    /** Its current session is capturing and its watermarks arrive. */
    live,
    /** Its last session ended (end of a replay, an agent stopped); waited for again if it comes back. */
    finished,
    /** Its session did not end but nothing came from it for the missing-after time: taken as gone. */
    missing,
    /** Expected (path order, analyze's points) but nothing came from it yet. */
    unknown
  }

  /** One task's view of one point: its state and how far its watermark trails the newest event time. */
  public record PointView(PointState state, long watermarkMicros, long lagMicros) {}

  private final Map<String, Map<String, PointView>> views = new ConcurrentHashMap<>();
  private final AtomicLong fallbackVerdicts = new AtomicLong();
  private volatile boolean clusterReachable = true;
  private final AtomicLong outages = new AtomicLong();
  /** When the cluster was last seen unreachable (System.nanoTime), or 0 when never. */
  private volatile long lastUnreachableNanos;
  private volatile String clusterProblem;

  /** A task's current view of a point. */
  void update(String task, String point, PointView view) {
    views.computeIfAbsent(point, p -> new ConcurrentHashMap<>()).put(task, view);
  }

  /** A task went away (closed, moved to another instance): its views no longer hold. */
  void forget(String task) {
    views.values().forEach(m -> m.remove(task));
  }

  void countFallbackVerdict() {
    fallbackVerdicts.incrementAndGet();
  }

  /** Verdicts decided by the wall-clock fallback (some point's evidence never came). */
  public long fallbackVerdicts() {
    return fallbackVerdicts.get();
  }

  /** Set by whoever watches the cluster (the processor's runner). */
  public void clusterReachable(boolean reachable, String problem) {
    if (!reachable && clusterReachable) {
      outages.incrementAndGet();
    }
    if (!reachable || !clusterReachable) {
      lastUnreachableNanos = System.nanoTime(); // unreachable now, or until now
    }
    clusterReachable = reachable;
    clusterProblem = reachable ? null : problem;
  }

  public boolean clusterReachable() {
    return clusterReachable;
  }

  /** Whether the cluster is unreachable now or was within {@code window}. */
  public boolean unreachableWithin(java.time.Duration window) {
    return !clusterReachable
        || lastUnreachableNanos != 0 && System.nanoTime() - lastUnreachableNanos <= window.toNanos();
  }

  /** How many times the cluster became unreachable. */
  long outages() {
    return outages.get();
  }

  /** Why the cluster is unreachable, or null. */
  public String clusterProblem() {
    return clusterProblem;
  }

  /**
   * Each point's state over this instance's tasks: the worst of them (missing over unknown over live over
   * finished), with the largest lag among the tasks that see it live.
   */
  public Map<String, PointView> points() {
    Map<String, PointView> out = new TreeMap<>();
    views.forEach((point, byTask) -> {
      PointView worst = null;
      long lag = 0;
      long watermark = Long.MAX_VALUE;
      for (PointView v : byTask.values()) {
        if (worst == null || rank(v.state()) > rank(worst.state())) {
          worst = v;
        }
        if (v.state() == PointState.live) {
          lag = Math.max(lag, v.lagMicros());
          watermark = Math.min(watermark, v.watermarkMicros());
        }
      }
      if (worst != null) {
        out.put(point, new PointView(worst.state(), worst.state() == PointState.live ? watermark : worst.watermarkMicros(),
            worst.state() == PointState.live ? lag : 0));
      }
    });
    return out;
  }

  private static int rank(PointState s) {
    return switch (s) {
      case finished -> 0;
      case live -> 1;
      case unknown -> 2;
      case missing -> 3;
    };
  }
}
