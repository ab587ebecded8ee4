package io.rstscope.processor.output;

import io.rstscope.avro.RstData;
import io.rstscope.avro.RstDataFormat;
import java.util.Map;

/**
 * Turns what a RST's payload said (decoded by the agent) into evidence: {@code RST_DIAGNOSTIC} for a
 * RST diagnostic payload (reason code, or reason text), {@code RST_DATA} for anything else, shown
 * as data and never read as a reason. Text from the wire is escaped before it is shown.
 */
public final class RstDiagnostics {
  /** Evidence code of a RST that carried a diagnostic payload. */
  public static final String DIAGNOSTIC = "RST_DIAGNOSTIC";
  /** Evidence code of a RST that carried other data (or a malformed diagnostic payload). */
  public static final String DATA = "RST_DATA";

  /** The initial "TCP Failure Causes" of the draft (IANA registry; reason codes with PEN 0). */
  static final Map<Integer, String> IANA_CAUSES = Map.ofEntries(
      Map.entry(1, "Illegal Option"),
      Map.entry(2, "Desynchronized state"),
      Map.entry(3, "New data is received after CLOSE is called"),
      Map.entry(4, "ABORT Process"),
      Map.entry(5, "Unexpected ACK received by non-synchronized state connection"),
      Map.entry(6, "Unexpected SYN in the window"),
      Map.entry(7, "Unexpected security compartment"),
      Map.entry(8, "Malformed Message"),
      Map.entry(9, "Not Authorized"),
      Map.entry(10, "Resource Exceeded"),
      Map.entry(11, "Network Failure"),
      Map.entry(12, "Reset received from the peer"),
      Map.entry(13, "Destination Unreachable"),
      Map.entry(14, "Connection Timeout"),
      Map.entry(15, "Too much outstanding data"),
      Map.entry(16, "Unacceptable performance"),
      Map.entry(17, "Middlebox interference"));

  private RstDiagnostics() {}

  /** The evidence code for a RST's data. */
  public static String code(RstDataFormat format) {
    return format == RstDataFormat.COMPACT || format == RstDataFormat.DESCRIPTION ? DIAGNOSTIC : DATA;
  }

  /** The evidence code for a format by name (as kept in flow state); anything unknown is data. */
  public static String code(String formatName) {
    for (RstDataFormat f : RstDataFormat.values()) {
      if (f.name().equals(formatName)) {
        return code(f);
      }
    }
    return DATA;
  }

  /** What the payload says, for a human; wire text escaped. */
  public static String detail(RstData d) {
    return switch (d.getFormat()) {
      case COMPACT -> {
        int code = d.getReasonCode() == null ? 0 : d.getReasonCode();
        long pen = d.getPen() == null ? 0 : d.getPen();
        String name = pen == 0 ? IANA_CAUSES.getOrDefault(code, "unassigned") : "vendor-specific";
        yield "reason code " + code + " (" + name + "), PEN " + pen;
      }
      case DESCRIPTION -> "reason \"" + escape(d.getText()) + "\"";
      case MALFORMED -> "malformed diagnostic payload (ignored as receivers do): " + escape(d.getText());
      case DATA -> "data, not a diagnostic payload: \"" + escape(d.getText()) + "\"";
    };
  }

  /** Control characters, quotes and backslashes as escapes; the rest as is. Bounded by what the agent sent. */
  static String escape(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder out = new StringBuilder(s.length() + 8);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\' && !(i + 1 < s.length() && s.charAt(i + 1) == 'x')) {
        out.append('\\').append(c);
      } else if (c < 0x20 || c == 0x7f || Character.getType(c) == Character.FORMAT || c >= 0x80 && c < 0xa0) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }
}
