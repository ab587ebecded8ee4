package io.rstscope.agent.capture;

/** Receives each captured frame on the capture thread; {@code frame} is valid during the call only. */
@FunctionalInterface
public interface PacketHandler {
  void packet(byte[] frame, long captureMicros);
}
