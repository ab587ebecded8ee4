package io.rstscope.agent.kernel;

import io.rstscope.avro.KernelReset;
import io.rstscope.avro.PointStatus;

/** Where a probe's events go: Kafka (with heartbeats) or a JSON Lines recording. */
interface KernelSink extends AutoCloseable {
  void accept(KernelReset event);

  /** The reader has nothing more buffered: a good moment to write out. */
  void idle();

  void heartbeat(PointStatus status);

  /** Waits until everything accepted so far is written or acknowledged (or has failed). */
  void flush();

  long published();

  long dropped();

  @Override
  void close();
}
