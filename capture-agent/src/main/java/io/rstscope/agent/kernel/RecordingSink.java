package io.rstscope.agent.kernel;

import io.rstscope.agent.AgentException;
import io.rstscope.avro.KernelReset;
import io.rstscope.avro.PointStatus;
import io.rstscope.schemas.KernelTraceLines;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** A JSON Lines recording ({@link KernelTraceLines}), written out whenever the reader has caught up. */
final class RecordingSink implements KernelSink {
  private final Path file;
  private final BufferedWriter out;
  private long written;
  private long failed;

  RecordingSink(Path file) {
    this.file = file;
    try {
      out = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new AgentException("cannot write " + file + ": " + e.getMessage());
    }
  }

  @Override
  public void accept(KernelReset event) {
    try {
      out.write(KernelTraceLines.write(event));
      out.write('\n');
      written++;
    } catch (IOException e) {
      failed++;
    }
  }

  @Override
  public void idle() {
    try {
      out.flush();
    } catch (IOException e) {
      throw new AgentException("cannot write " + file + ": " + e.getMessage());
    }
  }

  @Override public void heartbeat(PointStatus status) {}
  @Override public void flush() { idle(); }
  @Override public long published() { return written; }
  @Override public long dropped() { return failed; }

  @Override
  public void close() {
    try {
      out.close();
    } catch (IOException e) {
      throw new AgentException("cannot write " + file + ": " + e.getMessage());
    }
  }
}
