package io.rstscope.processor.state;

/**
 * Event-time progress of one observation point in one task (store {@code point-progress}):
 * its watermark (everything up to it was published; Long.MAX_VALUE once it has finished) and
 * the earliest capture time it reported, so "was P capturing at time t" can be answered.
 */
public final class PointProgress {
  public String point;
  public long watermarkMicros = Long.MIN_VALUE;
  public long firstMicros = Long.MAX_VALUE;
  public long summaries;

  public PointProgress() {}

  public PointProgress(String point) {
    this.point = point;
  }

  public boolean finished() {
    return watermarkMicros == Long.MAX_VALUE;
  }

  /** Capturing at t (point's clock): it reported something at or before t and its watermark covers t. */
  public boolean covers(long tMicros, long slackMicros) {
    return firstMicros <= tMicros + slackMicros && watermarkMicros >= tMicros;
  }

  /** Whether its first capture time is known (a point that sent only its final watermark has none). */
  public boolean startKnown() {
    return firstMicros != Long.MAX_VALUE;
  }

  /**
   * Capturing at t as verdicts take it: covered, or finished with an unknown start (a short capture
   * with no packet in this task is assumed to have covered t).
   */
  public boolean capturingAt(long tMicros, long slackMicros) {
    return covers(tMicros, slackMicros) || !startKnown() && finished();
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
