package io.rstscope.processor.output;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Stable id of one RST: the same packet seen at any point gets the same id (RstFinding.findingId). */
public final class FindingIds {
  private FindingIds() {}

  /**
   * @param flowText FlowKeys.text of the flow
   * @param fromLow  the RST travels from the key's low endpoint
   * @param occurrence how many identical RSTs (same seq, ack, flags, IP ID) the same point saw before this
   *                 one: a kernel answering several segments with RSTs repeats them byte for byte (IP ID 0)
   */
  public static String of(String flowText, boolean fromLow, long seq, long ack, int flags, Integer ipId,
      int occurrence) {
    String identity = flowText + "|" + (fromLow ? "L" : "H") + "|" + seq + "|" + ack + "|" + flags + "|"
        + (ipId == null ? "-" : ipId) + (occurrence == 0 ? "" : "#" + occurrence);
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(identity.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 12);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
