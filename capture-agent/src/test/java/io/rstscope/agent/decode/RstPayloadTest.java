package io.rstscope.agent.decode;

import static io.rstscope.agent.decode.Frames.ascii;
import static io.rstscope.agent.decode.Frames.bytes;
import static io.rstscope.agent.decode.Frames.concat;
import static io.rstscope.agent.decode.Frames.ipv4Tcp;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.rstscope.agent.policy.Summaries;
import io.rstscope.avro.PacketSummary;
import io.rstscope.avro.RstDataFormat;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * RST payloads: the examples of the IETF TCPM draft "TCP RST Diagnostic Payload" (compact form with
 * IANA and vendor reason codes, free description), and what is not a diagnostic payload.
 */
class RstPayloadTest {
  private static final int RST = 0x04;
  private static final int RST_ACK = 0x14;
  private final DecodedPacket p = new DecodedPacket();

  private PacketSummary summary(int flags, byte[] payload) {
    return summary(flags, payload, Integer.MAX_VALUE);
  }

  /** Decodes a raw IPv4 RST carrying {@code payload}, captured up to {@code snap} bytes, into a summary. */
  private PacketSummary summary(int flags, byte[] payload, int snap) {
    byte[] frame = ipv4Tcp(flags, new byte[0], payload);
    int captured = Math.min(snap, frame.length);
    assertEquals(Anomaly.NONE, new PacketDecoder(PacketDecoder.DLT_RAW).decode(frame, captured, 1L, p));
    return Summaries.packet("P1", p);
  }

  @Test
  void shouldReadTheDraftsExampleOfAnAckInListen() {
    // Figure "Example of an RST Diagnostic Payload with Reason Code": 0x33AA, reason 2, PEN 0.
    PacketSummary s = summary(RST, bytes(0x33, 0xaa, 0x00, 0x02, 0, 0, 0, 0));
    assertEquals(RstDataFormat.COMPACT, s.getRstData().getFormat());
    assertEquals(2, s.getRstData().getReasonCode());
    assertEquals(0L, s.getRstData().getPen());
  }

  @Test
  void shouldReadTheDraftsExampleOfANatTimeout() {
    PacketSummary s = summary(RST_ACK, bytes(0x33, 0xaa, 0x00, 0x0e, 0, 0, 0, 0));
    assertEquals(RstDataFormat.COMPACT, s.getRstData().getFormat());
    assertEquals(14, s.getRstData().getReasonCode());
  }

  @Test
  void shouldReadTheDraftsVendorExample() {
    // Reason 1234 of the documentation PEN 32473 (RFC 5612). The draft's figure writes them 0x4DE and 0x7D9,
    // which are 1246 and 2009: the decimal values of its text are taken, 0x04D2 and 0x7ED9.
    PacketSummary s = summary(RST, bytes(0x33, 0xaa, 0x04, 0xd2, 0x00, 0x00, 0x7e, 0xd9));
    assertEquals(1234, s.getRstData().getReasonCode());
    assertEquals(32473L, s.getRstData().getPen());
  }

  @Test
  void shouldReadAFreeDescription() {
    byte[] reason = "idle mapping expired \u00e9".getBytes(StandardCharsets.UTF_8);
    PacketSummary s = summary(RST, concat(bytes(0xf3, 0x17), reason));
    assertEquals(RstDataFormat.DESCRIPTION, s.getRstData().getFormat());
    assertEquals("idle mapping expired \u00e9", s.getRstData().getText());
  }

  @Test
  void shouldCutALongDescriptionAtTheRecommendedLimitWithoutBreakingACharacter() {
    byte[] reason = "\u00e9".repeat(300).getBytes(StandardCharsets.UTF_8);
    PacketSummary s = summary(RST, concat(bytes(0xf3, 0x17), reason));
    assertEquals(RstDataFormat.DESCRIPTION, s.getRstData().getFormat());
    assertEquals("\u00e9".repeat(127), s.getRstData().getText(), "255 bytes hold 127 two-byte characters");
  }

  @Test
  void shouldCallAMagicNumberWithTheWrongLengthMalformed() {
    assertEquals(RstDataFormat.MALFORMED, summary(RST, bytes(0x33, 0xaa, 0x00, 0x02, 0, 0, 0, 0, 0)).getRstData().getFormat());
    assertEquals(RstDataFormat.MALFORMED, summary(RST, bytes(0x33, 0xaa, 0x00, 0x00, 0, 0, 0, 0)).getRstData().getFormat(),
        "reason code 0 is reserved");
    assertEquals(RstDataFormat.MALFORMED, summary(RST, bytes(0xf3, 0x17, 0xff, 0xfe)).getRstData().getFormat(),
        "not UTF-8");
  }

  @Test
  void shouldShowOtherDataAsDataWithoutParsingIt() {
    PacketSummary s = summary(RST_ACK, ascii("No listener\r\n\0"));
    assertEquals(RstDataFormat.DATA, s.getRstData().getFormat());
    assertEquals("No listener\\x0d\\x0a\\x00", s.getRstData().getText());
    assertEquals(null, s.getRstData().getReasonCode());
  }

  @Test
  void shouldNeverReadPastWhatWasCaptured() {
    byte[] compact = bytes(0x33, 0xaa, 0x00, 0x02, 0, 0, 0, 0);
    int headers = ipv4Tcp(RST, new byte[0], new byte[0]).length;
    for (int snap = headers; snap < headers + compact.length; snap++) {
      PacketSummary s = summary(RST, compact, snap);
      // Fewer than 2 bytes cannot show a magic number: data; more, but not all 8: a cut compact payload.
      assertEquals(snap - headers < 2 ? RstDataFormat.DATA : RstDataFormat.MALFORMED, s.getRstData().getFormat(),
          "captured " + (snap - headers) + " of 8 payload bytes");
    }
    byte[] big = new byte[1000];
    Arrays.fill(big, (byte) 'A');
    assertEquals("A".repeat(64), summary(RST, big).getRstData().getText(), "at most 64 bytes of data");
  }

  @Test
  void shouldLeaveARstWithoutPayloadAndOtherPacketsAlone() {
    assertEquals(null, summary(RST, new byte[0]).getRstData());
    assertEquals(null, summary(0x18, bytes(0x33, 0xaa, 0x00, 0x02, 0, 0, 0, 0)).getRstData());
  }
}
