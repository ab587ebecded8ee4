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
}
