package io.rstscope.agent.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.rstscope.agent.decode.Anomaly;
import io.rstscope.agent.decode.DecodedPacket;
import io.rstscope.agent.decode.PacketDecoder;
import java.util.Arrays;

/**
 * Coverage-guided fuzzing of the header decoder with Jazzer: any bytes, under every supported
 * link type and one unsupported, must give a named anomaly or a consistent TCP segment, never an
 * exception, and must decode the same way twice (no state leaks between packets in the reused
 * {@link DecodedPacket}).
 *
 * <p>Input layout: byte 0 picks the link type, byte 1 how many bytes were "captured" relative to
 * the frame (snap length shorter than the buffer), the rest is the frame. Seeds (real frames from
 * the lab captures, and IPv6 extension chains) are in {@code src/test/resources/.../PacketDecoderFuzzTestInputs}.
 *
 * <p>CI runs it for 30 s in fuzzing mode (JAZZER_FUZZ=1, capture-agent/pom.xml); without that
 * variable it replays the seeds and past findings only. A longer run:
 * {@code JAZZER_FUZZ=1 mvn -B -o test -pl capture-agent -Dtest=PacketDecoderFuzzTest -Djazzer.max_duration=30m}
 */
class PacketDecoderFuzzTest {
  private static final int[] LINK_TYPES = {
      PacketDecoder.DLT_EN10MB, PacketDecoder.DLT_RAW, PacketDecoder.DLT_NULL, PacketDecoder.DLT_LOOP,
      PacketDecoder.DLT_LINUX_SLL, PacketDecoder.DLT_LINUX_SLL2, PacketDecoder.DLT_IPV4, PacketDecoder.DLT_IPV6,
      PacketDecoder.LINKTYPE_RAW, 147 /* DLT_USER0: unsupported */};

  private final DecodedPacket first = new DecodedPacket();
  private final DecodedPacket second = new DecodedPacket();

  @FuzzTest(maxDuration = "30s")
  void shouldNameEveryMalformedFrameAndNeverThrow(byte[] input) {
    if (input.length < 2) {
      return;
    }
    int linkType = LINK_TYPES[(input[0] & 0xff) % LINK_TYPES.length];
    byte[] frame = Arrays.copyOfRange(input, 2, input.length);
    int shortBy = (input[1] & 0xff) < 200 ? 0 : (input[1] & 0xff) - 200;
    int captured = Math.max(0, frame.length - shortBy);
    PacketDecoder decoder = new PacketDecoder(linkType);

    Anomaly a = decoder.decode(frame, captured, 1_700_000_000_000_000L, first);
    assertNotNull(a);
    if (!PacketDecoder.supports(linkType)) {
      assertEquals(Anomaly.UNSUPPORTED_LINK_TYPE, a);
    }
    if (a == Anomaly.NONE) {
      assertTrue(first.ipVersion == 4 || first.ipVersion == 6, "ip version " + first.ipVersion);
      assertTrue(first.srcPort >= 0 && first.srcPort <= 0xffff && first.dstPort >= 0 && first.dstPort <= 0xffff);
      assertTrue(first.seq >= 0 && first.seq <= 0xffffffffL && first.ack >= 0 && first.ack <= 0xffffffffL);
      assertTrue(first.ttl >= 0 && first.ttl <= 255);
      assertTrue(first.payloadLength >= 0, "negative payload length " + first.payloadLength);
      assertTrue(first.payloadCaptured >= 0 && first.payloadCaptured <= first.payloadLength,
          "captured payload " + first.payloadCaptured + " of " + first.payloadLength);
      assertTrue(first.payloadCaptured == 0 || first.payloadOffset + first.payloadCaptured <= captured,
          "payload runs past the captured bytes");
      assertNotNull(first.note);
      // Hints point inside the captured payload.
      if (first.hintKind == DecodedPacket.HINT_TLS_CLIENT_HELLO && first.sniLength > 0) {
        assertTrue(first.sniOffset >= first.payloadOffset && first.sniOffset + first.sniLength <= captured);
        assertNotNull(first.sni());
      }
      if (first.hintKind == DecodedPacket.HINT_HTTP_REQUEST) {
        first.httpMethod();
        first.httpTarget();
        first.httpHost();
      }
    }
    // The reused holder carries nothing over: decoding again into another holder agrees.
    Anomaly again = decoder.decode(frame, captured, 1_700_000_000_000_000L, second);
    assertEquals(a, again);
    if (a == Anomaly.NONE) {
      assertEquals(first.seq, second.seq);
      assertEquals(first.tcpFlags, second.tcpFlags);
      assertEquals(first.payloadLength, second.payloadLength);
      assertEquals(first.note, second.note);
    }
  }
}
