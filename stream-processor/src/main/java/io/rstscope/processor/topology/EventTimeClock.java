package io.rstscope.processor.topology;

import io.rstscope.avro.PointStatus;
import io.rstscope.processor.output.Micros;
import io.rstscope.processor.state.PathModel;
import io.rstscope.processor.state.PointProgress;
import io.rstscope.processor.state.WriteBackCache;
import io.rstscope.processor.topology.PointHealthBoard.PointState;
import io.rstscope.processor.topology.PointHealthBoard.PointView;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One task's time model: when every point's evidence for a RST is in, and for which times a point was
 * capturing. Event time comes from the points' watermarks, session by session ({@link PointProgress}); the
 * waits that cannot be measured in event time (a point that went silent, a point whose session ended and
 * may come back) are measured on a <em>running clock</em>: wall-clock time during which this task was
 * running and the cluster was reachable. It starts at zero when the task is initialised, so processor
 * downtime, rebalances and cluster outages never count as the points' silence.
 *
 * <table>
 *   <caption>How a point holds back a pending RST first seen at t (t at the point: t + its clock offset)</caption>
 *   <tr><th>point</th><th>holds the RST back while</th></tr>
 *   <tr><td>expected, nothing received yet</td><td>always (until the verdict wait runs out)</td></tr>
 *   <tr><td>live session</td><td>its watermark is before t + correlation window + skew allowance</td></tr>
 *   <tr><td>missing: live session, nothing received for pointMissingAfter</td><td>never</td></tr>
 *   <tr><td>session ended where known</td><td>t is after where it ended (+ window + skew), for pointReturnWait
 *       after it ended: a point that comes back is waited for; one that does not was not capturing at t</td></tr>
 *   <tr><td>session ended, end unknown (an agent without sessions)</td><td>never</td></tr>
 * </table>
 */
final class EventTimeClock {
  private final ProcessorConfig config;
  private final PointHealthBoard board;
  private String task = "";
  private WriteBackCache<String, PointProgress> progress;
  private long runningMs;
  private long lastTickWallMs = Long.MIN_VALUE;
  /** The board's outage count at the last tick: a tick across an outage counts nothing. */
  private long outagesSeen;
  /** Running-clock times, all forgotten at task init (the clock restarts from zero). */
  private final Map<String, Long> heardAt = new HashMap<>();
  private final Map<String, Long> endedAt = new HashMap<>();
  private final Map<String, Long> waitStart = new HashMap<>();
  /** Newest event time this task has seen from any point: the reference for event-time lag. */
  private long newestMicros = Long.MIN_VALUE;

  EventTimeClock(ProcessorConfig config, PointHealthBoard board) {
    this.config = config;
    this.board = board;
  }

  /** The task starts (or restarts): progress from its store, every wait from zero. */
  void init(String taskName, WriteBackCache<String, PointProgress> progressCache, long wallMs) {
    board.forget(task);
    task = taskName;
    progress = progressCache;
    runningMs = 0;
    lastTickWallMs = wallMs;
    outagesSeen = board.outages();
    heardAt.clear();
    endedAt.clear();
    waitStart.clear();
    newestMicros = Long.MIN_VALUE;
  }

  void close() {
    board.forget(task);
  }

  /**
   * Advances the running clock by the wall-clock time since the last tick, unless the cluster was unreachable
   * at some moment in between (a stream thread blocked through an outage resumes with one long tick).
   */
  void tick(long wallMs) {
    long outages = board.outages();
    if (wallMs > lastTickWallMs && board.clusterReachable() && outages == outagesSeen) {
      runningMs += wallMs - lastTickWallMs;
    }
    outagesSeen = outages;
    lastTickWallMs = wallMs;
  }

  /** A summary (not a watermark) of a point. Returns its progress, created when new. */
  PointProgress summary(String point, long tsMicros) {
    PointProgress prog = progressOf(point);
    prog.summaries++; // a statistic: written with the next change of this point, not for itself
    if (tsMicros < prog.firstMicros) {
      prog.firstMicros = tsMicros;
      progress.put(point, prog);
    }
    newestMicros = Math.max(newestMicros, tsMicros);
    return prog;
  }

  /** A watermark of a point's capture session. */
  void watermark(String point, String session, long tsMicros) {
    PointProgress prog = progressOf(point);
    prog.summaries++;
    PointProgress.Step step = prog.watermark(session, tsMicros);
    if (step == PointProgress.Step.STALE) {
      return;
    }
    if (step == PointProgress.Step.SESSION_ENDED) {
      endedAt.put(point, runningMs);
    } else if (step == PointProgress.Step.SESSION_STARTED) {
      endedAt.remove(point);
    }
    if (tsMicros != Long.MAX_VALUE) {
      newestMicros = Math.max(newestMicros, tsMicros);
    }
    progress.put(point, prog);
  }

  private PointProgress progressOf(String point) {
    heardAt.put(point, runningMs);
    PointProgress prog = progress.get(point);
    if (prog == null) {
      prog = new PointProgress(point);
      progress.put(point, prog);
    }
    return prog;
  }

  PointState state(String point, PointProgress prog) {
    if (prog == null) {
      return PointState.unknown;
    }
    if (prog.finished()) {
      return PointState.finished;
    }
    return runningMs - heardAt.getOrDefault(point, 0L) >= config.pointMissingAfter().toMillis()
        ? PointState.missing : PointState.live;
  }

  private boolean returnWaitOver(String point) {
    return runningMs - endedAt.getOrDefault(point, 0L) >= config.pointReturnWait().toMillis();
  }

  /**
   * The newest (corrected) first-sighting time whose evidence every expected point has delivered: a pending
   * RST is ready when its first sighting is at or before it (see the table above). Long.MIN_VALUE while an
   * expected point has not reported. Computed once per pass, so a watermark costs one comparison per pending RST.
   */
  long readyHorizon(Iterable<String> expected, PathModel model) {
    long horizon = Long.MAX_VALUE;
    for (String point : expected) {
      PointProgress prog = progress.get(point);
      switch (state(point, prog)) {
        case unknown -> {
          return Long.MIN_VALUE;
        }
        case missing -> { }
        case live -> {
          if (prog.watermarkMicros == Long.MIN_VALUE) {
            return Long.MIN_VALUE;
          }
          horizon = Math.min(horizon, prog.watermarkMicros - model.offsetMicros(point) - config.waitMicros());
        }
        case finished -> {
          if (prog.endKnown() && !returnWaitOver(point)) {
            horizon = Math.min(horizon, prog.endMicros + config.waitMicros() - model.offsetMicros(point));
          }
        }
      }
    }
    return horizon;
  }

  /** A pending RST was first seen now: its verdict wait starts. */
  void pendingSeen(String findingId) {
    waitStart.putIfAbsent(findingId, runningMs);
  }

  /** The verdict wait of a pending RST ran out (a RST restored from the store waits from the task's start). */
  boolean waitedTooLong(String findingId) {
    return runningMs - waitStart.getOrDefault(findingId, 0L) >= config.maxVerdictWait().toMillis();
  }

  void decided(String findingId, boolean byFallback) {
    waitStart.remove(findingId);
    if (byFallback) {
      board.countFallbackVerdict();
    }
  }

  /** Why the evidence of a RST first seen at {@code first} (corrected) was incomplete, point by point. */
  String laggards(long first, Iterable<String> expected, PathModel model) {
    List<String> out = new ArrayList<>();
    for (String point : expected) {
      PointProgress prog = progress.get(point);
      long atPoint = first + model.offsetMicros(point);
      switch (state(point, prog)) {
        case unknown -> out.add(point + " never reported");
        case missing -> out.add(point + " went silent (missing) at " + iso(prog.watermarkMicros));
        case live -> {
          if (prog.watermarkMicros < atPoint + config.waitMicros()) {
            out.add(point + " stopped at " + iso(prog.watermarkMicros));
          }
        }
        case finished -> {
          if (prog.endKnown() && prog.endMicros + config.waitMicros() < atPoint) {
            out.add(point + " ended its capture at " + iso(prog.endMicros) + " and did not come back");
          }
        }
      }
    }
    return String.join(", ", out);
  }

  /**
   * Points that dropped summaries (agent buffer overflow, cluster refusal) in the correlation window of a RST
   * first seen at {@code first} (corrected): "P2 dropped 17 summaries between t1 and t2".
   */
  List<String> droppedAround(long first, Iterable<String> expected, PathModel model,
      java.util.function.Function<String, PointStatus> status) {
    List<String> out = new ArrayList<>();
    for (String point : expected) {
      PointStatus st = status.apply(point);
      if (st == null || st.getDroppedFrom() == null || st.getDroppedUntil() == null) {
        continue;
      }
      long atPoint = first + model.offsetMicros(point);
      long from = Micros.of(st.getDroppedFrom());
      long until = Micros.of(st.getDroppedUntil());
      if (from <= atPoint + config.waitMicros() && until >= atPoint - config.waitMicros()) {
        out.add(point + " dropped " + st.getDropped() + " summaries between " + Micros.iso(st.getDroppedFrom())
            + " and " + Micros.iso(st.getDroppedUntil()));
      }
    }
    return out;
  }

  /** Publishes this task's view of every point to the board (per punctuation). */
  void publish(Iterable<String> expected) {
    for (String point : expected) {
      PointProgress prog = progress.get(point);
      PointState state = state(point, prog);
      long wm = prog == null ? Long.MIN_VALUE : prog.watermarkMicros;
      long lag = state == PointState.live && wm != Long.MIN_VALUE && newestMicros != Long.MIN_VALUE
          ? Math.max(0, newestMicros - wm) : 0;
      board.update(task, point, new PointView(state, wm, lag));
    }
  }

  private static String iso(long micros) {
    return micros == Long.MIN_VALUE ? "no watermark" : Micros.iso(Micros.toInstant(micros));
  }
}
