package io.rstscope.processor.state;

import java.util.ArrayList;
import java.util.List;

/**
 * Event-time progress of one observation point in one task (store {@code point-progress}), session by
 * session. An agent's run is a capture session: its first watermark marks where the capture began, its
 * watermarks how far it has published, and its final watermark (Long.MAX_VALUE) ends the session, not
 * the point; the last watermark before it says where the capture ended. A later session of the same
 * point starts afresh; the time earlier sessions covered is kept (the newest {@link #MAX_EARLIER}),
 * because "not seen at P" is evidence only for times P was capturing.
 *
 * <p>Records of an agent without sessions (session "") keep the older meaning: one session for ever,
 * covering everything from its first record once it has finished.
 */
public final class PointProgress {
  /** Earlier sessions' time ranges kept per point and task. */
  static final int MAX_EARLIER = 16;

  public String point;
  /** The current session's watermark; Long.MAX_VALUE once it has ended. */
  public long watermarkMicros = Long.MIN_VALUE;
  /** The current session's earliest capture time seen (its start watermark, or a summary). */
  public long firstMicros = Long.MAX_VALUE;
  public long summaries;
  /** The current session's id; "" for agents without sessions. */
  public String session = "";
  /** The session before the current one: its late records are not a new session. */
  public String previousSession;
  /** Where the current session's capture ended (its last watermark before the final one); MIN while unknown. */
  public long endMicros = Long.MIN_VALUE;
  /** Earlier sessions' covered capture times: {from, to, 1 when it ended normally else 0}, oldest first. */
  public List<long[]> earlier = new ArrayList<>();

  public PointProgress() {}

  public PointProgress(String point) {
    this.point = point;
  }

  /** What a watermark did to the point's sessions. */
  public enum Step {
    /** Progress within the current session (or nothing new). */
    PROGRESS,
    /** A new session of this point began. */
    SESSION_STARTED,
    /** The current session ended (its final watermark). */
    SESSION_ENDED,
    /** A late watermark of the previous session: ignored. */
    STALE
  }

  /** Applies one watermark of {@code sessionId} at {@code tsMicros} (Long.MAX_VALUE: the session's end). */
  public Step watermark(String sessionId, long tsMicros) {
    String s = sessionId == null ? "" : sessionId;
    Step step = Step.PROGRESS;
    if (!s.isEmpty() && !s.equals(session)) {
      if (s.equals(previousSession)) {
        return Step.STALE;
      }
      closeCurrent();
      previousSession = session.isEmpty() ? null : session;
      session = s;
      step = Step.SESSION_STARTED;
    }
    if (tsMicros == Long.MAX_VALUE) {
      if (!finished()) {
        if (!s.isEmpty() && watermarkMicros != Long.MIN_VALUE) {
          endMicros = watermarkMicros;
        }
        watermarkMicros = Long.MAX_VALUE;
        return Step.SESSION_ENDED;
      }
      return step;
    }
    if (!finished()) {
      watermarkMicros = Math.max(watermarkMicros, tsMicros);
    }
    firstMicros = Math.min(firstMicros, tsMicros);
    return step;
  }

  /** Keeps the current session's range among the earlier ones and starts an empty one. */
  private void closeCurrent() {
    if (firstMicros != Long.MAX_VALUE || watermarkMicros != Long.MIN_VALUE) {
      boolean ended = finished();
      long to = ended ? (endMicros == Long.MIN_VALUE ? Long.MAX_VALUE : endMicros) : watermarkMicros;
      earlier.add(new long[] {firstMicros, to, ended ? 1 : 0});
      if (earlier.size() > MAX_EARLIER) {
        earlier.remove(0);
      }
    }
    watermarkMicros = Long.MIN_VALUE;
    firstMicros = Long.MAX_VALUE;
    endMicros = Long.MIN_VALUE;
  }

  /** The current session has ended (its final watermark arrived). */
  public boolean finished() {
    return watermarkMicros == Long.MAX_VALUE;
  }

  /** The current session ended where known: a final watermark after a last progress watermark. */
  public boolean endKnown() {
    return finished() && endMicros != Long.MIN_VALUE;
  }

  /**
   * Capturing at t (point's clock) in some session: from a session's start (less slack) to its watermark,
   * or, for a session that ended, to where it ended plus {@code tailMicros} (a capture runs at least a little
   * past its last packet; a session without a known end covers everything after its start).
   */
  public boolean covers(long tMicros, long slackMicros, long tailMicros) {
    if (firstMicros <= tMicros + slackMicros && coveredUntil(watermarkMicros, finished(), endMicros, tailMicros) >= tMicros) {
      return true;
    }
    for (long[] r : earlier) {
      if (r[0] <= tMicros + slackMicros && tMicros <= (r[2] == 1 && r[1] != Long.MAX_VALUE ? r[1] + tailMicros : r[1])) {
        return true;
      }
    }
    return false;
  }

  private static long coveredUntil(long watermark, boolean finished, long end, long tail) {
    if (!finished) {
      return watermark;
    }
    return end == Long.MIN_VALUE ? Long.MAX_VALUE : end + tail;
  }

  /**
   * Whether the point was capturing at t (its clock), for the verdict: {@link #covers}, and also when the only
   * record of the point in this task is its final watermark (a short capture with no packet of this partition):
   * when it started is unknown here, so it is assumed to have covered t.
   */
  public boolean capturing(long tMicros, long slackMicros, long tailMicros) {
    return covers(tMicros, slackMicros, tailMicros) || firstMicros == Long.MAX_VALUE && finished();
  }

  /** Whether its first capture time is known (a point that sent only its final watermark has none). */
  public boolean startKnown() {
    return firstMicros != Long.MAX_VALUE;
  }

  /** The progress of one point over several tasks: the earliest start, the furthest watermark. */
  public PointProgress merge(PointProgress other) {
    PointProgress m = new PointProgress(point);
    m.firstMicros = Math.min(firstMicros, other.firstMicros);
    m.watermarkMicros = Math.max(watermarkMicros, other.watermarkMicros);
    m.summaries = summaries + other.summaries;
    return m;
  }
}
