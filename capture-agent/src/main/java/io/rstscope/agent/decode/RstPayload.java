package io.rstscope.agent.decode;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;

/**
 * Reads the payload of a RST: the RST diagnostic payload of the IETF TCPM draft "TCP RST Diagnostic
 * Payload" (experimental), or any other data, which is kept as data and not parsed. Every length
 * comes from the captured bytes, never from a field of the payload itself; nothing is allocated
 * here (the summary builder renders the text).
 *
 * <pre>
 * Compact:      | 0x33AA (16) | reason-code (16) | pen (32) |      the payload is exactly 8 bytes
 * Description:  | 0xF317 (16) | reason-description (UTF-8, payload length - 2) ...
 * </pre>
 * A payload that starts with a magic number but does not fit its format is MALFORMED (receivers
 * ignore it); a reason code of 0 is reserved, so a compact payload carrying it is malformed too.
 */
public final class RstPayload {
  /** No RST payload. */
  public static final int NONE = 0;
  /** Compact form: reason code and Private Enterprise Number. */
  public static final int COMPACT = 1;
  /** Free description: a UTF-8 reason. */
  public static final int DESCRIPTION = 2;
  /** A magic number whose payload does not fit its format. */
  public static final int MALFORMED = 3;
  /** Any other payload: shown as data. */
  public static final int DATA = 4;

  static final int MAGIC_COMPACT = 0x33AA;
  static final int MAGIC_DESCRIPTION = 0xF317;
  static final int COMPACT_LENGTH = 8;
  /** The draft recommends accepting at most 255 bytes of payload; longer reasons are cut there. */
  public static final int MAX_DESCRIPTION_BYTES = 255;
  /** How much of non-diagnostic data the summary shows. */
  public static final int MAX_DATA_BYTES = 64;

  private RstPayload() {}

  /**
   * Classifies the RST payload of {@code out} (payloadOffset, payloadCaptured, payloadLength already
   * set) and fills {@code out.rstFormat}, {@code rstReasonCode}, {@code rstPen}, {@code rstTextOffset}
   * and {@code rstTextLength}.
   */
  static void read(byte[] b, DecodedPacket out) {
    int off = out.payloadOffset;
    int captured = Math.min(out.payloadCaptured, Math.max(0, b.length - off));
    int onWire = out.payloadLength;
    if (onWire <= 0) {
      out.rstFormat = NONE;
      return;
    }
    int magic = captured >= 2 ? PacketDecoder.u16(b, off) : -1;
    if (magic == MAGIC_COMPACT) {
      if (onWire == COMPACT_LENGTH && captured >= COMPACT_LENGTH && PacketDecoder.u16(b, off + 2) != 0) {
        out.rstFormat = COMPACT;
        out.rstReasonCode = PacketDecoder.u16(b, off + 2);
        out.rstPen = PacketDecoder.u32(b, off + 4);
        return;
      }
      data(out, off, captured, MALFORMED);
      return;
    }
    if (magic == MAGIC_DESCRIPTION) {
      int length = Math.min(captured - 2, MAX_DESCRIPTION_BYTES);
      if (onWire > 2 && length > 0 && utf8(b, off + 2, length)) {
        out.rstFormat = DESCRIPTION;
        out.rstTextOffset = off + 2;
        out.rstTextLength = length;
        return;
      }
      data(out, off, captured, MALFORMED);
      return;
    }
    data(out, off, captured, DATA);
  }

  private static void data(DecodedPacket out, int off, int captured, int format) {
    out.rstFormat = format;
    out.rstTextOffset = off;
    out.rstTextLength = Math.min(captured, MAX_DATA_BYTES);
  }

  /** True when the bytes are UTF-8, tolerating a multi-byte character cut at the end (the 255-byte limit). */
  private static boolean utf8(byte[] b, int off, int length) {
    int end = off + length;
    int cut = 0;
    // Drop at most three trailing bytes of a character the limit or the snap length cut.
    for (int i = end - 1; i >= off && i >= end - 3; i--) {
      int v = b[i] & 0xff;
      if ((v & 0xc0) == 0xc0) {
        int need = v >= 0xf0 ? 4 : v >= 0xe0 ? 3 : 2;
        if (end - i < need) {
          cut = end - i;
        }
        break;
      }
      if ((v & 0x80) == 0) {
        break;
      }
    }
    try {
      StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b, off, length - cut));
      return true;
    } catch (CharacterCodingException e) {
      return false; // not a reason text: shown as data instead
    }
  }

  /** The reason text of a DESCRIPTION payload, decoded as UTF-8 (a character cut at the end dropped). */
  public static String description(DecodedPacket p) {
    String s = new String(p.data, p.rstTextOffset, p.rstTextLength, StandardCharsets.UTF_8);
    return s.endsWith("\uFFFD") ? s.substring(0, s.length() - 1) : s;
  }

  /** The first bytes of other data: printable ASCII as is, every other byte as \xHH. */
  public static String printable(byte[] b, int off, int length) {
    StringBuilder sb = new StringBuilder(length + 8);
    for (int i = off; i < off + length; i++) {
      int v = b[i] & 0xff;
      if (v >= 0x20 && v < 0x7f && v != '\\') {
        sb.append((char) v);
      } else {
        sb.append(String.format("\\x%02x", v));
      }
    }
    return sb.toString();
  }
}
