package io.rstscope.agent.publish;

import io.rstscope.agent.policy.SummarySink;
import io.rstscope.avro.PointStatus;
import java.time.Instant;

/** Where summaries, heartbeats and watermarks go: Kafka, or nowhere for a decode-only run. */
public interface Publisher extends SummarySink, AutoCloseable {
  /** Fails with AgentException when the cluster or the topics cannot be reached in time. */
  void awaitCluster();

  void heartbeat(PointStatus status);

  /** A WATERMARK of this capture session to every partition of the packets topic; returns how many were sent. */
  int watermarks(String point, String session, Instant captureTime);

  /** Capture times (micros) of the earliest and the latest summary dropped so far, or null when none was. */
  long[] droppedRange();

  /** Waits until everything sent so far is acknowledged or has failed. */
  void flush();

  long published();

  long dropped();

  /** Sent, not yet acknowledged. */
  long buffered();

  long watermarksAcked();

  @Override
  void close();
}
