package io.rstscope.agent.capture;

/**
 * Receives each captured frame on the capture thread, without a per-packet allocation:
 * {@code buffer} is reused for every frame and only its first {@code capturedLength} bytes
 * belong to this one; it is valid during the call only.
 */
@FunctionalInterface
public interface FrameHandler {
  /**
   * @param capturedLength bytes captured (pcap_pkthdr.caplen, at most the snap length)
   * @param wireLength the frame's length on the wire (pcap_pkthdr.len)
   * @param captureMicros capture time, microseconds since the epoch
   */
  void frame(byte[] buffer, int capturedLength, int wireLength, long captureMicros);
}
