package io.rstscope.processor.state;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The order of points along the path (client side first) and each point's clock offset,
 * from configuration or from what packets seen at several points showed.
 *
 * <p>Order: the configured one when given (points not in it are appended, inferred); otherwise a
 * point is placed before another when the same client-to-server packets had a higher TTL there
 * (or server-to-client packets a lower one): each router on the way takes one off. A configured
 * order that the TTLs clearly contradict (a pair of points voted the other way round by at least
 * {@link #CONTRADICTING_VOTES} packets, and by four times the votes for the configured way) is
 * replaced by the inferred one, and {@link #contradiction()} says so.
 *
 * <p>Offsets: the median of tsB - tsA over packets seen at both A and B, chained from the first
 * point of the path, whose clock is the reference. Transit between points (micro- to milliseconds)
 * stays in the estimate; the lab's shifted clock (+1.5 s) is three orders of magnitude larger.
 */
public final class PathModel {
  private final List<String> order;
  private final Map<String, Long> offsetMicros;
  private final boolean inferred;
  private final String contradiction;
  /** Packets that must show a pair of points the other way round before a configured order gives way. */
  static final long CONTRADICTING_VOTES = 2;

  private PathModel(List<String> order, Map<String, Long> offsetMicros, boolean inferred, String contradiction) {
    this.order = List.copyOf(order);
    this.offsetMicros = Map.copyOf(offsetMicros);
    this.inferred = inferred;
    this.contradiction = contradiction;
  }

  public static PathModel of(List<String> configured, Collection<String> knownPoints, Collection<PointPair> pairs) {
    Set<String> all = new TreeSet<>(knownPoints);
    all.addAll(configured);
    for (PointPair p : pairs) {
      all.add(p.a);
      all.add(p.b);
    }
    List<String> inferredOrder = consistent(infer(all, pairs), pairs);
    String contradiction = null;
    List<String> order;
    if (!configured.isEmpty() && contradicts(configured, pairs)) {
      // The usual mistake is a path given the wrong way round: when the votes agree with the reverse, take it
      // (it keeps the user's order for the pairs no packet has voted on); else what the votes alone give.
      List<String> reversed = new ArrayList<>(configured);
      java.util.Collections.reverse(reversed);
      LinkedHashSet<String> base = new LinkedHashSet<>(contradicts(reversed, pairs) ? inferredOrder : reversed);
      base.addAll(inferredOrder);
      order = consistent(new ArrayList<>(base), pairs);
      contradiction = "path " + String.join(",", configured) + " contradicts the TTLs seen (inferred "
          + String.join(",", order.stream().filter(configured::contains).toList()) + "); using the inferred order";
    } else if (configured.isEmpty()) {
      order = inferredOrder;
    } else {
      LinkedHashSet<String> merged = new LinkedHashSet<>(configured);
      merged.addAll(inferredOrder);
      order = new ArrayList<>(merged);
    }
    return new PathModel(order, offsets(order, pairs), configured.isEmpty() || contradiction != null, contradiction);
  }

  /**
   * The order with every pair that packets voted on (a majority) the way the votes say: a point voted before
   * one placed ahead of it moves just in front of it, until none is; pairs without votes keep the given order.
   */
  private static List<String> consistent(List<String> base, Collection<PointPair> pairs) {
    List<String> order = new ArrayList<>(base);
    for (int round = 0; round < order.size() * order.size(); round++) {
      boolean moved = false;
      for (int i = 0; i < order.size() && !moved; i++) {
        for (int j = i + 1; j < order.size() && !moved; j++) {
          if (votedFirst(order.get(j), order.get(i), pairs)) {
            order.add(i, order.remove(j));
            moved = true;
          }
        }
      }
      if (!moved) {
        break;
      }
    }
    return order;
  }

  /** More packets showed x nearer the client than y than the reverse. */
  private static boolean votedFirst(String x, String y, Collection<PointPair> pairs) {
    for (PointPair p : pairs) {
      if (p.a.equals(x) && p.b.equals(y)) {
        return p.aFirstVotes > p.bFirstVotes;
      }
      if (p.a.equals(y) && p.b.equals(x)) {
        return p.bFirstVotes > p.aFirstVotes;
      }
    }
    return false;
  }

  /** Some pair of configured points was seen clearly the other way round by the same packets' TTLs. */
  private static boolean contradicts(List<String> configured, Collection<PointPair> pairs) {
    for (PointPair pair : pairs) {
      int a = configured.indexOf(pair.a);
      int b = configured.indexOf(pair.b);
      if (a < 0 || b < 0) {
        continue;
      }
      long against = a < b ? pair.bFirstVotes : pair.aFirstVotes;
      long forIt = a < b ? pair.aFirstVotes : pair.bFirstVotes;
      if (against >= CONTRADICTING_VOTES && against >= 4 * forIt) {
        return true;
      }
    }
    return false;
  }

  private static List<String> infer(Set<String> all, Collection<PointPair> pairs) {
    Map<String, Integer> precedes = new HashMap<>();
    for (String p : all) {
      precedes.put(p, 0);
    }
    for (PointPair pair : pairs) {
      if (pair.aFirstVotes > pair.bFirstVotes) {
        precedes.merge(pair.a, 1, Integer::sum);
      } else if (pair.bFirstVotes > pair.aFirstVotes) {
        precedes.merge(pair.b, 1, Integer::sum);
      }
    }
    List<String> out = new ArrayList<>(all);
    out.sort(Comparator.comparing((String p) -> -precedes.get(p)).thenComparing(p -> p));
    return out;
  }

  private static Map<String, Long> offsets(List<String> order, Collection<PointPair> pairs) {
    Map<String, Long> out = new HashMap<>();
    if (order.isEmpty()) {
      return out;
    }
    Map<String, List<PointPair>> byPoint = new HashMap<>();
    for (PointPair p : pairs) {
      if (p.deltaMicros.isEmpty()) {
        continue;
      }
      byPoint.computeIfAbsent(p.a, k -> new ArrayList<>()).add(p);
      byPoint.computeIfAbsent(p.b, k -> new ArrayList<>()).add(p);
    }
    // Breadth-first from each not yet reached point, path order first, so every group of points
    // that shares packets gets offsets against its own first point.
    for (String root : order) {
      if (out.containsKey(root)) {
        continue;
      }
      out.put(root, 0L);
      Deque<String> queue = new ArrayDeque<>(List.of(root));
      while (!queue.isEmpty()) {
        String p = queue.poll();
        for (PointPair pair : byPoint.getOrDefault(p, List.of())) {
          String other = pair.a.equals(p) ? pair.b : pair.a;
          if (out.containsKey(other)) {
            continue;
          }
          long delta = pair.medianDeltaMicros(); // offset(b) - offset(a)
          out.put(other, pair.a.equals(p) ? out.get(p) + delta : out.get(p) - delta);
          queue.add(other);
        }
      }
    }
    return out;
  }

  public List<String> order() {
    return order;
  }

  public boolean inferred() {
    return inferred;
  }

  /** The one-line notice when the configured order contradicts the TTLs and was replaced; null otherwise. */
  public String contradiction() {
    return contradiction;
  }

  /** The point's clock minus the reference clock; 0 when unknown. */
  public long offsetMicros(String point) {
    return offsetMicros.getOrDefault(point, 0L);
  }

  public long correct(String point, long tsMicros) {
    return tsMicros - offsetMicros(point);
  }
}
