package io.rstscope.agent;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * What one run of an agent did. {@code captured = decoded + anomalies that drop a packet};
 * {@code summaries = published + dropped} once a run has ended with the cluster reachable
 * (records still unacknowledged at the end are counted as dropped).
 *
 * @param anomalies packets (or notes on packets) by anomaly name, e.g. {@code non_tcp}
 * @param summaries summaries produced by the publish policy (PACKET and PROGRESS)
 * @param published summaries acknowledged by the cluster
 * @param dropped summaries not published: buffer full, cluster refused, or still unacknowledged at the end
 * @param flowEvictions flows evicted because the flow table was full
 * @param watermarks WATERMARK records acknowledged (one per partition per heartbeat, plus the final ones)
 * @param lastPacketTime capture time of the newest packet, null when none was captured
 * @param damage where a capture file was cut or damaged (read up to there), null when read whole
 */
public record AgentReport(
    long captured,
    long decoded,
    Map<String, Long> anomalies,
    long summaries,
    long progressSummaries,
    long published,
    long dropped,
    long flowEvictions,
    long flowsExpired,
    long heartbeats,
    long watermarks,
    long pcapReceived,
    long pcapDropped,
    long pcapIfDropped,
    Instant lastPacketTime,
    Duration elapsed,
    Duration captureElapsed,
    Duration captureCpu,
    io.rstscope.agent.capture.CaptureDamage damage) {

  public AgentReport {
    anomalies = Map.copyOf(anomalies);
  }

  /** Captured packets per second of wall-clock time. */
  public double packetsPerSecond() {
    double seconds = elapsed.toNanos() / 1e9;
    return seconds <= 0 ? 0 : captured / seconds;
  }

  /**
   * Captured packets per second of the capture thread's own CPU time (user + system) while it
   * captured: the per-core rate, which neither start-up nor other processes' load inflates.
   * 0 where the JVM cannot measure thread CPU time.
   */
  public double packetsPerCpuSecond() {
    double seconds = captureCpu.toNanos() / 1e9;
    return seconds <= 0 ? 0 : captured / seconds;
  }

  /** One line for logs and the CLI. */
  public String summaryLine() {
    return String.format("captured %d, decoded %d, anomalies %s, summaries %d (progress %d), published %d, dropped %d,"
            + " flow evictions %d, kernel drops %d, in %.2f s (%.0f packets/s); capturing %.2f s,"
            + " capture thread CPU %.2f s (%.0f packets per CPU second)",
        captured, decoded, anomalies, summaries, progressSummaries, published, dropped, flowEvictions,
        pcapDropped + pcapIfDropped, elapsed.toNanos() / 1e9, packetsPerSecond(), captureElapsed.toNanos() / 1e9,
        captureCpu.toNanos() / 1e9, packetsPerCpuSecond());
  }
}
