package io.rstscope.agent.capture;

/**
 * Receives each captured frame as its own exact-length array ({@code frame.length} is the
 * captured length). Convenient for tests and tools; it costs one copy per packet, so the agent's
 * hot path uses {@link FrameHandler} instead.
 */
@FunctionalInterface
public interface PacketHandler {
  void packet(byte[] frame, long captureMicros);
}
