package io.rstscope.processor.topology;

import io.rstscope.processor.verdict.RstCase;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.LoggerFactory;

/**
 * Knobs of the RST locator. Immutable; {@code ProcessorConfig.builder()...build()} or {@link #defaults()}.
 *
 * @param correlationWindow     event time to wait after a RST's first sighting for its other sightings and
 *                              for the packets that follow it (data after the RST, the SYN/ACK it raced)
 * @param clockSkewAllowance    added to the window: residual clock error between points after offset correction
 * @param pathOrder             points along the path, client side first; empty: inferred from TTLs
 * @param expectedPoints        points to wait for even before they report (analyze passes its --point names);
 *                              points in pathOrder are always expected
 * @param maxVerdictWait        running-clock limit (wall-clock time while the task runs and the cluster is
 *                              reachable): decide anyway when some point's watermark never comes
 * @param pointReturnWait       how long (running clock) a point whose capture session ended is waited for,
 *                              for RSTs after its end, before it is taken as not capturing then; 0 when
 *                              points never come back (analyze)
 * @param pointMissingAfter     a point whose session did not end and that sent nothing for this long (running
 *                              clock) is missing: it holds nothing back and covers no time after its watermark
 * @param idleThreshold         silence before a RST that makes it a timeout rather than an abort. 500 ms: an
 *                              application's abort follows the event that caused it within milliseconds, while
 *                              timeouts people configure are a second and longer (devices: 120 s and more)
 * @param raceWindow            a forged RST this close to the server's SYN/ACK raced it (bypass_block)
 * @param quickReset            a reset this soon after the handshake, without data, is a scan or an overflow
 * @param afterFinWindow        a RST this soon after a FIN is an accelerated close
 * @param burstWindow           other RSTs this close count for SPREAD_SEQ_RSTS
 * @param scanWindow            tumbling event-time window over which scan probes are counted per source
 * @param scanThreshold         distinct ports in a window that make a source a scanner
 * @param recentFindingsRetention how long decided findings stay queryable in recent-findings
 * @param flowIdleExpiry        flows without any summary for this long (event time) are deleted
 * @param punctuateInterval     wall-clock period of the fallback verdict and expiry punctuator
 * @param notices               where one-line notices for the user go (a --path the TTLs contradict); each is
 *                              said once per configuration
 */
public record ProcessorConfig(
    Duration correlationWindow,
    Duration clockSkewAllowance,
    List<String> pathOrder,
    Set<String> expectedPoints,
    Duration maxVerdictWait,
    Duration pointReturnWait,
    Duration pointMissingAfter,
    Duration idleThreshold,
    Duration raceWindow,
    Duration quickReset,
    Duration afterFinWindow,
    Duration burstWindow,
    Duration scanWindow,
    int scanThreshold,
    Duration recentFindingsRetention,
    Duration flowIdleExpiry,
    Duration punctuateInterval,
    Consumer<String> notices) {

  public ProcessorConfig {
    Objects.requireNonNull(notices, "notices");
    Objects.requireNonNull(correlationWindow, "correlationWindow");
    Objects.requireNonNull(clockSkewAllowance, "clockSkewAllowance");
    Objects.requireNonNull(pointReturnWait, "pointReturnWait");
    Objects.requireNonNull(pointMissingAfter, "pointMissingAfter");
    pathOrder = List.copyOf(pathOrder);
    expectedPoints = Set.copyOf(expectedPoints);
    if (scanThreshold < 1) {
      throw new IllegalArgumentException("scanThreshold must be at least 1: " + scanThreshold);
    }
    if (correlationWindow.isNegative() || clockSkewAllowance.isNegative()) {
      throw new IllegalArgumentException("correlation window and skew allowance must not be negative");
    }
  }

  public static ProcessorConfig defaults() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    return new Builder().correlationWindow(correlationWindow).clockSkewAllowance(clockSkewAllowance)
        .pathOrder(pathOrder).expectedPoints(expectedPoints).maxVerdictWait(maxVerdictWait)
        .pointReturnWait(pointReturnWait).pointMissingAfter(pointMissingAfter).idleThreshold(idleThreshold).raceWindow(raceWindow).quickReset(quickReset).afterFinWindow(afterFinWindow)
        .burstWindow(burstWindow).scanWindow(scanWindow).scanThreshold(scanThreshold)
        .recentFindingsRetention(recentFindingsRetention).flowIdleExpiry(flowIdleExpiry)
        .punctuateInterval(punctuateInterval).notices(notices);
  }

  /** Event time a pending RST waits after its first sighting. */
  public long waitMicros() {
    return (correlationWindow.plus(clockSkewAllowance)).toNanos() / 1_000L;
  }

  public RstCase.Thresholds thresholds() {
    return new RstCase.Thresholds(idleThreshold.toNanos() / 1000, raceWindow.toNanos() / 1000,
        quickReset.toNanos() / 1000, afterFinWindow.toNanos() / 1000, burstWindow.toNanos() / 1000);
  }

  public static final class Builder {
    private Duration correlationWindow = Duration.ofSeconds(2);
    private Duration clockSkewAllowance = Duration.ofMillis(500);
    private List<String> pathOrder = List.of();
    private Set<String> expectedPoints = Set.of();
    private Duration maxVerdictWait = Duration.ofSeconds(30);
    private Duration pointReturnWait = Duration.ofSeconds(30);
    private Duration pointMissingAfter = Duration.ofSeconds(30);
    private Duration idleThreshold = Duration.ofMillis(500);
    private Duration raceWindow = Duration.ofMillis(200);
    private Duration quickReset = Duration.ofSeconds(1);
    private Duration afterFinWindow = Duration.ofSeconds(2);
    private Duration burstWindow = Duration.ofSeconds(1);
    private Duration scanWindow = Duration.ofSeconds(60);
    private int scanThreshold = 10;
    private Duration recentFindingsRetention = Duration.ofHours(1);
    private Duration flowIdleExpiry = Duration.ofMinutes(10);
    private Duration punctuateInterval = Duration.ofSeconds(1);
    private Consumer<String> notices = LoggerFactory.getLogger(ProcessorConfig.class)::warn;

    public Builder correlationWindow(Duration v) { correlationWindow = v; return this; }
    public Builder clockSkewAllowance(Duration v) { clockSkewAllowance = v; return this; }
    public Builder pathOrder(List<String> v) { pathOrder = v; return this; }
    public Builder expectedPoints(Set<String> v) { expectedPoints = v; return this; }
    public Builder maxVerdictWait(Duration v) { maxVerdictWait = v; return this; }
    public Builder pointReturnWait(Duration v) { pointReturnWait = v; return this; }
    public Builder pointMissingAfter(Duration v) { pointMissingAfter = v; return this; }
    public Builder idleThreshold(Duration v) { idleThreshold = v; return this; }
    public Builder raceWindow(Duration v) { raceWindow = v; return this; }
    public Builder quickReset(Duration v) { quickReset = v; return this; }
    public Builder afterFinWindow(Duration v) { afterFinWindow = v; return this; }
    public Builder burstWindow(Duration v) { burstWindow = v; return this; }
    public Builder scanWindow(Duration v) { scanWindow = v; return this; }
    public Builder scanThreshold(int v) { scanThreshold = v; return this; }
    public Builder recentFindingsRetention(Duration v) { recentFindingsRetention = v; return this; }
    public Builder flowIdleExpiry(Duration v) { flowIdleExpiry = v; return this; }
    public Builder punctuateInterval(Duration v) { punctuateInterval = v; return this; }
    public Builder notices(Consumer<String> v) { notices = v; return this; }

    public ProcessorConfig build() {
      return new ProcessorConfig(correlationWindow, clockSkewAllowance, pathOrder, expectedPoints, maxVerdictWait,
          pointReturnWait, pointMissingAfter, idleThreshold, raceWindow, quickReset, afterFinWindow, burstWindow,
          scanWindow, scanThreshold,
          recentFindingsRetention, flowIdleExpiry, punctuateInterval, once(notices));
    }
  }

  /** Says the first notice only: every task of every thread sees the same contradiction. */
  private static Consumer<String> once(Consumer<String> sink) {
    if (sink instanceof Once) {
      return sink;
    }
    return new Once(sink);
  }

  private record Once(Consumer<String> sink, AtomicBoolean said) implements Consumer<String> {
    Once(Consumer<String> sink) {
      this(sink, new AtomicBoolean());
    }

    @Override
    public void accept(String notice) {
      if (said.compareAndSet(false, true)) {
        sink.accept(notice);
      }
    }
  }
}
